import { createHmac } from 'crypto';

export const URL_TOKEN_PARAM = 'klivo_token';
/** What outputs show in place of a URL token. */
export const REDACTED_TOKEN = 'REDACTED';

/** An absolute http(s) URL with a host, or a sentence saying what is wrong with it. */
export function checkWebhookUrl(value: string): string | undefined {
	const url = value.trim();
	if (url === '') return 'The URL is empty';
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return `'${url}' is not a full URL. Use an address such as https://n8n.example.com/webhook/klivo`;
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		return `'${url}' must start with https:// (or http:// for a local or self-hosted server)`;
	}
	if (!parsed.hostname) return `'${url}' has no host name`;
	return undefined;
}

/** Scheme, host, port and path: what the trigger's URL token is derived from. */
export function urlBase(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
	} catch {
		return url.replace(/[?#].*$/, '').replace(/\/+$/, '');
	}
}

/**
 * Who receives a webhook's deliveries: the whole URL but our own token, which differs after a
 * credential changed. Every other query parameter counts (`.../hook?src=a` and `.../hook?src=b` are
 * two integrations); the spelling does not (case of scheme and host, a default port, a trailing
 * slash, the order of parameters). A fragment is never sent, so it is left out.
 */
export function addressOf(url: string): string {
	try {
		const parsed = new URL(url);
		parsed.searchParams.delete(URL_TOKEN_PARAM);
		parsed.searchParams.sort();
		const query = parsed.searchParams.toString();
		return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}${query === '' ? '' : `?${query}`}`;
	} catch {
		return url;
	}
}

export function sameAddress(a: string, b: string): boolean {
	return addressOf(a) === addressOf(b);
}

/** Two spellings of one URL compare equal (`HTTP://Host` and `http://host/`). */
export function sameUrl(a: string, b: string): boolean {
	try {
		return new URL(a).toString() === new URL(b).toString();
	} catch {
		return a === b;
	}
}

/** The URL without our token. */
export function withoutToken(url: string): string {
	try {
		const parsed = new URL(url);
		if (!parsed.searchParams.has(URL_TOKEN_PARAM)) return url;
		parsed.searchParams.delete(URL_TOKEN_PARAM);
		return parsed.toString();
	} catch {
		return url;
	}
}

export function tokenOf(url: string): string | undefined {
	try {
		return new URL(url).searchParams.get(URL_TOKEN_PARAM) ?? undefined;
	} catch {
		return undefined;
	}
}

export function withToken(url: string, token: string): string {
	const parsed = new URL(url);
	parsed.searchParams.set(URL_TOKEN_PARAM, token);
	return parsed.toString();
}

/**
 * The token a Klivo Trigger adds to its URL where Klivo signs nothing. It is derived from the access
 * token (a secret only the credential holds) so that a watchdog's Ensure, a restarted n8n or a
 * webhook processor can compute the same value without shared state.
 */
export function deriveUrlToken(accessToken: string, accountId: string | number, url: string): string {
	return createHmac('sha256', String(accessToken))
		.update(`klivo-trigger-url:${String(accountId).trim()}:${urlBase(url)}`)
		.digest('base64url')
		.slice(0, 32);
}

/** The token authenticates deliveries, so it is a secret: outputs show that it is there, not its value. */
export function redactToken(url: string): string {
	if (tokenOf(url) === undefined) return url;
	const parsed = new URL(url);
	parsed.searchParams.set(URL_TOKEN_PARAM, REDACTED_TOKEN);
	return parsed.toString();
}

/** A URL copied from an output: sent back, it would replace the real token with the placeholder. */
export function hasRedactedToken(url: string): boolean {
	return tokenOf(url)?.toUpperCase() === REDACTED_TOKEN;
}
