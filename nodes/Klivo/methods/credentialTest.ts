import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { normalizeBaseUrl } from '../transport/baseUrl';

/**
 * The Klivo API credential's test, referenced by `testedBy` from both nodes.
 *
 * It is a function rather than the credential's declarative `test`: declarative rules either fail every
 * non-2xx with one message per status (no way to tell a wrong token from a wrong account, both 401), or,
 * with `ignoreHttpStatusErrors`, let any answer their rules do not name pass as a success.
 *
 * n8n gives credential test functions only the deprecated `helpers.request`, which n8n's community
 * scanner refuses, so this uses the runtime's `fetch`. Redirects are not followed: the token travels in
 * a plain header, which a redirect to another host would carry along.
 *
 * It lists the account's labels: any member of the account (administrator or agent) may, Klivo
 * documents the endpoint, and the answer is small. Webhook operations still explain by themselves that
 * they need an administrator. *
 * An agent bot's token (Token Type 'Agent bot') may read nothing, so it is tested by what Klivo refuses:
 * listing labels answers a bot with its own 401 ("not authorized for bots"), a user with 200 and an
 * unknown token with "Invalid Access Token", before the account is even looked up. A second request a
 * bot may make then checks the account: typing 'off' in conversation 0, which no account has, changes
 * nothing; a bot outside the account gets 401, and an account Klivo knows answers 404 for the
 * conversation. Klivo answers an unknown account with the same 404, so that case cannot be told apart.
 */

const DEFAULT_TIMEOUT_SECONDS = 20;
const BOT_TOKEN_HELP = "In Klivo, open Settings → Bots, edit the agent bot and copy its access token";
const BOT_REFUSED = 'Access to this endpoint is not authorized for bots';

const TOKEN_HELP = "In Klivo, open Profile Settings and copy the 'Access Token' at the bottom of the page";
const ACCOUNT_HELP = "the number after '/app/accounts/' in Klivo's address bar";
const BASE_URL_HELP = 'Use the address of your Klivo server, e.g. https://chat.klivo.marketing.';

/** The `error` strings Chatwoot's API answers 401 with (see the reference's "Common errors"). */
const UNAUTHORIZED: Record<string, string> = {
	'Invalid Access Token': `Klivo did not accept the API access token. ${TOKEN_HELP} and paste it here.`,
	'You are not authorized to access this account': `The token's user is not a member of this account. Check the Account ID (${ACCOUNT_HELP}).`,
	'Access to this endpoint is not authorized for bots':
		"This is an agent bot's token. Set Token Type to 'Agent bot' (Klivo then lets the node only send messages and update conversations), or paste a user's access token.",
	'Account is suspended': 'This Klivo account is suspended. Contact your Klivo administrator.',
	'You are not authorized to do this action':
		"The token's user may not read this account's labels (a custom role?). Use the access token of an agent or administrator of this account.",
};

interface Probe {
	status: number;
	contentType: string;
	text: string;
	location: string | null;
	retryAfter: string | null;
}

