'use strict';

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { execFile, spawn } = require('node:child_process');
const { promisify } = require('node:util');
const { startSimulator, sign, toRailsJson, SUBSCRIBABLE_EVENTS, SEED_ACCOUNTS } = require('../../tools/simulator/server');

const CLI = path.join(__dirname, '..', '..', 'tools', 'simulator', 'cli.js');
const FIXTURES = path.join(__dirname, '..', '..', 'tools', 'simulator', 'payloads');
const HOOKS = '/api/v1/accounts/1/webhooks';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ERR = {
	invalidToken: { error: 'Invalid Access Token' },
	notAdmin: { error: 'You are not authorized to do this action' },
	notInAccount: { error: 'You are not authorized to access this account' },
	notFound: { error: 'Resource could not be found' },
	urlTaken: { message: 'Url has already been taken', attributes: ['url'] },
	urlInvalid: { message: 'Url is invalid', attributes: ['url'] },
	subscriptionsInvalid: { message: 'Subscriptions Invalid events', attributes: ['subscriptions'] },
};

async function call(sim, method, route, { token = 'admin-token-1', body, raw, signal } = {}) {
	const headers = {};
	if (token) headers.api_access_token = token;
	const payload = raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined;
	if (payload !== undefined) headers['content-type'] = 'application/json';
	const response = await fetch(sim.url + route, { method, headers, body: payload, signal });
	const text = await response.text();
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: response.status, text, body: json, headers: response.headers };
}

const create = (sim, body, options) => call(sim, 'POST', HOOKS, { body, ...options });

/** A local webhook receiver; `respond` decides each answer. */
async function startReceiver(respond = () => ({ status: 200 })) {
	const received = [];
	const timers = new Set();
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			const hit = { method: req.method, url: req.url, headers: req.headers, raw, body: JSON.parse(raw) };
			received.push(hit);
			const { status = 200, delayMs = 0 } = respond(hit, received.length) || {};
			const timer = setTimeout(() => {
				timers.delete(timer);
				if (!res.destroyed) res.writeHead(status).end('ok');
			}, delayMs);
			timers.add(timer);
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		received,
		close: () =>
			new Promise((resolve) => {
				for (const timer of timers) clearTimeout(timer);
				server.closeAllConnections();
				server.close(resolve);
			}),
	};
}

