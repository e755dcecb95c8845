import { createHmac, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/** Deliveries older or newer than this are treated as replays (Chatwoot signs the timestamp). */
export const REPLAY_WINDOW_SECONDS = 300;
const SEEN_LIMIT = 10_000;

/**
 * `repeated`: the signature is genuine and its content was accepted before under another delivery id
 * (or none). Not run again, but not a forgery either: Klivo resending an event it thinks was lost, or
 * two identical events in one second, must not count as failed deliveries (3 disable the webhook).
 */
export type VerifyResult = { ok: true } | { ok: false; reason: string; repeated?: true };

function header(headers: IDataObject, name: string): string | undefined {
	const value = headers[name];
	if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
	return typeof value === 'string' ? value : undefined;
}

/**
 * Rails escapes `<`, `>`, `&` (and U+2028/9) when it serialises; used only when n8n did not keep the
 * raw bytes, so that the HMAC is computed over what the server actually signed.
 */
export function railsJson(body: unknown): string {
	return JSON.stringify(body)
		.replace(/</g, '\\u003c')
		.replace(/>/g, '\\u003e')
		.replace(/&/g, '\\u0026')
		.replace(/\u2028/g, '\\u2028')
		.replace(/\u2029/g, '\\u2029');
}

export function expectedSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
	const digest = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
	return `sha256=${digest}`;
}

/** Constant-time for equal lengths; a length says nothing about a secret value. */
function safeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Keys seen recently, in two generations: the current one fills up to SEEN_LIMIT, then becomes the
 * previous one and the one before it is dropped whole. The last SEEN_LIMIT keys at least are always
 * remembered, and memory stays bounded (2 × SEEN_LIMIT keys), so a flood cannot grow it. Keys older
 * than that fall outside the replay window anyway.
 */
class RecentKeys {
	private now = new Set<string>();
	private before = new Set<string>();

	has(key: string): boolean {
		return this.now.has(key) || this.before.has(key);
	}

	add(key: string): void {
		if (this.now.size >= SEEN_LIMIT) {
			this.before = this.now;
			this.now = new Set();
		}
		this.now.add(key);
	}
}

/**
 * Per webhook: the delivery ids seen, and the signed content seen (timestamp and signature). The
 * delivery id is not signed, so a captured delivery sent again under a new or no id is caught by
 * its signed content. Scopes are this n8n's own registrations, never taken from a request.
 */
interface Seen {
	ids: RecentKeys;
	signed: RecentKeys;
}
const seenByScope = new Map<string, Seen>();

/** Whether this delivery was accepted before: by its id (a replay), or only by its signed content. */
function rememberDelivery(scope: string, id: string | undefined, signed: string): 'new' | 'sameId' | 'sameContent' {
	let seen = seenByScope.get(scope);
	if (seen === undefined) {
		seen = { ids: new RecentKeys(), signed: new RecentKeys() };
		seenByScope.set(scope, seen);
	}
	if (id && seen.ids.has(id)) return 'sameId';
	if (seen.signed.has(signed)) return 'sameContent';
	if (id) seen.ids.add(id);
	seen.signed.add(signed);
	return 'new';
}

export interface SignedDelivery {
	secret: string;
	headers: IDataObject;
	rawBody: Buffer | string;
	/** Scope for the replay cache: the webhook the delivery is for. */
	scope: string;
	nowSeconds: number;
}

export function verifySignature(delivery: SignedDelivery): VerifyResult & { id?: string; timestamp?: number } {
	const signature = header(delivery.headers, 'x-chatwoot-signature');
	const timestamp = header(delivery.headers, 'x-chatwoot-timestamp');
	if (!signature) return { ok: false, reason: 'missing signature' };
	if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed timestamp' };
	// The exact text Chatwoot writes (lower-case hex), so that no other spelling of it passes.
	if (!safeEqual(signature, expectedSignature(delivery.secret, timestamp, delivery.rawBody))) {
		return { ok: false, reason: 'signature mismatch' };
	}
	const ts = Number(timestamp);
	if (Math.abs(delivery.nowSeconds - ts) > REPLAY_WINDOW_SECONDS) {
		return { ok: false, reason: `timestamp outside the ${REPLAY_WINDOW_SECONDS} s window` };
	}
	const id = header(delivery.headers, 'x-chatwoot-delivery');
	const seen = rememberDelivery(delivery.scope, id, `${timestamp}.${signature}`);
	if (seen === 'sameId') return { ok: false, reason: 'replayed delivery' };
	if (seen === 'sameContent') return { ok: false, reason: 'repeated signed content', repeated: true };
	return { ok: true, id, timestamp: ts };
}

export function verifyUrlToken(given: string | undefined, expected: readonly string[]): VerifyResult {
	if (!given) return { ok: false, reason: 'missing URL token' };
	return expected.some((token) => token !== '' && safeEqual(given, token))
		? { ok: true }
		: { ok: false, reason: 'wrong URL token' };
}
