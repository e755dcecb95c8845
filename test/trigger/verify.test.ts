/**
 * Who may start the workflow: deliveries are trusted by their Chatwoot signature where the server
 * gave the webhook a secret, else by the token in the registered URL (Klivo's documented API signs
 * nothing). Everything else is refused with 401 through the response object, and no execution.
 */
import { randomUUID } from 'crypto';

import { deriveUrlToken } from '../../nodes/Klivo/shared/webhookUrl';
import { expectedSignature, railsJson, REPLAY_WINDOW_SECONDS, verifySignature } from '../../nodes/Klivo/trigger/verify';
import {
	ACCOUNT,
	ADMIN_TOKEN,
	REGISTRATION,
	STATIC_KEY,
	callWebhook,
	deliveryRequest,
	expectEmitted,
	fixture,
	makeTrigger,
	nowSeconds,
	newlyRegisteredTrigger,
	payload,
	refusalOf,
	registeredTrigger,
	signatureHeaders,
	sign,
	type Trigger,
	type WebhookRequest,
} from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { changeOneCharacter } = require('../helpers/forgery.js');

afterEach(() => jest.restoreAllMocks());

const VECTOR = {
	secret: 'n8nDemoSecret9Xq2Lm4Pz7Kw',
	timestamp: 1779973332,
	signature: 'sha256=e8e9b2de6713a9bbcf4a8839f58fa79972c820da1d420fdcf97502d1360933a5',
};

let registrations = 0;

/** A trigger holding the secret of a Chatwoot 4.12+ server, each under a webhook (and replay cache) of its own. */
function signingTrigger(secret = REGISTRATION.secret): Trigger {
	registrations += 1;
	return makeTrigger('http://127.0.0.1:9', { staticData: { [STATIC_KEY]: { webhookId: 5000 + registrations, secret } } });
}

/** A delivery of these bytes signed with the trigger's secret; `headers` replace (or, if undefined, remove) some. */
function signed(raw: Buffer | string, headers: Record<string, string | undefined> = {}): WebhookRequest {
	const base = signatureHeaders(REGISTRATION.secret, raw);
	for (const [key, value] of Object.entries(headers)) {
		if (value === undefined) delete base[key];
		else base[key] = value;
	}
	return { body: JSON.parse(raw.toString()), rawBody: raw, headers: base, query: {} };
}