/** A port nobody listens on, for connection-refused deliveries. */
async function closedPort() {
	const server = http.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

describe('signing and serialization', () => {
	const vectorBytes = fs.readFileSync(path.join(FIXTURES, 'signature-vector.body.json'));
	const expected = 'sha256=e8e9b2de6713a9bbcf4a8839f58fa79972c820da1d420fdcf97502d1360933a5';

	test('sign() matches the reference vector for bytes and for the same text', () => {
		expect(sign('n8nDemoSecret9Xq2Lm4Pz7Kw', 1779973332, vectorBytes)).toBe(expected);
		expect(sign('n8nDemoSecret9Xq2Lm4Pz7Kw', '1779973332', vectorBytes.toString('utf8'))).toBe(expected);
	});

	test('toRailsJson reproduces the vector bytes and escapes < > & like Rails', () => {
		expect(toRailsJson(JSON.parse(vectorBytes.toString('utf8')))).toBe(vectorBytes.toString('utf8'));
		const value = { content: '<b>Tom & Jerry</b>', line: '\u2028' };
		const text = toRailsJson(value);
		expect(text).toBe('{"content":"\\u003cb\\u003eTom \\u0026 Jerry\\u003c/b\\u003e","line":"\\u2028"}');
		expect(JSON.parse(text)).toEqual(value);
	});
});

describe.each(['klivo', 'chatwoot'])('%s dialect: errors', (dialect) => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator({ dialect });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	const valid = { url: 'https://example.com/hook', subscriptions: ['message_created'] };

	test.each([
		['missing token', 'GET', HOOKS, { token: null }, 401, ERR.invalidToken],
		['unknown token', 'GET', HOOKS, { token: 'nope' }, 401, ERR.invalidToken],
		['unknown token beats unknown account', 'GET', '/api/v1/accounts/99/webhooks', { token: 'nope' }, 401, ERR.invalidToken],
		['agent token lists', 'GET', HOOKS, { token: 'agent-token-1' }, 401, ERR.notAdmin],
		['agent token creates', 'POST', HOOKS, { token: 'agent-token-1', body: valid }, 401, ERR.notAdmin],
		['admin of another account', 'GET', HOOKS, { token: 'admin-token-2' }, 401, ERR.notInAccount],
		['agent of another account', 'GET', '/api/v1/accounts/2/webhooks', { token: 'agent-token-1' }, 401, ERR.notInAccount],
		['unknown account', 'GET', '/api/v1/accounts/99/webhooks', {}, 404, ERR.notFound],
		['unknown account beats agent role', 'GET', '/api/v1/accounts/99/webhooks', { token: 'agent-token-1' }, 404, ERR.notFound],
		['PATCH unknown webhook', 'PATCH', `${HOOKS}/999`, { body: { name: 'x' } }, 404, ERR.notFound],
		['DELETE unknown webhook', 'DELETE', `${HOOKS}/999`, {}, 404, ERR.notFound],
		['DELETE non-numeric id', 'DELETE', `${HOOKS}/abc`, {}, 404, ERR.notFound],
		['GET one webhook (no such route)', 'GET', `${HOOKS}/1`, {}, 404, ERR.notFound],
		['unknown path', 'GET', '/api/v1/accounts/1/widgets', {}, 404, ERR.notFound],
		['invalid JSON', 'POST', HOOKS, { raw: '{"url": ' }, 400, { error: 'Invalid JSON' }],
		['missing url', 'POST', HOOKS, { body: { subscriptions: ['message_created'] } }, 422, ERR.urlInvalid],
		['relative url', 'POST', HOOKS, { body: { ...valid, url: '/hook' } }, 422, ERR.urlInvalid],
		['ftp url', 'POST', HOOKS, { body: { ...valid, url: 'ftp://example.com/x' } }, 422, ERR.urlInvalid],
		['scheme-only url', 'POST', HOOKS, { body: { ...valid, url: 'http:example.com' } }, 422, ERR.urlInvalid],
		['url with spaces', 'POST', HOOKS, { body: { ...valid, url: ' https://example.com/x' } }, 422, ERR.urlInvalid],
		['numeric url', 'POST', HOOKS, { body: { ...valid, url: 42 } }, 422, ERR.urlInvalid],
		['missing subscriptions', 'POST', HOOKS, { body: { url: valid.url } }, 422, ERR.subscriptionsInvalid],
		['empty subscriptions', 'POST', HOOKS, { body: { ...valid, subscriptions: [] } }, 422, ERR.subscriptionsInvalid],
		['unknown event', 'POST', HOOKS, { body: { ...valid, subscriptions: ['message_created', 'nope'] } }, 422, ERR.subscriptionsInvalid],
		['subscriptions not a list', 'POST', HOOKS, { body: { ...valid, subscriptions: 'message_created' } }, 422, ERR.subscriptionsInvalid],
		[
			'url and subscriptions both bad',
			'POST',
			HOOKS,
			{ body: { url: 'nope', subscriptions: [] } },
			422,
			{ message: 'Url is invalid, Subscriptions Invalid events', attributes: ['url', 'subscriptions'] },
		],
	])('%s', async (_name, method, route, options, status, body) => {
		const response = await call(sim, method, route, options);
		expect(response.status).toBe(status);
		expect(response.body).toEqual(body);
	});

	test('URL is unique per account by exact string', async () => {
		expect((await create(sim, valid)).status).toBe(200);
		expect(await create(sim, valid)).toMatchObject({ status: 422, body: ERR.urlTaken });
		expect((await create(sim, { ...valid, url: `${valid.url}/` })).status).toBe(200);
		expect((await create(sim, { ...valid, url: `${valid.url}?a=1` })).status).toBe(200);
		expect((await create(sim, valid, { token: 'admin-token-2' })).status).toBe(401);
		expect((await call(sim, 'POST', '/api/v1/accounts/2/webhooks', { token: 'admin-token-2', body: valid })).status).toBe(200);
	});

	test('PATCH validates only the fields it changes', async () => {
		await create(sim, valid);
		const other = sim.addWebhookDirect(1, { url: 'https://example.com/other', subscriptions: ['contact_created'] });
		const route = `${HOOKS}/${other.id}`;
		expect(await call(sim, 'PATCH', route, { body: { url: valid.url } })).toMatchObject({ status: 422, body: ERR.urlTaken });
		expect(await call(sim, 'PATCH', route, { body: { url: 'bad' } })).toMatchObject({ status: 422, body: ERR.urlInvalid });
		expect(await call(sim, 'PATCH', route, { body: { subscriptions: [] } })).toMatchObject({ status: 422, body: ERR.subscriptionsInvalid });
		expect(await call(sim, 'PATCH', route, { raw: 'nope' })).toMatchObject({ status: 400, body: { error: 'Invalid JSON' } });
		expect((await call(sim, 'PATCH', route, { body: { url: other.url } })).status).toBe(200);
		expect((await call(sim, 'PATCH', route, { body: { name: 'only name' } })).status).toBe(200);
		expect(sim.webhooks(1)[1]).toMatchObject({ url: other.url, subscriptions: ['contact_created'], name: 'only name' });
	});

	test('conversation_resolved is subscribable only in the klivo dialect', async () => {
		const response = await create(sim, { ...valid, subscriptions: ['conversation_resolved'] });
		if (dialect === 'klivo') expect(response.status).toBe(200);
		else expect(response).toMatchObject({ status: 422, body: ERR.subscriptionsInvalid });
	});

	test('every other listed event is subscribable', async () => {
		const response = await create(sim, { ...valid, subscriptions: SUBSCRIBABLE_EVENTS[dialect] });
		expect(response.status).toBe(200);
		expect(SUBSCRIBABLE_EVENTS[dialect]).toHaveLength(dialect === 'klivo' ? 11 : 10);
	});

	test('bodies over 1 MB get 413 and the server keeps working', async () => {
		const huge = JSON.stringify({ ...valid, name: 'x'.repeat(1024 * 1024 + 10) });
		expect(await call(sim, 'POST', HOOKS, { raw: huge })).toMatchObject({ status: 413, body: { error: 'Payload Too Large' } });
		expect((await call(sim, 'GET', HOOKS)).status).toBe(200);
		expect(sim.webhooks(1)).toEqual([]);
	});
});

