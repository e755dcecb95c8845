'use strict';
/**
 * Generates the forged and malformed deliveries of the reliability suite (scenario 4). Each case says
 * what it is, which check it probes, the request, and the answer the trigger (or n8n itself, for
 * bodies n8n refuses before any node runs) must give. None of them may start an execution.
 *
 *   const cases = forgedCases({ dialect, hook, other, productionUrl, fixture });
 *   // hook: the simulator's webhook of the target trigger ({ url, secret }); other: another
 *   // trigger's webhook (a token / secret that is genuine, but not this trigger's)
 */
const crypto = require('node:crypto');

const { sign, toRailsJson } = require('../../tools/simulator/server.js');
const { changeOneCharacter, differs, otherThan, HEX } = require('../helpers/forgery.js');

const MB = 1024 * 1024;

/** What a case expects: an exact status, or (for n8n's own answers) a range that is recorded. */
const EXPECT = {
	unauthorized: { status: 401, label: '401 refused (authentication)' },
	badRequest: { status: 400, label: '400 refused (malformed)' },
	unsupported: { status: 415, label: '415 refused (not JSON)' },
	ignored: { status: 200, ignored: true, label: '200 ignored (no execution)' },
	n8nInvalidJson: { range: [400, 499], label: "4xx from n8n's body parser (invalid JSON)" },
	n8nTooLarge: { range: [400, 599], label: "n8n's answer to a body over its 16 MB limit" },
};

function nowSeconds() {
	return Math.floor(Date.now() / 1000);
}

function withQuery(url, mutate) {
	const u = new URL(url);
	mutate(u.searchParams);
	return u.toString();
}