describe('signatures (Chatwoot 4.12+)', () => {
	test('the reference test vector: our HMAC matches the expected value over the exact bytes', () => {
		const { raw } = fixture('signature-vector.body');
		expect(expectedSignature(VECTOR.secret, String(VECTOR.timestamp), raw)).toBe(VECTOR.signature);
		// ...and so does the simulator's, so that simulator deliveries prove the same thing.
		expect(sign(VECTOR.secret, VECTOR.timestamp, raw)).toBe(VECTOR.signature);
	});

	test('the reference test vector is accepted by webhook() (at its own time) and emitted', async () => {
		const vector = fixture('signature-vector.body');
		jest.spyOn(Date, 'now').mockReturnValue((VECTOR.timestamp + 5) * 1000);
		const trigger = signingTrigger(VECTOR.secret);
		const deliveryId = randomUUID();

		const outcome = await callWebhook(trigger, {
			body: vector.body,
			rawBody: vector.raw,
			headers: {
				'x-chatwoot-signature': VECTOR.signature,
				'x-chatwoot-timestamp': String(VECTOR.timestamp),
				'x-chatwoot-delivery': deliveryId,
			},
		});

		const item = expectEmitted(outcome);
		expect(item.klivo).toMatchObject({
			event: 'message_created',
			delivery: { id: deliveryId, timestamp: VECTOR.timestamp, signatureVerified: true, verifiedBy: 'signature' },
		});
	});

	test('a body with Rails escapes (\\u003c, \\u0026) verifies over its raw bytes; re-serialising would not match', async () => {
		const body = payload('message_created.incoming', { content: 'Preço <b>Pro</b> & <i>Max</i>' });
		const raw = Buffer.from(railsJson(body));
		expect(raw.toString()).toContain('\\u003cb\\u003ePro\\u003c/b\\u003e \\u0026 ');
		const timestamp = String(nowSeconds());
		// Proof that the raw bytes matter: JSON.stringify of the parsed body is other bytes, other HMAC.
		const reserialised = JSON.stringify(JSON.parse(raw.toString()));
		expect(reserialised).not.toBe(raw.toString());
		expect(sign(REGISTRATION.secret, timestamp, reserialised)).not.toBe(sign(REGISTRATION.secret, timestamp, raw));
		const trigger = signingTrigger();

		const outcome = await callWebhook(trigger, signed(raw, { 'x-chatwoot-timestamp': timestamp }));

		expect(expectEmitted(outcome).klivo).toMatchObject({ messageText: 'Preço <b>Pro</b> & <i>Max</i>' });
	});

	test('the node verifies the raw bytes it was given, not a re-serialisation of the body', async () => {
		const body = payload('message_created.incoming', { content: 'a < b && c > d' });
		const railsBytes = railsJson(body);
		const trigger = signingTrigger();
		// Signed over what Rails sent, but n8n handed over JSON.stringify's bytes: they differ, so refuse.
		const request = signed(railsBytes);
		request.rawBody = Buffer.from(JSON.stringify(body));

		expect(await refusalOf(trigger, request)).toMatch(/HTTP 401\): signature mismatch/);
	});

	test('without raw bytes from n8n, the body is re-serialised the way Rails does it, so the signature still verifies', async () => {
		const body = payload('message_created.incoming', { content: '<script>&amp;' });
		const request = signed(railsJson(body));
		delete request.rawBody;

		expectEmitted(await callWebhook(signingTrigger(), request));
	});

	test.each<[string, Record<string, string | undefined>, RegExp]>([
		['a forged signature', { 'x-chatwoot-signature': `sha256=${'ab'.repeat(32)}` }, /signature mismatch/],
		['a signature without the sha256= prefix', { 'x-chatwoot-signature': 'ab'.repeat(32) }, /signature mismatch/],
		['no signature header', { 'x-chatwoot-signature': undefined }, /missing signature/],
		['no timestamp header', { 'x-chatwoot-timestamp': undefined }, /missing or malformed timestamp/],
		['a timestamp that is not a number', { 'x-chatwoot-timestamp': 'yesterday' }, /missing or malformed timestamp/],
	])('%s → 401, no execution', async (_name, headers, reason) => {
		const raw = fixture('message_created.incoming').raw;

		expect(await refusalOf(signingTrigger(), signed(raw, headers))).toMatch(reason);
	});

	test('a signature made with another secret → 401', async () => {
		const raw = fixture('message_created.incoming').raw;
		const timestamp = String(nowSeconds());
		const request = signed(raw, { 'x-chatwoot-timestamp': timestamp, 'x-chatwoot-signature': sign('another-secret', timestamp, raw) });

		expect(await refusalOf(signingTrigger(), request)).toMatch(/HTTP 401\): signature mismatch/);
	});

	test('a signature over another timestamp than the one sent → 401', async () => {
		const raw = fixture('message_created.incoming').raw;
		const request = signed(raw, { 'x-chatwoot-timestamp': String(nowSeconds() - 10) });

		expect(await refusalOf(signingTrigger(), request)).toMatch(/HTTP 401\): signature mismatch/);
	});

	test('a tampered body (signature of the original) → 401', async () => {
		const original = fixture('message_created.incoming').raw;
		const request = signed(original);
		const tampered = Buffer.from(original.toString().replace('Quero saber', 'Quero cancelar'));
		request.rawBody = tampered;
		request.body = JSON.parse(tampered.toString());

		expect(await refusalOf(signingTrigger(), request)).toMatch(/HTTP 401\): signature mismatch/);
	});

	test.each([
		['stale', -(REPLAY_WINDOW_SECONDS + 1)],
		['far in the future', REPLAY_WINDOW_SECONDS + 60],
	])('a correctly signed delivery with a timestamp %s (> 300 s off) → 401', async (_name, offset) => {
		const raw = fixture('message_created.incoming').raw;
		const request = { ...signed(raw), headers: signatureHeaders(REGISTRATION.secret, raw, { timestamp: nowSeconds() + offset }) };

		expect(await refusalOf(signingTrigger(), request)).toMatch(/HTTP 401\): timestamp outside the 300 s window/);
	});

	test('a timestamp just inside the window is accepted', async () => {
		const raw = fixture('message_created.incoming').raw;
		const request = { ...signed(raw), headers: signatureHeaders(REGISTRATION.secret, raw, { timestamp: nowSeconds() - 250 }) };

		expectEmitted(await callWebhook(signingTrigger(), request));
	});

	test('a replayed delivery (same X-Chatwoot-Delivery) → 401 the second time', async () => {
		const request = signed(fixture('message_created.incoming').raw);
		const trigger = signingTrigger();

		expectEmitted(await callWebhook(trigger, request));
		expect(await refusalOf(trigger, request)).toMatch(/HTTP 401\): replayed delivery/);
	});

	// The delivery id is not signed: a captured delivery sent again under another id, or none, is the
	// same signed content (timestamp and signature), and is not run again. It is answered 200 (ignored),
	// not 401: Klivo resending an event it thinks was lost must not count towards disabling the webhook.
	test.each<[string, string | undefined]>([
		['a new X-Chatwoot-Delivery', randomUUID()],
		['no X-Chatwoot-Delivery', undefined],
	])('a replay under %s → no execution the second time (200 ignored)', async (_name, id) => {
		const request = signed(fixture('message_created.incoming').raw);
		const trigger = signingTrigger();
		expectEmitted(await callWebhook(trigger, request));

		const headers = { ...request.headers, 'x-chatwoot-delivery': id };
		if (id === undefined) delete headers['x-chatwoot-delivery'];

		const again = await callWebhook(trigger, { ...request, headers });
		expect(again.result.workflowData).toBeUndefined();
		expect(again.result.webhookResponse).toEqual({ received: true, ignored: expect.stringMatching(/^repeated delivery/) });
	});

	test('the same content signed at two different times is two deliveries: both accepted', async () => {
		const raw = fixture('message_created.incoming').raw;
		const trigger = signingTrigger();

		const at = (timestamp: number) => ({ ...signed(raw), headers: signatureHeaders(REGISTRATION.secret, raw, { timestamp }) });

		expectEmitted(await callWebhook(trigger, at(nowSeconds() - 1)));
		expectEmitted(await callWebhook(trigger, at(nowSeconds())));
	});

	describe('the replay cache', () => {
		const ts = String(nowSeconds());
		/** Each delivery's own bytes (Klivo's payloads always differ); `raw` to send the same content again. */
		const bodyOf = (name: string) => Buffer.from(`{"event":"message_created","id":"${name}"}`);
		const check = (scope: string, id: string | undefined, raw = bodyOf(id ?? 'no id')) =>
			verifySignature({
				secret: 's3cret',
				headers: { ...(id === undefined ? {} : { 'x-chatwoot-delivery': id }), 'x-chatwoot-timestamp': ts, 'x-chatwoot-signature': expectedSignature('s3cret', ts, raw) },
				rawBody: raw,
				scope,
				nowSeconds: Number(ts),
			});

		test('a replay is still caught after 15,000 other deliveries to the same webhook', () => {
			const scope = `cache-${randomUUID()}`;
			expect(check(scope, 'first').ok).toBe(true);
			for (let i = 0; i < 15_000; i++) expect(check(scope, `other-${i}`).ok).toBe(true);
			expect(check(scope, 'first')).toEqual({ ok: false, reason: 'replayed delivery' });
			expect(check(scope, 'first, under another id', bodyOf('first'))).toEqual({ ok: false, reason: 'repeated signed content', repeated: true });
		});

		test('memory is bounded: a delivery is forgotten after two full generations (20,000 newer ones)', () => {
			const scope = `cache-${randomUUID()}`;
			expect(check(scope, 'old').ok).toBe(true);
			for (let i = 0; i < 20_001; i++) check(scope, `newer-${i}`);
			// Far outside any real burst within the 300 s window; the timestamp check still bounds true replays.
			expect(check(scope, 'old').ok).toBe(true);
		});

		test('memory is bounded for deliveries without an id too', () => {
			const scope = `cache-${randomUUID()}`;
			expect(check(scope, undefined, bodyOf('old')).ok).toBe(true);
			expect(check(scope, undefined, bodyOf('old')).ok).toBe(false);
			for (let i = 0; i < 20_001; i++) check(scope, undefined, bodyOf(`newer-${i}`));
			expect(check(scope, undefined, bodyOf('old')).ok).toBe(true);
		});

		test('the same delivery id at two different webhooks is not a replay', () => {
			const id = randomUUID();
			expect(check(`a-${id}`, id).ok).toBe(true);
			expect(check(`b-${id}`, id).ok).toBe(true);
			expect(check(`a-${id}`, id).ok).toBe(false);
		});

		test('the same signed content at two different webhooks is not a replay', () => {
			const scope = randomUUID();
			const raw = bodyOf(scope);
			expect(check(`a-${scope}`, randomUUID(), raw).ok).toBe(true);
			expect(check(`b-${scope}`, randomUUID(), raw).ok).toBe(true);
			expect(check(`a-${scope}`, randomUUID(), raw).ok).toBe(false);
		});

		test('only the exact lower-case hex text is accepted: not upper case, nor a wrong length or prefix', () => {
			const raw = bodyOf('case');
			const good = expectedSignature('s3cret', ts, raw);
			const upper = `sha256=${good.slice(7).toUpperCase()}`;
			expect(upper).not.toBe(good); // this digest has letters, so the case matters
			const headers = (signature: string) => ({ 'x-chatwoot-delivery': randomUUID(), 'x-chatwoot-timestamp': ts, 'x-chatwoot-signature': signature });
			const run = (signature: string) => verifySignature({ secret: 's3cret', headers: headers(signature), rawBody: raw, scope: 'case', nowSeconds: Number(ts) });
			expect(run(good).ok).toBe(true);
			expect(run(upper)).toEqual({ ok: false, reason: 'signature mismatch' });
			expect(run(good.slice(0, -2))).toEqual({ ok: false, reason: 'signature mismatch' });
			expect(run(`${good}00`)).toEqual({ ok: false, reason: 'signature mismatch' });
			expect(run(`sha1=${good.slice(7)}`)).toEqual({ ok: false, reason: 'signature mismatch' });
		});
	});

	test('with a secret, the URL token alone is not enough (an unsigned request is refused)', async () => {
		const trigger = newlyRegisteredTrigger('chatwoot');
		const request = deliveryRequest('chatwoot', fixture('message_created.incoming'));
		request.headers = { 'content-type': 'application/json' };

		expect(await refusalOf(trigger, request)).toMatch(/HTTP 401\): missing signature/);
	});

	test('a refused delivery never shows the secret', async () => {
		const outcome = await callWebhook(
			signingTrigger(),
			signed(fixture('message_created.incoming').raw, { 'x-chatwoot-signature': 'sha256=00' }),
		);

		expect(outcome.status).toBe(401);
		expect(JSON.stringify(outcome.body)).not.toContain(REGISTRATION.secret);
	});
});