describe.each(['klivo', 'chatwoot'])('%s dialect: common behaviour', (dialect) => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator({ dialect });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('the nested {"webhook":{...}} body form works for create and update', async () => {
		const created = await create(sim, { webhook: { url: 'http://127.0.0.1:5678/a', subscriptions: ['message_created'], name: 'n8n' } });
		expect(created.status).toBe(200);
		const [stored] = sim.webhooks(1);
		expect(stored).toMatchObject({ url: 'http://127.0.0.1:5678/a', subscriptions: ['message_created'], name: 'n8n' });
		const updated = await call(sim, 'PATCH', `${HOOKS}/${stored.id}`, { body: { webhook: { subscriptions: ['contact_created'] } } });
		expect(updated.status).toBe(200);
		expect(sim.webhooks(1)[0]).toMatchObject({ url: stored.url, subscriptions: ['contact_created'], name: 'n8n' });
	});

	test('ids increase and are never reused, even after delete and reset', async () => {
		const first = sim.addWebhookDirect(1, { url: 'https://a.example/1', subscriptions: ['message_created'] });
		sim.deleteWebhookDirect(1, first.id);
		const second = sim.addWebhookDirect(1, { url: 'https://a.example/1', subscriptions: ['message_created'] });
		sim.reset();
		const third = sim.addWebhookDirect(2, { url: 'https://a.example/1', subscriptions: ['message_created'] });
		expect(second.id).toBeGreaterThan(first.id);
		expect(third.id).toBeGreaterThan(second.id);
	});

	test('http, https and loopback URLs with query strings are accepted and kept verbatim', async () => {
		for (const url of ['http://127.0.0.1:5678/webhook/abc/klivo?token=xyz', 'https://hooks.example.com/k']) {
			expect((await create(sim, { url, subscriptions: ['message_created'] })).status).toBe(200);
		}
		expect(sim.webhooks(1).map((w) => w.url)).toEqual([
			'http://127.0.0.1:5678/webhook/abc/klivo?token=xyz',
			'https://hooks.example.com/k',
		]);
	});

	test('the request log records route, account and status', async () => {
		await call(sim, 'GET', HOOKS);
		await create(sim, { url: 'https://a.example/x', subscriptions: ['message_created'] });
		await call(sim, 'GET', `${HOOKS}/1`);
		await call(sim, 'GET', '/api/v1/accounts/2/webhooks', { token: 'agent-token-1' });
		expect(sim.requests.map(({ method, path: p, route, accountId, status }) => ({ method, path: p, route, accountId, status }))).toEqual([
			{ method: 'GET', path: HOOKS, route: 'list', accountId: 1, status: 200 },
			{ method: 'POST', path: HOOKS, route: 'create', accountId: 1, status: 200 },
			{ method: 'GET', path: `${HOOKS}/1`, route: 'other', accountId: 1, status: 404 },
			{ method: 'GET', path: '/api/v1/accounts/2/webhooks', route: 'list', accountId: 2, status: 401 },
		]);
		expect(sim.requests[0].at).toEqual(expect.any(String));
		expect(sim.countRequests({ route: 'list' })).toBe(2);
		expect(sim.countRequests({ route: 'list', accountId: 1 })).toBe(1);
		expect(sim.countRequests({ method: 'post' })).toBe(1);
		sim.clearRequests();
		expect(sim.countRequests()).toBe(0);
	});

	test('custom accounts replace the seed', async () => {
		const custom = await startSimulator({ dialect, accounts: { 42: { admins: ['boss'], agents: ['helper'] } } });
		try {
			expect((await call(custom, 'GET', '/api/v1/accounts/42/webhooks', { token: 'boss' })).status).toBe(200);
			expect((await call(custom, 'GET', '/api/v1/accounts/42/webhooks', { token: 'helper' })).body).toEqual(ERR.notAdmin);
			expect((await call(custom, 'GET', '/api/v1/accounts/42/webhooks', { token: 'admin-token-1' })).body).toEqual(ERR.invalidToken);
		} finally {
			await custom.close();
		}
	});
});

describe('klivo dialect: documented shapes', () => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator();
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('defaults to klivo and the seed accounts', () => {
		expect(sim.dialect).toBe('klivo');
		expect(SEED_ACCOUNTS).toEqual({
			1: { admins: ['admin-token-1'], agents: ['agent-token-1'] },
			2: { admins: ['admin-token-2'], agents: [] },
		});
		expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
	});

	test('create, list, update and delete envelopes', async () => {
		const created = await create(sim, { url: 'https://a.example/x', subscriptions: ['message_created'] });
		expect(created.body).toEqual({ id: expect.any(Number), url: 'https://a.example/x', subscriptions: ['message_created'], active: true });
		const { id } = created.body;

		const named = await create(sim, { url: 'https://a.example/y', subscriptions: ['contact_created'], name: 'CRM' });
		expect(named.body).toEqual({ id: id + 1, url: 'https://a.example/y', subscriptions: ['contact_created'], name: 'CRM', active: true });

		expect((await call(sim, 'GET', HOOKS)).body).toEqual({ data: [created.body, named.body] });

		const updated = await call(sim, 'PATCH', `${HOOKS}/${id}`, { body: { subscriptions: ['message_created', 'conversation_resolved'] } });
		expect(updated.body).toEqual({ ...created.body, subscriptions: ['message_created', 'conversation_resolved'] });

		expect(await call(sim, 'DELETE', `${HOOKS}/${id}`)).toMatchObject({ status: 200, body: { message: 'Webhook deleted' } });
		expect((await call(sim, 'GET', HOOKS)).body).toEqual({ data: [named.body] });
	});

	test('a disabled webhook shows active:false and PATCH active:true re-enables it', async () => {
		const { id } = sim.addWebhookDirect(1, { url: 'https://a.example/x', subscriptions: ['message_created'] });
		sim.disableWebhookDirect(1, id);
		expect((await call(sim, 'GET', HOOKS)).body.data[0].active).toBe(false);
		const patched = await call(sim, 'PATCH', `${HOOKS}/${id}`, { body: { active: true } });
		expect(patched.body.active).toBe(true);
	});
});