function deepObject(depth) {
	return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function deepArray(depth) {
	return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/**
 * @param {object} o
 * @param {'klivo'|'chatwoot'} o.dialect
 * @param {{url: string, secret: string}} o.hook   the target trigger's webhook as the simulator holds it
 * @param {{url: string, secret: string}} o.other  another trigger's webhook (genuine elsewhere)
 * @param {string} o.productionUrl                  the target's URL without any token
 * @param {(name: string) => object} o.fixture      a payload fixture by name
 */
function forgedCases({ dialect, hook, other, productionUrl, fixture }) {
	const cases = [];
	const signed = dialect === 'chatwoot';
	const incoming = fixture('message_created.incoming');
	const conversation = fixture('conversation_created');

	/** Headers Klivo would send for these bytes (a valid signature where the dialect signs). */
	const genuineHeaders = (raw, extra = {}) => {
		const headers = { 'content-type': 'application/json', 'user-agent': 'Klivo-Webhook/1.0' };
		if (signed) {
			const ts = String(nowSeconds());
			headers['x-chatwoot-delivery'] = crypto.randomUUID();
			headers['x-chatwoot-timestamp'] = ts;
			headers['x-chatwoot-signature'] = sign(hook.secret, ts, raw);
		}
		return { ...headers, ...extra };
	};
	/** Authenticated as Klivo (URL token and, where the dialect signs, the signature): only the body is wrong. */
	const authentic = (category, name, raw, expect, extraHeaders = {}) =>
		cases.push({ category, name, url: hook.url, raw, headers: () => genuineHeaders(raw, extraHeaders), expect });
	const forged = (category, name, url, raw, headers) =>
		cases.push({ category, name, url, raw, headers: () => ({ 'content-type': 'application/json', ...headers() }), expect: EXPECT.unauthorized });

	const bodies = [
		['incoming message', toRailsJson({ ...incoming, content: 'forged' })],
		['new conversation', toRailsJson(conversation)],
		['contact', toRailsJson(fixture('contact_created'))],
		['status change', toRailsJson(fixture('conversation_status_changed.resolved'))],
	];

	// ---- authentication --------------------------------------------------------------------------
	if (!signed) {
		const token = new URL(hook.url).searchParams.get('klivo_token');
		const otherToken = new URL(other.url).searchParams.get('klivo_token');
		for (const [what, raw] of bodies) {
			forged('wrong or missing URL token', `no token, ${what}`, productionUrl, raw, () => ({}));
			forged('wrong or missing URL token', `random token, ${what}`, withQuery(productionUrl, (q) => q.set('klivo_token', otherThan(token, () => crypto.randomBytes(24).toString('base64url').slice(0, 32)))), raw, () => ({}));
			forged('wrong or missing URL token', `another trigger's genuine token, ${what}`, withQuery(productionUrl, (q) => q.set('klivo_token', differs(token, otherToken))), raw, () => ({}));
			forged('wrong or missing URL token', `token with one character changed, ${what}`, withQuery(productionUrl, (q) => q.set('klivo_token', changeOneCharacter(token))), raw, () => ({}));
			forged('wrong or missing URL token', `token cut short, ${what}`, withQuery(productionUrl, (q) => q.set('klivo_token', differs(token, token.slice(0, 16)))), raw, () => ({}));
			forged('wrong or missing URL token', `token with a character added, ${what}`, withQuery(productionUrl, (q) => q.set('klivo_token', `${token}x`)), raw, () => ({}));
			forged('wrong or missing URL token', `empty token, ${what}`, withQuery(productionUrl, (q) => q.set('klivo_token', '')), raw, () => ({}));
			forged('wrong or missing URL token', `token twice, ${what}`, withQuery(productionUrl, (q) => { q.append('klivo_token', token); q.append('klivo_token', token); }), raw, () => ({}));
			forged('wrong or missing URL token', `token in a header instead of the URL, ${what}`, productionUrl, raw, () => ({ 'x-klivo-token': token, klivo_token: token }));
			forged('wrong or missing URL token', `Chatwoot signature headers but no token, ${what}`, productionUrl, raw, () => {
				const ts = String(nowSeconds());
				return { 'x-chatwoot-timestamp': ts, 'x-chatwoot-delivery': crypto.randomUUID(), 'x-chatwoot-signature': sign('guessed-secret', ts, raw) };
			});
		}
	} else {
		for (const [what, raw] of bodies) {
			const at = (ts, secret = hook.secret, body = raw) => ({ 'x-chatwoot-timestamp': String(ts), 'x-chatwoot-delivery': crypto.randomUUID(), 'x-chatwoot-signature': sign(secret, ts, body) });
			forged('wrong or missing signature', `no signature headers, ${what}`, hook.url, raw, () => ({}));
			forged('wrong or missing signature', `signature without timestamp, ${what}`, hook.url, raw, () => {
				const h = at(nowSeconds());
				delete h['x-chatwoot-timestamp'];
				return h;
			});
			forged('wrong or missing signature', `signed with a guessed secret, ${what}`, hook.url, raw, () => at(nowSeconds(), otherThan(hook.secret, () => crypto.randomBytes(18).toString('base64url'))));
			forged('wrong or missing signature', `signed with another webhook's genuine secret, ${what}`, hook.url, raw, () => at(nowSeconds(), differs(hook.secret, other.secret)));
			forged('wrong or missing signature', `signature of another body, ${what}`, hook.url, raw, () => at(nowSeconds(), hook.secret, `${raw} `));
			forged('wrong or missing signature', `signature of another timestamp, ${what}`, hook.url, raw, () => {
				const h = at(nowSeconds());
				h['x-chatwoot-timestamp'] = String(Number(h['x-chatwoot-timestamp']) - 1);
				return h;
			});
			forged('wrong or missing signature', `signature hex in capitals, ${what}`, hook.url, raw, () => {
				// A hex digest without a letter has no capitals: sign a second earlier until it has one.
				let h = at(nowSeconds());
				for (let back = 1; !/[a-f]/.test(h['x-chatwoot-signature'].slice(7)); back++) h = at(nowSeconds() - back);
				h['x-chatwoot-signature'] = differs(h['x-chatwoot-signature'], `sha256=${h['x-chatwoot-signature'].slice(7).toUpperCase()}`);
				return h;
			});
			forged('wrong or missing signature', `signature with one hex digit changed, ${what}`, hook.url, raw, () => {
				const h = at(nowSeconds());
				h['x-chatwoot-signature'] = `sha256=${changeOneCharacter(h['x-chatwoot-signature'].slice(7), { index: -1, alphabet: HEX })}`;
				return h;
			});
			forged('wrong or missing signature', `signature without 'sha256=', ${what}`, hook.url, raw, () => {
				const h = at(nowSeconds());
				h['x-chatwoot-signature'] = h['x-chatwoot-signature'].slice(7);
				return h;
			});
			forged('wrong or missing signature', `signature cut short, ${what}`, hook.url, raw, () => {
				const h = at(nowSeconds());
				h['x-chatwoot-signature'] = differs(h['x-chatwoot-signature'], h['x-chatwoot-signature'].slice(0, 40));
				return h;
			});
			forged('old or malformed timestamp', `genuine signature, timestamp 6 minutes old, ${what}`, hook.url, raw, () => at(nowSeconds() - 360));
			forged('old or malformed timestamp', `genuine signature, timestamp of 2023, ${what}`, hook.url, raw, () => at(1700000000));
			forged('old or malformed timestamp', `genuine signature, timestamp 6 minutes ahead, ${what}`, hook.url, raw, () => at(nowSeconds() + 360));
			forged('old or malformed timestamp', `timestamp not a number, ${what}`, hook.url, raw, () => ({ ...at(nowSeconds()), 'x-chatwoot-timestamp': 'yesterday' }));
			forged('old or malformed timestamp', `timestamp in milliseconds, ${what}`, hook.url, raw, () => {
				const ms = Date.now();
				return { 'x-chatwoot-timestamp': String(ms), 'x-chatwoot-delivery': crypto.randomUUID(), 'x-chatwoot-signature': sign(hook.secret, ms, raw) };
			});
		}
	}

	// ---- bodies that are not JSON ------------------------------------------------------------------
	const invalidJson = [
		['truncated JSON', '{"event": "message_created", "content": "Oi'],
		['trailing comma', '{"event": "message_created",}'],
		['single quotes', "{'event': 'message_created'}"],
		['NaN value', '{"event": "message_created", "id": NaN}'],
		['bare word', 'message_created'],
		['two JSON documents', '{"event":"message_created"}{"event":"message_created"}'],
		['binary garbage', String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))],
		['JSON with a byte-order mark and garbage', '\ufeff{"event": }'],
	];
	for (const [name, raw] of invalidJson) authentic('invalid JSON', name, raw, EXPECT.n8nInvalidJson);
	authentic('empty body', 'empty body', '', EXPECT.badRequest);
	authentic('empty body', 'whitespace only', '   \n', EXPECT.n8nInvalidJson);

	const contentTypes = [
		['text/plain', toRailsJson(incoming)],
		['application/x-www-form-urlencoded', 'event=conversation_created&id=5'],
		['application/xml', '<event>conversation_created</event>'],
		['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="event"\r\n\r\nconversation_created\r\n--x--\r\n'],
		['text/html', '<p>conversation_created</p>'],
		['application/octet-stream', toRailsJson(conversation)],
	];
	for (const [type, raw] of contentTypes) {
		// Refused as not JSON in both dialects; where n8n keeps no raw bytes (multipart, and for version
		// 1.1 nodes HTML and binary bodies it does not parse) before the signature is even looked at.
		authentic('wrong content type', `Content-Type ${type}`, raw, EXPECT.unsupported, { 'content-type': type });
	}

	// ---- JSON of the wrong shape ------------------------------------------------------------------
	for (const [name, value] of [
		['an array', [{ event: 'message_created' }]],
		['a string', 'message_created'],
		['a number', 42],
		['null', null],
		['true', true],
	]) {
		authentic('not a JSON object', `body is ${name}`, JSON.stringify(value), EXPECT.badRequest);
	}
	for (const [name, value] of [
		['no event', { ...incoming, event: undefined }],
		['event is a number', { ...incoming, event: 7 }],
		['event is a list', { ...incoming, event: ['message_created'] }],
		['event is an object', { ...incoming, event: { name: 'message_created' } }],
		['event is null', { ...incoming, event: null }],
		['event is empty', { ...incoming, event: '' }],
	]) {
		authentic('missing or mistyped event', name, toRailsJson(value), EXPECT.badRequest);
	}
	for (const event of ['account_deleted', 'message_deleted', 'MESSAGE_CREATED', ' message_created', 'message_created\u0000', 'conversation.created', 'x'.repeat(10000), '__proto__', 'constructor']) {
		authentic('unknown event', `event ${JSON.stringify(event.length > 40 ? `${event.slice(0, 12)}… (${event.length} chars)` : event)}`, toRailsJson({ ...incoming, event }), EXPECT.ignored);
	}
	for (const name of ['contact_created', 'contact_updated', 'conversation_updated.assignee_changed']) {
		authentic('event not selected', `${name.split('.')[0]} (not selected)`, toRailsJson(fixture(name)), EXPECT.ignored);
	}

	const without = (payload, ...keys) => Object.fromEntries(Object.entries(payload).filter(([k]) => !keys.includes(k)));
	for (const [name, value] of [
		['message without id', without(incoming, 'id')],
		['message without conversation', without(incoming, 'conversation')],
		['message with only an event', { event: 'message_created' }],
		['message with only event and id', { event: 'message_created', id: 9 }],
		['conversation without id', without(conversation, 'id')],
		['conversation with only an event', { event: 'conversation_created' }],
	]) {
		authentic('missing fields', name, toRailsJson(value), EXPECT.badRequest);
	}
	for (const [name, value] of [
		['message id is text', { ...incoming, id: 'abc' }],
		['message id is negative', { ...incoming, id: -1 }],
		['message id is a fraction', { ...incoming, id: 1.5 }],
		['message id is an object', { ...incoming, id: { $gt: 0 } }],
		['conversation is text', { ...incoming, conversation: 'c-1287' }],
		['conversation is a list', { ...incoming, conversation: [] }],
		['content is a number', { ...incoming, content: 42 }],
		['content is an object', { ...incoming, content: { text: 'hi' } }],
		['message_type is an object', { ...incoming, message_type: { type: 'incoming' } }],
		['private is text', { ...incoming, private: 'no' }],
		['sender is text', { ...incoming, sender: 'Maria' }],
		['inbox is a number', { ...incoming, inbox: 12 }],
		['account is a list', { ...incoming, account: [7] }],
		['conversation id is text', { ...conversation, id: 'x' }],
		['conversation status is a number', { ...conversation, status: 1 }],
		['conversation messages is an object', { ...conversation, messages: {} }],
		['conversation meta is text', { ...conversation, meta: 'm' }],
		['changed_attributes is text', { ...conversation, changed_attributes: 'status' }],
		['inbox_id is text', { ...conversation, inbox_id: 'twelve' }],
	]) {
		authentic('wrong types', name, toRailsJson(value), EXPECT.badRequest);
	}

	// ---- size and depth ---------------------------------------------------------------------------
	const pad = 'x'.repeat(5 * MB);
	cases.push({ category: '5 MB body', name: '5 MB, forged (no token / no signature)', url: productionUrl, raw: toRailsJson({ ...incoming, content: pad }), headers: () => ({ 'content-type': 'application/json' }), expect: EXPECT.unauthorized });
	authentic('5 MB body', '5 MB, no event', JSON.stringify({ pad }), EXPECT.badRequest);
	authentic('5 MB body', '5 MB, unknown event', JSON.stringify({ event: 'bulk_import', pad }), EXPECT.ignored);
	authentic('5 MB body', '5 MB, message without id', JSON.stringify({ event: 'message_created', content: pad }), EXPECT.badRequest);
	authentic('5 MB body', '5 MB of invalid JSON', `{"event":"message_created","pad":"${pad}`, EXPECT.n8nInvalidJson);
	authentic('5 MB body', '5 MB, text/plain', JSON.stringify({ ...incoming, content: pad }), EXPECT.unsupported, { 'content-type': 'text/plain' });
	authentic('over n8n\'s limit', '17 MB, unknown event', JSON.stringify({ event: 'bulk_import', pad: 'y'.repeat(17 * MB) }), EXPECT.n8nTooLarge);

	cases.push({ category: 'deeply nested JSON', name: 'nesting 10,000 deep, forged', url: productionUrl, raw: `{"event":"message_created","a":${deepObject(10000)}}`, headers: () => ({ 'content-type': 'application/json' }), expect: EXPECT.unauthorized });
	authentic('deeply nested JSON', 'objects 10,000 deep, no event', deepObject(10000), EXPECT.badRequest);
	authentic('deeply nested JSON', 'lists 100,000 deep, unknown event', `{"event":"nested","a":${deepArray(100000)}}`, EXPECT.ignored);
	authentic('deeply nested JSON', 'message whose conversation is 10,000 deep but not an object', `{"event":"message_created","id":1,"conversation":${deepArray(10000)}}`, EXPECT.badRequest);
	authentic('deeply nested JSON', 'event nested 1,000 deep', `{"event":${deepObject(1000)}}`, EXPECT.badRequest);

	return cases;
}

module.exports = { forgedCases, EXPECT };