describe('URL token (klivo dialect: no secret, no signature)', () => {
	const incoming = () => fixture('message_created.incoming');

	function withQuery(query: Record<string, string>): WebhookRequest {
		return { ...deliveryRequest('klivo', incoming()), query };
	}

	test('the stored token → emitted, marked as verified by URL token', async () => {
		const item = expectEmitted(await callWebhook(registeredTrigger('klivo'), withQuery({ klivo_token: REGISTRATION.urlToken })));

		expect(item.klivo).toMatchObject({ delivery: { signatureVerified: false, verifiedBy: 'urlToken' } });
	});

	test('no token → 401', async () => {
		expect(await refusalOf(newlyRegisteredTrigger('klivo'), withQuery({}))).toMatch(/HTTP 401\): missing URL token/);
	});

	test.each([
		['a wrong token', 'not-the-token', /HTTP 401\): wrong URL token/],
		['a token one character off', changeOneCharacter(REGISTRATION.urlToken, { index: -1 }), /HTTP 401\): wrong URL token/],
		['an empty token', '', /HTTP 401\): missing URL token/],
	])('%s → 401', async (_name, token, reason) => {
		expect(await refusalOf(newlyRegisteredTrigger('klivo'), withQuery({ klivo_token: token }))).toMatch(reason);
	});

	test('a token derived from the credential is accepted when static data has none (restart, watchdog Ensure)', async () => {
		const trigger = makeTrigger('http://127.0.0.1:9', { staticData: {} });
		const derived = deriveUrlToken(ADMIN_TOKEN, ACCOUNT, trigger.productionUrl());

		const item = expectEmitted(await callWebhook(trigger, withQuery({ klivo_token: derived })));

		expect(item.klivo).toMatchObject({ delivery: { verifiedBy: 'urlToken' } });
	});

	// Triggers without static data are one webhook to the log's rate limit: each of these refusals is
	// made as if a minute after the previous one, so that it is logged as a warning.
	let clockShift = 0;
	function aMinuteLater(): void {
		clockShift += 61_000;
		jest.spyOn(Date, 'now').mockReturnValue(Date.now() + clockShift);
	}

	test('a token derived from another access token is refused', async () => {
		aMinuteLater();
		const trigger = makeTrigger('http://127.0.0.1:9', { staticData: {} });
		const foreign = deriveUrlToken('someone-elses-token', ACCOUNT, trigger.productionUrl());

		expect(await refusalOf(trigger, withQuery({ klivo_token: foreign }))).toMatch(/HTTP 401\): wrong URL token/);
	});

	test('with no static data and no token → 401', async () => {
		aMinuteLater();
		const trigger = makeTrigger('http://127.0.0.1:9', { staticData: {} });

		expect(await refusalOf(trigger, withQuery({}))).toMatch(/HTTP 401\): missing URL token/);
	});
});