describe('chatwoot dialect: server-code shapes', () => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator({ dialect: 'chatwoot' });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('create, list, update and delete envelopes', async () => {
		const created = await create(sim, { url: 'https://a.example/x', subscriptions: ['message_created'] });
		const webhook = created.body.payload.webhook;
		expect(webhook).toEqual({
			id: expect.any(Number),
			name: null,
			url: 'https://a.example/x',
			account_id: 1,
			subscriptions: ['message_created'],
			secret: expect.stringMatching(/^[A-Za-z0-9]{24}$/),
			inbox: null,
		});
		expect(Object.keys(created.body)).toEqual(['payload']);

		expect((await call(sim, 'GET', HOOKS)).body).toEqual({ payload: { webhooks: [webhook] } });

		const updated = await call(sim, 'PATCH', `${HOOKS}/${webhook.id}`, { body: { name: 'Renamed' } });
		expect(updated.body).toEqual({ payload: { webhook: { ...webhook, name: 'Renamed' } } });

		const deleted = await call(sim, 'DELETE', `${HOOKS}/${webhook.id}`);
		expect(deleted.status).toBe(200);
		expect(deleted.text).toBe('');
		expect((await call(sim, 'GET', HOOKS)).body).toEqual({ payload: { webhooks: [] } });
	});

	test('each webhook gets its own secret', () => {
		const a = sim.addWebhookDirect(1, { url: 'https://a.example/1', subscriptions: ['message_created'] });
		const b = sim.addWebhookDirect(1, { url: 'https://a.example/2', subscriptions: ['message_created'] });
		expect(a.secret).not.toBe(b.secret);
	});

	test('PATCH active is not a Chatwoot field and is ignored', async () => {
		const { id } = sim.addWebhookDirect(1, { url: 'https://a.example/1', subscriptions: ['message_created'] });
		sim.disableWebhookDirect(1, id);
		expect((await call(sim, 'PATCH', `${HOOKS}/${id}`, { body: { active: true } })).status).toBe(200);
		expect(sim.webhooks(1)[0].active).toBe(false);
	});
});

