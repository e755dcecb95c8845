import { createHmac, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/** Deliveries older or newer than this are treated as replays (Chatwoot signs the timestamp). */
export const REPLAY_WINDOW_SECONDS = 300;
const SEEN_LIMIT = 10_000;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

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

function signatureDigest(secret: string, timestamp: string, rawBody: Buffer | string): Buffer {
	return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

export function expectedSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
	return `sha256=${signatureDigest(secret, timestamp, rawBody).toString('hex')}`;
}

// Lower-case hex, as Chatwoot writes it: the header is compared as the exact text it signs.
const SIGNATURE_FORMAT = /^sha256=[0-9a-f]{64}$/;

/** Compares the digest bytes, constant-time, without building the expected hex string (hot path). */
function signatureMatches(given: string, secret: string, timestamp: string, rawBody: Buffer | string): boolean {
	if (!SIGNATURE_FORMAT.test(given)) return false;
	return timingSafeEqual(Buffer.from(given.slice(7), 'hex'), signatureDigest(secret, timestamp, rawBody));
}

function safeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Delivery ids seen recently, per webhook, in two generations: the current one fills up to
 * SEEN_LIMIT, then becomes the previous one and the one before it is dropped whole. The last
 * SEEN_LIMIT ids at least are always remembered, memory stays bounded (2 × SEEN_LIMIT per webhook,
 * so a flood cannot grow it), and no delivery pays for evicting old ids one by one. Ids older than
 * that fall outside the replay window anyway. Scopes are webhook ids of this n8n's triggers, never
 * taken from a request.
 */
interface Seen {
	now: Set<string>;
	before: Set<string>;
}
const seenByScope = new Map<string, Seen>();

function rememberDelivery(scope: string, id: string): boolean {
	let seen = seenByScope.get(scope);
	if (seen === undefined) {
		seen = { now: new Set(), before: new Set() };
		seenByScope.set(scope, seen);
	}
	if (seen.now.has(id) || seen.before.has(id)) return false;
	if (seen.now.size >= SEEN_LIMIT) {
		seen.before = seen.now;
		seen.now = new Set();
	}
	seen.now.add(id);
	return true;
}

export interface SignedDelivery {
	secret: string;
	headers: IDataObject;
	rawBody: Buffer | string;
	/** Scope for the replay cache, e.g. the webhook id. */
	scope: string;
	nowSeconds: number;
}

export function verifySignature(delivery: SignedDelivery): VerifyResult & { id?: string; timestamp?: number } {
	const signature = header(delivery.headers, 'x-chatwoot-signature');
	const timestamp = header(delivery.headers, 'x-chatwoot-timestamp');
	if (!signature) return { ok: false, reason: 'missing signature' };
	if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed timestamp' };
	if (!signatureMatches(signature, delivery.secret, timestamp, delivery.rawBody)) {
		return { ok: false, reason: 'signature mismatch' };
	}
	const ts = Number(timestamp);
	if (Math.abs(delivery.nowSeconds - ts) > REPLAY_WINDOW_SECONDS) {
		return { ok: false, reason: `timestamp outside the ${REPLAY_WINDOW_SECONDS} s window` };
	}
	const id = header(delivery.headers, 'x-chatwoot-delivery');
	if (id && !rememberDelivery(delivery.scope, id)) {
		return { ok: false, reason: 'replayed delivery' };
	}
	return { ok: true, id, timestamp: ts };
}

export function verifyUrlToken(given: string | undefined, expected: readonly string[]): VerifyResult {
	if (!given) return { ok: false, reason: 'missing URL token' };
	return expected.some((token) => token !== '' && safeEqual(given, token))
		? { ok: true }
		: { ok: false, reason: 'wrong URL token' };
}