function fail(message: string): INodeCredentialTestResult {
	return { status: 'Error', message };
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function errorField(body: unknown): string | undefined {
	if (typeof body !== 'object' || body === null) return undefined;
	const error = (body as { error?: unknown }).error;
	return typeof error === 'string' ? error : undefined;
}

function looksLikeWebPage(probe: Probe): boolean {
	return /html/i.test(probe.contentType) || /^\s*</.test(probe.text);
}

/** Explains any answer that is not a 2xx JSON document; undefined means the credential works. */
export function explainProbe(probe: Probe, where: { baseUrl: string; accountId: string }): string | undefined {
	const { status } = probe;
	const body = parseJson(probe.text);
	if (status >= 200 && status < 300) {
		if (typeof body === 'object' && body !== null && !looksLikeWebPage(probe)) return undefined;
		return `The Base URL answered with a web page, not Klivo's API. ${BASE_URL_HELP}`;
	}
	if (status >= 300 && status < 400) {
		const target = probe.location ? ` to ${probe.location}` : '';
		return `The Base URL redirects${target} (HTTP ${status}). Use the address Klivo's API answers at as the Base URL.`;
	}
	if (status === 401) {
		const known = UNAUTHORIZED[errorField(body) ?? ''];
		if (known) return known;
		return `Klivo did not accept the API access token for this account (HTTP 401). ${TOKEN_HELP}, paste it here, and check the Account ID.`;
	}
	if (status === 404) {
		return `Klivo has no account ${where.accountId} at ${where.baseUrl} (HTTP 404). Check the Account ID (${ACCOUNT_HELP}) and the Base URL.`;
	}
	if (status === 429) {
		const seconds = Number(probe.retryAfter);
		const wait = Number.isFinite(seconds) && seconds > 0 ? `Wait ${Math.ceil(seconds)} seconds` : 'Wait a minute';
		return `Klivo is limiting the rate of requests (HTTP 429). ${wait} and test again.`;
	}
	if (status >= 500) {
		return `Klivo's server failed to answer (HTTP ${status}). Try again in a few minutes; if it keeps failing, check the Base URL.`;
	}
	if (status === 403) {
		return `The Base URL refused the request (HTTP 403): a firewall or proxy in front of Klivo may be blocking n8n. ${BASE_URL_HELP}`;
	}
	return `Klivo answered HTTP ${status} instead of the account's data. Check the Base URL and the Account ID.`;
}

/** Node's fetch wraps the socket's error in `cause`; a timeout is an AbortSignal's TimeoutError. */
export function explainNetworkFailure(error: unknown, baseUrl: string, timeoutSeconds: number): string {
	const name = (error as { name?: unknown })?.name;
	if (name === 'TimeoutError' || name === 'AbortError') {
		return `Klivo did not answer within ${timeoutSeconds} seconds. Check the Base URL, or raise the timeout.`;
	}
	const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
	const code = typeof cause?.code === 'string' ? cause.code : '';
	const host = safeHost(baseUrl);
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The host ${host} was not found. Check the Base URL.`;
	if (code === 'ECONNREFUSED') return `${host} refused the connection. Check the Base URL (and its port).`;
	if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
		return `${host} closed the connection before answering. Try again; if it keeps failing, check the Base URL.`;
	}
	if (/CERT|SSL|TLS|EPROTO/i.test(code)) {
		return `The secure connection to ${host} failed (${code}). Check the Base URL's scheme (https:// or http://) and the server's certificate.`;
	}
	return `Could not reach ${host}${code ? ` (${code})` : ''}. Check the Base URL.`;
}

function isWebAddress(baseUrl: string): boolean {
	try {
		return new URL(baseUrl).hostname !== '';
	} catch {
		return false;
	}
}

function safeHost(baseUrl: string): string {
	try {
		return new URL(baseUrl).host;
	} catch {
		return baseUrl;
	}
}

export async function klivoApiCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const baseUrl = normalizeBaseUrl(String(data.baseUrl ?? ''));
	const accountId = String(data.accountId ?? '').trim();
	const token = String(data.accessToken ?? '').trim();
	const timeoutSeconds = Number(data.timeout) > 0 ? Number(data.timeout) : DEFAULT_TIMEOUT_SECONDS;

	if (!isWebAddress(baseUrl)) return fail(`The Base URL is not a web address. ${BASE_URL_HELP}`);
	if (!accountId) return fail(`Enter the Account ID (${ACCOUNT_HELP}).`);
	if (!token) return fail(`Enter the API access token. ${TOKEN_HELP}.`);

	const accountUrl = `${baseUrl}/api/v1/accounts/${encodeURIComponent(accountId)}`;
	const where = { baseUrl, accountId };
	const send = async (path: string, init: { method: 'GET' | 'POST'; body?: string }): Promise<Probe | string> => {
		try {
			const response = await fetch(`${accountUrl}${path}`, {
				method: init.method,
				headers: {
					api_access_token: token,
					Accept: 'application/json',
					...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
				},
				body: init.body,
				redirect: 'manual',
				signal: AbortSignal.timeout(timeoutSeconds * 1000),
			});
			return {
				status: response.status,
				contentType: response.headers.get('content-type') ?? '',
				text: await response.text(),
				location: response.headers.get('location'),
				retryAfter: response.headers.get('retry-after'),
			};
		} catch (error) {
			return explainNetworkFailure(error, baseUrl, timeoutSeconds);
		}
	};

	const labels = await send('/labels', { method: 'GET' });
	if (typeof labels === 'string') return fail(labels);
	if (data.tokenType !== 'agentBot') {
		const problem = explainProbe(labels, where);
		return problem ? fail(problem) : { status: 'OK', message: 'Connection successful!' };
	}

	const problem = explainBotIdentity(labels, where);
	if (problem) return fail(problem);
	const typing = await send('/conversations/0/toggle_typing_status', { method: 'POST', body: '{"typing_status":"off"}' });
	if (typeof typing === 'string') return fail(typing);
	const accountProblem = explainBotAccount(typing, where);
	return accountProblem ? fail(accountProblem) : { status: 'OK', message: 'Connection successful!' };
}

/** The first answer for a token declared as a bot's: only the bots' own 401 means it is one. */
export function explainBotIdentity(probe: Probe, where: { baseUrl: string; accountId: string }): string | undefined {
	const error = errorField(parseJson(probe.text));
	if (probe.status === 401 && error === BOT_REFUSED) return undefined;
	if (probe.status >= 200 && probe.status < 300 && explainProbe(probe, where) === undefined) {
		return "This is a user's token (an administrator's or agent's), not an agent bot's. Set Token Type to 'User (administrator or agent)', or paste the bot's token: " +
			`${BOT_TOKEN_HELP}.`;
	}
	if (probe.status === 401 && (error === 'Invalid Access Token' || error === undefined)) {
		return `Klivo did not accept the token as an agent bot's token. ${BOT_TOKEN_HELP} and paste it here.`;
	}
	if (probe.status === 401 && error === 'You are not authorized to access this account') {
		// A user's token that is valid but not a member of the account: still not a bot's.
		return `This is a user's token, not an agent bot's, and its user is not a member of this account. ${BOT_TOKEN_HELP} and paste it here.`;
	}
	return explainProbe(probe, where) ?? `Klivo answered HTTP ${probe.status} instead of refusing the bot. Check the Base URL.`;
}

/** The second answer: a bot-allowed request on conversation 0, which exists in no account. */
export function explainBotAccount(probe: Probe, where: { baseUrl: string; accountId: string }): string | undefined {
	const error = errorField(parseJson(probe.text));
	if (probe.status === 404 && error === 'Resource could not be found') return undefined;
	if (probe.status === 401 && error === 'You are not authorized to access this account') {
		return `The agent bot is not connected to account ${where.accountId}. Check the Account ID (${ACCOUNT_HELP}), or connect the bot to an inbox of this account.`;
	}
	if (probe.status >= 200 && probe.status < 300) return undefined;
	return explainProbe(probe, where);
}