describe('deliveries', () => {
	let sim;
	let receiver;
	let answer;
	beforeAll(async () => {
		sim = await startSimulator();
		receiver = await startReceiver((hit, n) => answer(hit, n));
	});
	afterAll(async () => {
		await sim.close();
		await receiver.close();
	});
	beforeEach(() => {
		sim.reset();
		sim.deliveryTimeoutMs = undefined;
		receiver.received.length = 0;
		answer = () => ({ status: 200 });
	});

	const subscribe = (subscriptions, suffix = '') =>
		sim.addWebhookDirect(1, { url: `${receiver.url}/webhook/abc/klivo${suffix}?token=xyz`, subscriptions });

	test('klivo: one unsigned JSON POST per subscribed webhook, query string kept', async () => {
		const hook = subscribe(['message_created']);
		subscribe(['contact_created'], '/other');
		const results = await sim.emit(1, 'message_created');
		expect(results).toEqual([
			{ webhookId: hook.id, url: hook.url, event: 'message_created', status: 200, ok: true, error: null, durationMs: expect.any(Number) },
		]);
		expect(receiver.received).toHaveLength(1);
		const [hit] = receiver.received;
		expect(hit.method).toBe('POST');
		expect(hit.url).toBe('/webhook/abc/klivo?token=xyz');
		expect(hit.headers['content-type']).toBe('application/json');
		expect(hit.headers['user-agent']).toBe('Klivo-Webhook/1.0');
		expect(Object.keys(hit.headers).filter((h) => h.startsWith('x-chatwoot'))).toEqual([]);
		const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'message_created.incoming.json'), 'utf8'));
		expect(hit.body).toEqual(fixture);
		expect(hit.raw).toBe(toRailsJson(fixture));
		expect(sim.deliveries).toEqual([expect.objectContaining({ webhookId: hook.id, event: 'message_created', status: 200, ok: true, at: expect.any(String) })]);
	});

	test('klivo: 3 consecutive failures disable the webhook; PATCH active:true re-enables it', async () => {
		answer = () => ({ status: 500 });
		const created = await create(sim, { url: `${receiver.url}/fail`, subscriptions: ['message_created'] });
		const { id } = created.body;
		for (let i = 1; i <= 3; i++) {
			const [result] = await sim.emit(1, 'message_created');
			expect(result).toMatchObject({ webhookId: id, status: 500, ok: false });
			expect(sim.webhooks(1)[0]).toMatchObject({ consecutiveFailures: i, active: i < 3 });
		}
		expect((await call(sim, 'GET', HOOKS)).body.data[0].active).toBe(false);
		expect(await sim.emit(1, 'message_created')).toEqual([]);
		expect(receiver.received).toHaveLength(3);
		expect(sim.deliveries[2].disabledWebhook).toBe(true);

		answer = () => ({ status: 200 });
		const patched = await call(sim, 'PATCH', `${HOOKS}/${id}`, { body: { active: true } });
		expect(patched.body).toMatchObject({ id, active: true });
		expect(sim.webhooks(1)[0]).toMatchObject({ active: true, consecutiveFailures: 0 });
		expect(await sim.emit(1, 'message_created')).toEqual([expect.objectContaining({ ok: true })]);
	});

	test('klivo: a success resets the failure count', async () => {
		const script = [500, 500, 200, 500, 500];
		answer = (_hit, n) => ({ status: script[n - 1] });
		subscribe(['message_created']);
		for (let i = 0; i < script.length; i++) await sim.emit(1, 'message_created');
		expect(sim.webhooks(1)[0]).toMatchObject({ active: true, consecutiveFailures: 2 });
	});

	test('klivo: connection errors and timeouts count as failures', async () => {
		sim.deliveryTimeoutMs = 100;
		answer = () => ({ status: 200, delayMs: 500 });
		const slow = subscribe(['message_created']);
		const dead = sim.addWebhookDirect(1, { url: `http://127.0.0.1:${await closedPort()}/x`, subscriptions: ['message_created'] });
		const results = await sim.emit(1, 'message_created');
		expect(results).toEqual([
			expect.objectContaining({ webhookId: slow.id, ok: false, status: null, error: 'timeout after 100 ms' }),
			expect.objectContaining({ webhookId: dead.id, ok: false, status: null, error: 'ECONNREFUSED' }),
		]);
		await sim.emit(1, 'message_created');
		await sim.emit(1, 'message_created');
		expect(sim.webhooks(1).map((w) => w.active)).toEqual([false, false]);
	});

	test('chatwoot: failures are recorded but never disable a webhook', async () => {
		sim.setDialect('chatwoot');
		answer = () => ({ status: 500 });
		subscribe(['message_created']);
		for (let i = 0; i < 5; i++) await sim.emit(1, 'message_created');
		expect(sim.webhooks(1)[0].active).toBe(true);
		expect(receiver.received).toHaveLength(5);
		expect(sim.deliveries.map((d) => d.ok)).toEqual([false, false, false, false, false]);
	});

	test('chatwoot: deliveries carry a verifiable signature over the raw Rails-escaped bytes', async () => {
		sim.setDialect('chatwoot');
		const { secret } = subscribe(['message_created']);
		const before = Math.floor(Date.now() / 1000);
		await sim.emit(1, 'message_created', { overrides: { content: '<b>Preço & prazo</b>' } });
		const [hit] = receiver.received;
		const timestamp = hit.headers['x-chatwoot-timestamp'];
		expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
		expect(Number(timestamp)).toBeLessThanOrEqual(before + 5);
		expect(hit.headers['x-chatwoot-delivery']).toMatch(UUID_V4);
		expect(hit.headers['x-chatwoot-signature']).toBe(sign(secret, timestamp, hit.raw));
		expect(hit.raw).toContain('\\u003cb\\u003ePreço \\u0026 prazo\\u003c/b\\u003e');
		// Re-serialising the parsed body must not reproduce the signed bytes.
		expect(sign(secret, timestamp, JSON.stringify(hit.body))).not.toBe(hit.headers['x-chatwoot-signature']);
	});

	test('klivo: a resolved status change also delivers conversation_resolved', async () => {
		const both = subscribe(['conversation_status_changed', 'conversation_resolved']);
		const resolvedOnly = subscribe(['conversation_resolved'], '/resolved');
		const results = await sim.emit(1, 'conversation_status_changed');
		expect(results.map((r) => [r.webhookId, r.event])).toEqual([
			[both.id, 'conversation_status_changed'],
			[both.id, 'conversation_resolved'],
			[resolvedOnly.id, 'conversation_resolved'],
		]);
		expect(receiver.received.map((h) => h.body.event).sort()).toEqual([
			'conversation_resolved',
			'conversation_resolved',
			'conversation_status_changed',
		]);
		expect(receiver.received.every((h) => h.body.status === 'resolved')).toBe(true);

		receiver.received.length = 0;
		await sim.emit(1, 'conversation_status_changed', { overrides: { status: 'open' } });
		expect(receiver.received.map((h) => h.body.event)).toEqual(['conversation_status_changed']);
	});

	test('chatwoot: a resolved status change is only conversation_status_changed', async () => {
		sim.setDialect('chatwoot');
		subscribe(['conversation_status_changed']);
		const results = await sim.emit(1, 'conversation_status_changed');
		expect(results.map((r) => r.event)).toEqual(['conversation_status_changed']);
	});

	test('emit takes fixture names, event names and payload objects', async () => {
		subscribe(SUBSCRIBABLE_EVENTS.klivo);
		const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));

		await sim.emit(1, 'message_created.outgoing_agent');
		expect(receiver.received.pop().body).toEqual(fixture('message_created.outgoing_agent'));

		await sim.emit(1, 'conversation_resolved');
		expect(receiver.received.pop().body).toEqual({ ...fixture('conversation_status_changed.resolved'), event: 'conversation_resolved' });

		await sim.emit(1, 'webwidget_triggered');
		expect(Object.keys(receiver.received.pop().body).sort()).toEqual(
			['account', 'contact', 'current_conversation', 'event', 'event_info', 'id', 'inbox', 'source_id'].sort(),
		);

		await sim.emit(1, 'conversation_typing_on');
		const typing = receiver.received.pop().body;
		expect(typing).toMatchObject({ event: 'conversation_typing_on', user: { type: 'user' }, is_private: false });
		expect(typing.conversation.inbox_id).toEqual(expect.any(Number));

		await sim.emit(1, { event: 'contact_created', id: 1, name: 'Ana' }, { overrides: { name: 'Bia' } });
		expect(receiver.received.pop().body).toEqual({ event: 'contact_created', id: 1, name: 'Bia' });
		expect(receiver.received).toEqual([]);
	});

	test('emit limits to one webhook, skips unsubscribed and disabled ones', async () => {
		const a = subscribe(['message_created']);
		const b = subscribe(['message_created'], '/b');
		const c = subscribe(['message_created'], '/c');
		sim.disableWebhookDirect(1, c.id);
		expect((await sim.emit(1, 'message_created')).map((r) => r.webhookId)).toEqual([a.id, b.id]);
		expect((await sim.emit(1, 'message_created', { webhookId: b.id })).map((r) => r.webhookId)).toEqual([b.id]);
		expect(await sim.emit(1, 'contact_created')).toEqual([]);
		expect(await sim.emit(2, 'message_created')).toEqual([]);
	});

	test('emit rejects unknown names, payloads without event and unknown accounts', async () => {
		await expect(sim.emit(1, 'no_such_event')).rejects.toMatchObject({ status: 400 });
		await expect(sim.emit(1, '../../package')).rejects.toMatchObject({ status: 400 });
		await expect(sim.emit(1, { id: 1 })).rejects.toMatchObject({ status: 400 });
		await expect(sim.emit(99, 'message_created')).rejects.toMatchObject({ status: 404 });
	});
});

describe('faults', () => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator();
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	const hook = { url: 'https://a.example/x', subscriptions: ['message_created'] };

	test('a status fault answers once with the default body, then normal handling resumes', async () => {
		sim.injectFault({ route: 'list', status: 500 });
		expect(await call(sim, 'GET', HOOKS)).toMatchObject({ status: 500, body: { error: 'Internal Server Error' } });
		expect(await call(sim, 'GET', HOOKS)).toMatchObject({ status: 200, body: { data: [] } });
		expect(sim.requests.map((r) => r.status)).toEqual([500, 200]);
	});

	test.each([
		[401, { error: 'Invalid Access Token' }],
		[404, { error: 'Resource could not be found' }],
		[422, { message: 'Unprocessable' }],
		[503, { error: 'Service Unavailable' }],
	])('default body for %i', async (status, body) => {
		sim.injectFault({ route: 'any', status });
		expect(await call(sim, 'GET', HOOKS)).toMatchObject({ status, body });
	});

	test('429 sends Retry-After (default 1, or as given) and custom bodies', async () => {
		sim.injectFault({ route: 'create', status: 429 });
		sim.injectFault({ route: 'create', status: 429, retryAfter: 7, body: { error: 'slow down' } });
		const first = await create(sim, hook);
		expect(first).toMatchObject({ status: 429, body: { error: 'Too Many Requests' } });
		expect(first.headers.get('retry-after')).toBe('1');
		const second = await create(sim, hook);
		expect(second).toMatchObject({ status: 429, body: { error: 'slow down' } });
		expect(second.headers.get('retry-after')).toBe('7');
		expect((await create(sim, hook)).status).toBe(200);
	});

	test('faults match their route and count down `times`', async () => {
		sim.injectFault({ route: 'delete', status: 500, times: 2 });
		expect((await call(sim, 'GET', HOOKS)).status).toBe(200);
		const { body } = await create(sim, hook);
		expect((await call(sim, 'DELETE', `${HOOKS}/${body.id}`)).status).toBe(500);
		expect(sim.faults).toEqual([expect.objectContaining({ route: 'delete', remaining: 1 })]);
		expect((await call(sim, 'DELETE', `${HOOKS}/${body.id}`)).status).toBe(500);
		expect((await call(sim, 'DELETE', `${HOOKS}/${body.id}`)).status).toBe(200);
	});

	test('a delay makes a short-timeout client give up while the server still acts', async () => {
		sim.injectFault({ route: 'create', delayMs: 300 });
		await expect(create(sim, hook, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
		expect(sim.webhooks(1)).toEqual([]);
		await new Promise((resolve) => setTimeout(resolve, 400));
		expect(sim.webhooks(1)).toHaveLength(1);
		expect(await create(sim, hook)).toMatchObject({ status: 422, body: ERR.urlTaken });
	});

	test('a delay without status answers normally after waiting', async () => {
		sim.injectFault({ route: 'list', delayMs: 150 });
		const started = Date.now();
		expect((await call(sim, 'GET', HOOKS)).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
	});

	test('drop destroys the connection without an answer', async () => {
		sim.injectFault({ route: 'any', drop: true });
		await expect(call(sim, 'GET', HOOKS)).rejects.toThrow();
		expect((await call(sim, 'GET', HOOKS)).status).toBe(200);
		expect(sim.requests[0]).toMatchObject({ fault: 'drop', status: null });
	});

	test('clearFaults and invalid fault options', async () => {
		sim.injectFault({ route: 'any', status: 500, times: 5 });
		sim.clearFaults();
		expect((await call(sim, 'GET', HOOKS)).status).toBe(200);
		expect(() => sim.injectFault({ route: 'nope', status: 500 })).toThrow(/route/);
		expect(() => sim.injectFault({ route: 'any' })).toThrow(/status, delayMs or drop/);
		expect(() => sim.injectFault({ status: 500, times: 0 })).toThrow(/times/);
	});
});

describe('lifecycle', () => {
	test('reset forgets webhooks, faults and logs and restores the dialect', async () => {
		const sim = await startSimulator({ dialect: 'chatwoot' });
		try {
			sim.addWebhookDirect(1, { url: 'https://a.example/x', subscriptions: ['message_created'] });
			sim.injectFault({ route: 'any', status: 500, times: 3 });
			await call(sim, 'GET', HOOKS);
			await sim.emit(1, 'message_created').catch(() => {});
			sim.setDialect('klivo');
			sim.reset();
			expect(sim.state()).toEqual({
				dialect: 'chatwoot',
				accounts: {
					1: { admins: ['admin-token-1'], agents: ['agent-token-1'], webhooks: [] },
					2: { admins: ['admin-token-2'], agents: [], webhooks: [] },
				},
				faults: [],
				requestCount: 0,
				deliveryCount: 0,
			});
			expect(sim.deliveries).toEqual([]);
			expect(() => sim.setDialect('rails')).toThrow(/Unknown dialect/);
		} finally {
			await sim.close();
		}
	});

	test('close() ends open connections and pending delays promptly, and is idempotent', async () => {
		const sim = await startSimulator();
		sim.injectFault({ route: 'list', delayMs: 60000 });
		const pending = call(sim, 'GET', HOOKS).catch((error) => error);
		while (sim.countRequests() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
		const started = Date.now();
		await Promise.all([sim.close(), sim.close()]);
		expect(Date.now() - started).toBeLessThan(1000);
		// fetch's TypeError comes from another realm than jest's, so match the message.
		expect(String(await pending)).toMatch(/fetch failed/);
	});

	test('close() aborts deliveries still waiting on a slow receiver', async () => {
		const receiver = await startReceiver(() => ({ status: 200, delayMs: 60000 }));
		const sim = await startSimulator();
		sim.addWebhookDirect(1, { url: receiver.url, subscriptions: ['message_created'] });
		const results = sim.emit(1, 'message_created');
		while (receiver.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
		await sim.close();
		expect(await results).toEqual([expect.objectContaining({ ok: false, error: 'simulator closed' })]);
		await receiver.close();
	});
});

describe('control API', () => {
	let sim;
	let receiver;
	beforeAll(async () => {
		sim = await startSimulator();
		receiver = await startReceiver();
	});
	afterAll(async () => {
		await sim.close();
		await receiver.close();
	});
	beforeEach(() => {
		sim.reset();
		receiver.received.length = 0;
	});

	const control = (method, route, body) => call(sim, method, `/_sim${route}`, { token: null, body });

	test('state, dialect and reset', async () => {
		expect((await control('GET', '/state')).body).toMatchObject({ dialect: 'klivo', accounts: { 1: { webhooks: [] } }, faults: [], requestCount: 0 });
		expect((await control('POST', '/dialect', { dialect: 'chatwoot' })).body).toEqual({ dialect: 'chatwoot' });
		expect(sim.dialect).toBe('chatwoot');
		expect(await control('POST', '/dialect', { dialect: 'soap' })).toMatchObject({ status: 400 });
		await control('POST', '/reset');
		expect(sim.dialect).toBe('klivo');
	});

	test('direct add, disable and delete', async () => {
		const added = await control('POST', '/accounts/1/webhooks', { url: receiver.url, subscriptions: ['message_created'], name: 'UI' });
		expect(added.body).toMatchObject({ id: expect.any(Number), url: receiver.url, name: 'UI', active: true, secret: expect.any(String) });
		expect((await control('POST', '/accounts/1/webhooks', { url: receiver.url, subscriptions: ['message_created'] })).body).toEqual(ERR.urlTaken);
		const { id } = added.body;
		expect((await control('POST', `/accounts/1/webhooks/${id}/disable`)).body.active).toBe(false);
		expect((await control('GET', '/state')).body.accounts['1'].webhooks[0].active).toBe(false);
		expect((await control('DELETE', `/accounts/1/webhooks/${id}`)).status).toBe(200);
		expect((await control('DELETE', `/accounts/1/webhooks/${id}`)).status).toBe(404);
		expect(sim.webhooks(1)).toEqual([]);
	});

	test('faults over HTTP', async () => {
		expect((await control('POST', '/faults', { route: 'list', status: 429, retryAfter: 3 })).status).toBe(200);
		expect((await control('GET', '/state')).body.faults).toHaveLength(1);
		const limited = await call(sim, 'GET', HOOKS);
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
		await control('POST', '/faults', { route: 'any', status: 500 });
		await control('DELETE', '/faults');
		expect((await call(sim, 'GET', HOOKS)).status).toBe(200);
		expect(await control('POST', '/faults', { route: 'any' })).toMatchObject({ status: 400 });
	});

	test('emit, requests and deliveries over HTTP', async () => {
		sim.addWebhookDirect(1, { url: receiver.url, subscriptions: ['message_created', 'contact_created'] });
		const byEvent = await control('POST', '/emit', { accountId: 1, event: 'message_created', overrides: { content: 'oi' } });
		expect(byEvent.body).toEqual([expect.objectContaining({ ok: true, status: 200, event: 'message_created' })]);
		expect(receiver.received[0].body.content).toBe('oi');
		await control('POST', '/emit', { fixture: 'message_created.outgoing_agent' });
		expect(receiver.received[1].body.message_type).toBe('outgoing');
		await control('POST', '/emit', { payload: { event: 'contact_created', id: 5 } });
		expect(receiver.received[2].body).toEqual({ event: 'contact_created', id: 5 });
		expect(await control('POST', '/emit', { event: 'nope' })).toMatchObject({ status: 400 });

		expect((await control('GET', '/deliveries')).body).toHaveLength(3);
		await call(sim, 'GET', HOOKS);
		expect((await control('GET', '/requests')).body).toEqual([expect.objectContaining({ route: 'list', status: 200 })]);
		await control('DELETE', '/requests');
		expect((await control('GET', '/requests')).body).toEqual([]);
	});

	test('bad input is answered, never crashes', async () => {
		expect(await call(sim, 'POST', '/_sim/emit', { token: null, raw: '{oops' })).toMatchObject({ status: 400, body: { error: 'Invalid JSON' } });
		expect((await control('GET', '/nope')).status).toBe(404);
		expect((await control('POST', '/accounts/9/webhooks', { url: 'https://a.example', subscriptions: ['message_created'] })).status).toBe(404);
		expect((await control('GET', '/state')).status).toBe(200);
	});
});

describe('CLI', () => {
	const run = promisify(execFile);
	const cli = (args, env = {}) => run(process.execPath, [CLI, ...args], { env: { ...process.env, KLIVO_SIM_URL: '', ...env }, timeout: 10000 });
	let sim;
	let receiver;
	beforeAll(async () => {
		sim = await startSimulator();
		receiver = await startReceiver();
	});
	afterAll(async () => {
		await sim.close();
		await receiver.close();
	});
	beforeEach(() => {
		sim.reset();
		receiver.received.length = 0;
	});

	test('emit asks a running simulator to deliver, with typed overrides', async () => {
		const hook = sim.addWebhookDirect(1, { url: `${receiver.url}/w?token=t`, subscriptions: ['message_created'] });
		const { stdout } = await cli(['emit', 'message_created', '--sim', sim.url, '--override', 'private=true', '--override', 'content=Olá']);
		expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ webhookId: hook.id, ok: true, status: 200 })]);
		expect(receiver.received[0].url).toBe('/w?token=t');
		expect(receiver.received[0].body).toMatchObject({ event: 'message_created', private: true, content: 'Olá' });
	});

	test('KLIVO_SIM_URL, list, fault, disable and reset', async () => {
		const env = { KLIVO_SIM_URL: sim.url };
		const hook = sim.addWebhookDirect(1, { url: receiver.url, subscriptions: ['message_created'] });
		expect(JSON.parse((await cli(['list'], env)).stdout)).toEqual([expect.objectContaining({ id: hook.id })]);
		await cli(['fault', 'list', '--status', '429', '--retry-after', '2', '--times', '2'], env);
		expect(sim.faults).toEqual([expect.objectContaining({ route: 'list', status: 429, retryAfter: 2, remaining: 2 })]);
		await cli(['disable', String(hook.id)], env);
		expect(sim.webhooks(1)[0].active).toBe(false);
		await cli(['dialect', 'chatwoot'], env);
		expect(sim.dialect).toBe('chatwoot');
		await cli(['reset'], env);
		expect(sim.state()).toMatchObject({ dialect: 'klivo', faults: [], accounts: { 1: { webhooks: [] } } });
	});

	test('fails with a clear message when no simulator answers or input is wrong', async () => {
		await expect(cli(['list', '--sim', 'http://127.0.0.1:9'])).rejects.toMatchObject({
			code: 1,
			stderr: expect.stringContaining('No simulator answers at http://127.0.0.1:9'),
		});
		await expect(cli(['emit', 'nope', '--sim', sim.url])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Unknown event or fixture') });
		await expect(cli(['frobnicate'])).rejects.toMatchObject({ code: 2 });
	});

	test('start runs a simulator until SIGTERM', async () => {
		const child = spawn(process.execPath, [CLI, 'start', '--port', '0', '--dialect', 'chatwoot'], { stdio: ['ignore', 'pipe', 'pipe'] });
		try {
			let output = '';
			const url = await new Promise((resolve, reject) => {
				child.stdout.on('data', (chunk) => {
					output += chunk;
					const match = /listening on (http:\/\/\S+)/.exec(output);
					if (match) resolve(match[1]);
				});
				child.once('exit', (code) => reject(new Error(`exited early (${code}): ${output}`)));
			});
			expect(output).toContain('admin-token-1');
			expect(output).toContain('agent-token-1');
			const state = await (await fetch(`${url}/_sim/state`)).json();
			expect(state.dialect).toBe('chatwoot');
			const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		} finally {
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	});
});
