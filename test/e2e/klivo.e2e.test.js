'use strict';
/**
 * End-to-end: the packed n8n-nodes-klivo inside a REAL running n8n (2.41.1 on Node 24 and 1.85.3, the
 * oldest supported, on Node 20 by default; KLIVO_E2E_VERSIONS=2.41.1,1.123.81 to pick), against the
 * Klivo simulator in both dialects.
 *
 * Per n8n version: one n8n instance (restarted only by the tests that need a restart), one
 * simulator per dialect, credentials for both. The package is built (`npx gulp build`) and packed
 * (`npm pack`) once per run in a temporary copy of the sources, and the tarball is installed into
 * <userFolder>/.n8n/nodes as a user would install it. n8n's WEBHOOK_URL points at a small TCP
 * forwarder on another port (as behind a reverse proxy), so the tests can tell that the trigger
 * registers WEBHOOK_URL and not n8n's own address.
 *
 * Everything is driven headlessly: public API (/api/v1) for workflows, activation and executions;
 * the internal REST API for the credential test; HTTP for n8n's webhooks. A finding is printed as
 * "[klivo-e2e] OBSERVATION ..." on stderr.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startSimulator, sign, toRailsJson, FIXTURES_DIR } = require('../../tools/simulator/server.js');
const { startN8n, waitFor, getFreePort } = require('../../tools/n8n/harness.js');
const S = require('./support.js');

jest.setTimeout(240000);

const VERSIONS = S.versions();
const DIALECTS = ['klivo', 'chatwoot'];
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8'));
const INCOMING = fixture('message_created.incoming');

let packDir;
let tarball;

beforeAll(() => {
	const t0 = Date.now();
	packDir = S.mkTemp('klivo-e2e-pack-');
	tarball = S.buildAndPack(packDir);
	S.log(`built and packed ${path.basename(tarball)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 300000);

afterAll(() => {
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

// The README and package.json promise an oldest n8n; only a run in that n8n backs the promise.
test("the oldest supported n8n (package.json engines.n8n) is one the suite runs by default", () => {
	const pkg = JSON.parse(fs.readFileSync(path.join(S.ROOT, 'package.json'), 'utf8'));
	const min = /^>=(\d+\.\d+\.\d+)$/.exec((pkg.engines && pkg.engines.n8n) || '');
	expect(min).not.toBeNull();
	expect(S.DEFAULT_VERSIONS).toContain(min[1]);
});

describe.each(VERSIONS)('n8n %s', (version) => {
	let n8n;
	let proxy; // n8n's WEBHOOK_URL points here, not at n8n's own port (as behind a reverse proxy)
	let userFolder;
	const sims = {};
	const creds = {};
	let agentCred;
	let startedAt;

	beforeAll(async () => {
		startedAt = Date.now();
		for (const dialect of DIALECTS) sims[dialect] = await startSimulator({ dialect });
		userFolder = S.mkTemp(`klivo-e2e-n8n-${version}-`);
		const t0 = Date.now();
		const port = await getFreePort();
		proxy = await S.startTcpProxy(port);
		n8n = await startN8n({ version, userFolder, packageTarball: tarball, port, webhookUrl: proxy.url });
		S.log(`n8n ${version} up on ${n8n.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		for (const dialect of DIALECTS) {
			creds[dialect] = await n8n.createCredential({
				name: `Klivo ${dialect}`,
				type: 'klivoApi',
				data: { baseUrl: sims[dialect].url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 },
			});
		}
		agentCred = await n8n.createCredential({
			name: 'Klivo agent',
			type: 'klivoApi',
			data: { baseUrl: sims.klivo.url, accessToken: 'agent-token-1', accountId: '1', timeout: 10 },
		});
	}, 300000);

	afterAll(async () => {
		if (n8n) {
			const lines = n8n
				.logs()
				.split('\n')
				.filter((l) => /klivo/i.test(l) && /warn|error|refused|could not/i.test(l));
			S.log(`n8n ${version}: ${lines.length} log lines about Klivo warnings/errors${lines.length ? `:\n  ${[...new Set(lines)].slice(0, 25).join('\n  ')}` : ''}`);
			await n8n.stop();
		}
		for (const sim of Object.values(sims)) await sim.close();
		if (proxy) await proxy.close();
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
		S.log(`n8n ${version}: whole block took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
	}, 120000);

	// ---------------------------------------------------------------------------------------------
	describe('the installed package', () => {
		test('n8n lists both Klivo nodes and the klivoApi credential type', async () => {
			const nodeTypes = await n8n.listNodeTypes();
			expect(nodeTypes).toEqual(expect.arrayContaining([S.ACTION_TYPE, S.TRIGGER_TYPE]));
			const credTypes = await n8n.listCredentialTypes();
			expect(credTypes).toContain('klivoApi');
			const installed = path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-klivo', 'package.json');
			expect(JSON.parse(fs.readFileSync(installed, 'utf8')).name).toBe('n8n-nodes-klivo');
		});

		test.each(DIALECTS)("n8n's credential test passes for an admin token with one labels request (%s dialect)", async (dialect) => {
			const cred = creds[dialect];
			const data = { baseUrl: sims[dialect].url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 };
			sims[dialect].clearRequests();
			const result = await n8n.testCredential({ id: cred.id, name: cred.name, type: 'klivoApi', data });
			expect(result).toMatchObject({ status: 'OK' });
			expect(sims[dialect].countRequests({ route: 'labels.list' })).toBe(1);
		});

		// Any member of the account passes (issue 11): webhook operations explain themselves that they need an administrator.
		test("n8n's credential test passes for an agent token, and fails a 503 with our message", async () => {
			const data = { baseUrl: sims.klivo.url, accessToken: 'agent-token-1', accountId: '1', timeout: 10 };
			const result = await n8n.testCredential({ id: agentCred.id, name: agentCred.name, type: 'klivoApi', data });
			expect(result).toMatchObject({ status: 'OK' });
			sims.klivo.injectFault({ route: 'any', status: 503, body: '' });
			const failed = await n8n.testCredential({ id: agentCred.id, name: agentCred.name, type: 'klivoApi', data });
			expect(failed.status).toBe('Error');
			expect(failed.message).toMatch(/server failed to answer \(HTTP 503\)/);
			expect(failed.message).not.toContain('agent-token-1');
		});
	});

	// ---------------------------------------------------------------------------------------------
	describe.each(DIALECTS)('the Klivo action node in a workflow (%s dialect)', (dialect) => {
		let sim;
		const hooks = {};
		const rl = { __rl: true, mode: 'id', value: '={{ $json.body.id }}' };
		const OPS = {
			getAll: { operation: 'getAll', returnAll: true },
			get: { operation: 'get', webhookId: rl },
			create: {
				operation: 'create',
				url: '={{ $json.body.url }}',
				events: '={{ $json.body.events }}',
				additionalFields: { name: '={{ $json.body.name }}' },
			},
			update: {
				operation: 'update',
				webhookId: rl,
				updateFields: { events: '={{ $json.body.events }}', name: '={{ $json.body.name }}' },
			},
			delete: { operation: 'delete', webhookId: rl },
			ensure: { operation: 'ensure', url: '={{ $json.body.url }}', events: '={{ $json.body.events }}', additionalFields: {} },
		};
		const CRM = 'https://crm.example.com/klivo';

		/** Calls the workflow of one operation; resolves { status, json, workflowId }. */
		async function call(op, body) {
			const r = await S.postJson(n8n.webhook(hooks[op].path), body);
			return { ...r, workflowId: hooks[op].id };
		}

		async function lastExecution(workflowId) {
			const list = await S.waitForExecutions(n8n, workflowId, 1);
			return list[0];
		}

		beforeAll(async () => {
			sim = sims[dialect];
			sim.reset();
			const defs = { ...OPS };
			for (const [op, parameters] of Object.entries(defs)) {
				const hookPath = `klivo-${dialect}-${op}`;
				const wf = await n8n.api('POST', '/workflows', S.actionWorkflow({ name: `Klivo ${op} (${dialect})`, path: hookPath, cred: creds[dialect], parameters }));
				const act = await n8n.activateWorkflow(wf.id);
				expect(act).toMatchObject({ ok: true });
				hooks[op] = { id: wf.id, path: hookPath };
			}
			const agentPath = `klivo-${dialect}-agent`;
			const agentWf = await n8n.api('POST', '/workflows', S.actionWorkflow({ name: `Klivo agent (${dialect})`, path: agentPath, cred: { ...agentCred }, parameters: OPS.getAll }));
			expect(await n8n.activateWorkflow(agentWf.id)).toMatchObject({ ok: true });
			hooks.agent = { id: agentWf.id, path: agentPath };
			// the workflows' webhooks are live as soon as activation is done, but be sure
			await waitFor(async () => (await call('getAll', {})).status === 200, { timeoutMs: 30000, message: 'action workflows live' });
		});

		afterAll(async () => {
			for (const h of Object.values(hooks)) await n8n.deactivateWorkflow(h.id).catch(() => {});
		});

		let createdId;

		test('Create registers a webhook on the server and returns the normalized webhook', async () => {
			sim.clearRequests();
			const r = await call('create', { url: CRM, events: ['contact_created', 'contact_updated'], name: 'CRM sync' });
			expect(r.status).toBe(200);
			expect(Array.isArray(r.json)).toBe(true);
			expect(r.json).toHaveLength(1);
			const out = r.json[0];
			expect(out).toMatchObject({ url: CRM, events: ['contact_created', 'contact_updated'], name: 'CRM sync', active: true, hasSecret: dialect === 'chatwoot' });
			expect(typeof out.id).toBe('number');
			expect(out).not.toHaveProperty('secret');
			expect(out).not.toHaveProperty('subscriptions');
			const stored = sim.webhooks(1);
			expect(stored).toHaveLength(1);
			expect(stored[0]).toMatchObject({ id: out.id, url: CRM, subscriptions: ['contact_created', 'contact_updated'], name: 'CRM sync', active: true });
			expect(sim.countRequests({ route: 'create' })).toBe(1);
			createdId = out.id;
		});

		test('Get Many lists the account webhooks', async () => {
			sim.addWebhookDirect(1, { url: 'https://erp.example.com/hook', subscriptions: ['conversation_created'] });
			const r = await call('getAll', {});
			expect(r.status).toBe(200);
			expect(r.json.map((w) => w.url).sort()).toEqual([CRM, 'https://erp.example.com/hook'].sort());
			expect(r.json.find((w) => w.url === CRM)).toMatchObject({ id: createdId, events: ['contact_created', 'contact_updated'] });
			for (const w of r.json) expect(w).not.toHaveProperty('secret');
		});

		test('Get returns one webhook by ID', async () => {
			const r = await call('get', { id: createdId });
			expect(r.status).toBe(200);
			expect(r.json).toEqual([expect.objectContaining({ id: createdId, url: CRM, name: 'CRM sync' })]);
		});

		test('Update changes only the given fields on the server', async () => {
			sim.clearRequests();
			const r = await call('update', { id: createdId, events: ['contact_updated', 'message_updated'], name: 'CRM sync v2' });
			expect(r.status).toBe(200);
			expect(r.json[0]).toMatchObject({ id: createdId, url: CRM, events: ['contact_updated', 'message_updated'], name: 'CRM sync v2' });
			const stored = sim.webhooks(1).find((w) => w.id === createdId);
			expect(stored).toMatchObject({ url: CRM, subscriptions: ['contact_updated', 'message_updated'], name: 'CRM sync v2' });
			expect(sim.countRequests({ route: 'update' })).toBe(1);
		});

		test('Ensure creates, then leaves alone, then fixes events (and re-enables a disabled webhook)', async () => {
			const url = 'https://bot.example.com/klivo';
			sim.clearRequests();
			let r = await call('ensure', { url, events: ['message_created'] });
			expect(r.status).toBe(200);
			expect(r.json[0]).toMatchObject({ action: 'created', url, events: ['message_created'] });
			const id = r.json[0].id;
			expect(sim.webhooks(1).filter((w) => w.url === url)).toEqual([expect.objectContaining({ id, subscriptions: ['message_created'] })]);

			sim.clearRequests();
			r = await call('ensure', { url, events: ['message_created'] });
			expect(r.json[0]).toMatchObject({ action: 'unchanged', id });
			expect(sim.countRequests({})).toBe(1); // one list, no write

			r = await call('ensure', { url, events: ['message_created', 'conversation_created'] });
			expect(r.json[0]).toMatchObject({ action: 'updated', changed: ['events'], id });
			expect(sim.webhooks(1).find((w) => w.id === id).subscriptions.sort()).toEqual(['conversation_created', 'message_created']);

			if (dialect === 'klivo') {
				sim.disableWebhookDirect(1, id);
				r = await call('ensure', { url, events: ['message_created', 'conversation_created'] });
				expect(r.json[0]).toMatchObject({ action: 'updated', id, active: true });
				expect(sim.webhooks(1).find((w) => w.id === id).active).toBe(true);
				expect(sim.webhooks(1).find((w) => w.id === id).subscriptions.sort()).toEqual(['conversation_created', 'message_created']);
				expect(sim.webhooks(1).filter((w) => w.url === url)).toHaveLength(1);
				// README: `changed` names what changed; only the enabled state did
				expect(r.json[0].changed).toEqual(['enabled']);
			}
			expect(sim.webhooks(1).filter((w) => w.url === url)).toHaveLength(1);
		});

		test('Delete removes the webhook from the server', async () => {
			sim.clearRequests();
			const r = await call('delete', { id: createdId });
			expect(r.status).toBe(200);
			expect(r.json).toEqual([{ deleted: true, id: createdId }]);
			expect(sim.webhooks(1).find((w) => w.id === createdId)).toBeUndefined();
			expect(sim.countRequests({ route: 'delete' })).toBe(1);
		});

		test('an agent token fails the execution with our message', async () => {
			const before = (await S.executions(n8n, hooks.agent.id)).length;
			const r = await call('agent', {});
			expect(r.status).toBe(500);
			const list = await S.waitForExecutions(n8n, hooks.agent.id, before + 1);
			const exec = list[0];
			expect(exec.status).toBe('error');
			const err = S.executionError(exec);
			expect(err).toBeDefined();
			expect(err.node).toBe('Klivo');
			expect(err.message).toMatch(/belongs to an agent/);
			expect(`${err.message} ${err.description}`).toMatch(/administrator/);
			expect(JSON.stringify(exec.data)).not.toContain('agent-token-1');
		});

		// Issue 11, defect 4: a Create that loses a race for its URL (422 URL taken) adopts the webhook
		// registered meanwhile instead of failing; Klivo allows one webhook per URL, so none is duplicated.
		test('a Create for a URL already registered adopts that webhook instead of failing or duplicating it', async () => {
			const first = await call('create', { url: 'https://dup.example.com/x', events: ['contact_created'] });
			expect(first.status).toBe(200);
			const r = await call('create', { url: 'https://dup.example.com/x', events: ['contact_created', 'message_created'] });
			expect(r.status).toBe(200);
			const exec = await lastExecution(hooks.create.id);
			expect(exec.status).toBe('success');
			const same = sim.webhooks(1).filter((w) => w.url === 'https://dup.example.com/x');
			expect(same).toHaveLength(1);
			expect([...same[0].subscriptions].sort()).toEqual(['contact_created', 'message_created']);
		});

		if (dialect === 'chatwoot') {
			test("Create with 'Conversation Resolved' fails with our message on a Chatwoot-dialect server", async () => {
				const r = await call('create', { url: 'https://resolved.example.com/x', events: ['conversation_resolved'] });
				expect(r.status).toBe(500);
				const err = S.executionError(await lastExecution(hooks.create.id));
				expect(err.message).toMatch(/does not accept the event 'Conversation Resolved'/);
				expect(err.message).toMatch(/conversation_status_changed/);
			});
		}
	});

	// ---------------------------------------------------------------------------------------------
	describe.each(DIALECTS)('the Klivo Trigger in a workflow (%s dialect)', (dialect) => {
		let sim;
		let wfId;
		let webhookId;
		let active = false;
		let events = ['message_created'];
		let registeredUrl; // the URL as first registered (with the token)
		let watchdog; // { id, path } once created

		const productionUrl = () => n8n.webhook(`${webhookId}/klivo`);
		const count = async () => (await S.executions(n8n, wfId)).length;
		const ours = () => sim.webhooks(1).filter((w) => w.url.startsWith(productionUrl()));

		async function activate() {
			sim.clearRequests();
			const r = await n8n.activateWorkflow(wfId);
			expect(r).toMatchObject({ ok: true });
			active = true;
			return sim.requests;
		}

		async function deactivate() {
			sim.clearRequests();
			await n8n.deactivateWorkflow(wfId);
			active = false;
			return sim.requests;
		}

		/** A known-good starting point: the workflow active with exactly one healthy webhook. */
		async function fresh() {
			if (active) await deactivate();
			sim.reset();
			await activate();
			expect(ours()).toHaveLength(1);
		}

		/** Waits until n8n serves the trigger's production URL (answered 401 to an unauthenticated probe, not 404). */
		async function waitLive() {
			await waitFor(async () => (await S.postJson(productionUrl(), { event: 'probe' })).status === 401, {
				timeoutMs: 60000,
				intervalMs: 300,
				message: `trigger URL ${productionUrl()} served`,
			});
		}

		/** Emits one incoming message carrying a marker; expects a 2xx and exactly one new execution with it. */
		async function expectEventArrives(marker) {
			const before = await count();
			const results = await sim.emit(1, 'message_created.incoming', { overrides: { content: marker } });
			expect(results).toEqual([expect.objectContaining({ event: 'message_created', ok: true })]);
			expect(results[0].status).toBeGreaterThanOrEqual(200);
			expect(results[0].status).toBeLessThan(300);
			const list = await S.waitForExecutions(n8n, wfId, before + 1);
			expect(list).toHaveLength(before + 1);
			const item = S.nodeOutput(list[0], 'Klivo Trigger')[0];
			expect(item.klivo.messageText).toBe(marker);
			return list[0];
		}

		/** A delivery built by hand that Klivo itself would make: token in the URL, signature when the webhook has a secret. */
		function validDelivery(payload, { raw, deliveryId = S.uuid() } = {}) {
			const hook = ours()[0];
			const body = raw !== undefined ? raw : toRailsJson(payload);
			const headers = { 'user-agent': 'Klivo-Webhook/1.0' };
			if (dialect === 'chatwoot') {
				const ts = String(Math.floor(Date.now() / 1000));
				headers['x-chatwoot-delivery'] = deliveryId;
				headers['x-chatwoot-timestamp'] = ts;
				headers['x-chatwoot-signature'] = sign(hook.secret, ts, body);
			}
			return S.postJson(hook.url, null, { raw: body, headers });
		}

		/** Stops n8n, lets `change` act on Klivo's side (as a person or Klivo would), starts n8n again. */
		async function whileStopped(change) {
			await n8n.stop();
			change();
			await n8n.restart();
			await waitLive();
		}

		async function runWatchdog() {
			if (!watchdog) {
				const hookPath = `klivo-watchdog-${dialect}`;
				const wf = await n8n.api('POST', '/workflows', S.watchdogWorkflow({ url: productionUrl(), events, cred: creds[dialect], path: hookPath, name: `Klivo watchdog (${dialect})` }));
				expect(await n8n.activateWorkflow(wf.id)).toMatchObject({ ok: true });
				watchdog = { id: wf.id, path: hookPath };
			}
			const r = await waitFor(
				async () => {
					const res = await S.postJson(n8n.webhook(watchdog.path), {});
					return res.status !== 404 ? res : false;
				},
				{ timeoutMs: 30000, message: 'watchdog webhook live' },
			);
			expect(r.status).toBe(200);
			return r.json[0];
		}

		beforeAll(async () => {
			sim = sims[dialect];
			sim.reset();
			const built = S.triggerWorkflow({ name: `Klivo events (${dialect})`, cred: creds[dialect], events });
			webhookId = built.webhookId;
			const wf = await n8n.api('POST', '/workflows', built.workflow);
			wfId = wf.id;
		});

		afterAll(async () => {
			if (active) await n8n.deactivateWorkflow(wfId).catch(() => {});
			if (watchdog) await n8n.deactivateWorkflow(watchdog.id).catch(() => {});
		});

		test('activation registers exactly one webhook with the right events and URL, in at most 2 requests', async () => {
			const requests = await activate();
			expect(requests.length).toBeLessThanOrEqual(2);
			expect(requests.map((r) => r.route)).toContain('create');
			const all = sim.webhooks(1);
			expect(all).toHaveLength(1);
			const hook = all[0];
			registeredUrl = hook.url;
			expect(hook.subscriptions).toEqual(['message_created']);
			expect(hook.active).toBe(true);
			expect(hook.name).toBe(`n8n: Klivo events (${dialect}) / Klivo Trigger`);
			const url = new URL(hook.url);
			expect(`${url.origin}${url.pathname}`).toBe(productionUrl());
			// under WEBHOOK_URL (the proxy), not n8n's own address
			expect(n8n.webhookUrl).toBe(proxy.url);
			expect(hook.url.startsWith(`${proxy.url}webhook/${webhookId}/klivo?`)).toBe(true);
			expect(url.port).not.toBe(String(n8n.port));
			const token = url.searchParams.get('klivo_token');
			expect(token).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/));
			expect(hook.url).not.toContain('admin-token-1');
			if (dialect === 'chatwoot') expect(hook.secret).toEqual(expect.any(String));
			S.log(`n8n ${version} ${dialect}: activation requests ${JSON.stringify(requests.map((r) => `${r.method} ${r.route} ${r.status}`))}; registered ${hook.url.replace(/klivo_token=[^&]+/, 'klivo_token=…')}`);
		});

		test('an emitted incoming message starts one execution whose item is the parsed event', async () => {
			const before = await count();
			expect(before).toBe(0);
			const results = await sim.emit(1, 'message_created.incoming');
			expect(results).toHaveLength(1);
			expect(results[0].ok).toBe(true);
			expect(results[0].status).toBeGreaterThanOrEqual(200);
			expect(results[0].status).toBeLessThan(300);
			const list = await S.waitForExecutions(n8n, wfId, 1);
			expect(list).toHaveLength(1);
			const exec = list[0];
			expect(exec.status).toBe('success');
			expect(exec.mode).toBe('webhook');
			const items = S.nodeOutput(exec, 'Klivo Trigger');
			expect(items).toHaveLength(1);
			const item = items[0];
			expect(item).toMatchObject({ event: 'message_created', content: INCOMING.content, id: INCOMING.id, message_type: 'incoming' });
			expect(item.klivo).toMatchObject({
				event: 'message_created',
				deliveredEvent: 'message_created',
				messageText: INCOMING.content,
				messageType: 'incoming',
				isPrivate: false,
				conversationId: 1287,
				inboxId: 12,
				sender: { type: 'contact', id: 845, name: 'Maria Souza' },
				contact: expect.objectContaining({ id: 845, name: 'Maria Souza' }),
			});
			expect(item.klivo.delivery).toMatchObject(
				dialect === 'chatwoot' ? { verifiedBy: 'signature', signatureVerified: true } : { verifiedBy: 'urlToken', signatureVerified: false },
			);
			expect(JSON.stringify(item)).not.toMatch(/klivo_token=|admin-token-1/);
			if (dialect === 'chatwoot') expect(JSON.stringify(item)).not.toContain(sim.webhooks(1)[0].secret);
			expect(S.nodeOutput(exec, 'No Operation, do nothing')[0].klivo.messageText).toBe(INCOMING.content);
		});

		test("n8n answers an accepted delivery 2xx, and not with the text 'firstEntryJson'", async () => {
			const before = await count();
			// Its own content: the same signed content twice (the emit above, in the same second) is run once.
			const r = await validDelivery({ ...INCOMING, content: `accepted delivery check ${dialect}` });
			expect(r.status).toBeGreaterThanOrEqual(200);
			expect(r.status).toBeLessThan(300);
			expect(r.text).not.toMatch(/firstEntryJson/);
			if (r.text !== '') expect(() => JSON.parse(r.text)).not.toThrow();
			S.log(`OBSERVATION n8n ${version} ${dialect}: accepted delivery answered ${r.status} content-type=${r.headers.get('content-type')} body=${JSON.stringify(r.text)}`);
			await S.waitForExecutions(n8n, wfId, before + 1);
		});

		test('filtered and unselected events are answered 2xx and start no execution', async () => {
			const before = await count();
			// an agent's reply: filtered by the default Message Types = Incoming
			const outgoing = await sim.emit(1, 'message_created.outgoing_agent');
			expect(outgoing).toEqual([expect.objectContaining({ ok: true })]);
			// a private note
			const note = await sim.emit(1, 'message_created.incoming', { overrides: { private: true } });
			expect(note).toEqual([expect.objectContaining({ ok: true })]);
			// an event the trigger did not select (Klivo would not send it; a genuine delivery by hand)
			const unselected = await validDelivery(fixture('contact_created'));
			expect(unselected.status).toBe(200);
			expect(unselected.json).toMatchObject({ received: true, ignored: expect.stringMatching(/not selected/) });
			S.log(`OBSERVATION n8n ${version} ${dialect}: ignored delivery answered ${unselected.status} body=${unselected.text}`);
			await S.sleep(1000);
			expect(await count()).toBe(before);
			await expectEventArrives(`sentinel after filtered ${dialect}`);
			expect(await count()).toBe(before + 1);
		});

		test('deactivation removes the webhook in 1 request; re-activation registers exactly one again', async () => {
			const off = await deactivate();
			expect(sim.webhooks(1)).toHaveLength(0);
			expect(off.length).toBe(1);
			expect(off[0]).toMatchObject({ route: 'delete', status: 200 });
			const on = await activate();
			expect(on.length).toBeLessThanOrEqual(2);
			expect(ours()).toHaveLength(1);
			expect(sim.webhooks(1)[0].url).toBe(registeredUrl);
			// and once more: toggling never leaves duplicates behind
			await deactivate();
			await activate();
			expect(sim.webhooks(1)).toHaveLength(1);
			await expectEventArrives(`after re-activation ${dialect}`);
		});

		test('activating an already registered workflow again adopts its webhook (no duplicate)', async () => {
			// n8n 2.x: publishing an active workflow again; 1.x: activate is a no-op when active
			const r = await n8n.activateWorkflow(wfId);
			expect(r).toMatchObject({ ok: true });
			expect(ours()).toHaveLength(1);
		});

		test('publishing an edit of the active workflow (public API PUT) keeps exactly one webhook, with the new events', async () => {
			const current = await n8n.api('GET', `/workflows/${wfId}`);
			const nodes = current.nodes.map((n) => (n.type === S.TRIGGER_TYPE ? { ...n, parameters: { ...n.parameters, events: ['message_created', 'conversation_created'] } } : n));
			sim.clearRequests();
			const put = await n8n.api('PUT', `/workflows/${wfId}`, { name: current.name, nodes, connections: current.connections, settings: current.settings });
			if (n8n.major >= 2) await n8n.waitForPublication(wfId, { versionId: put.versionId, until: 'published' });
			events = ['message_created', 'conversation_created'];
			S.log(`OBSERVATION n8n ${version} ${dialect}: PUT of the active workflow -> requests ${JSON.stringify(sim.requests.map((r) => `${r.route} ${r.status}`))}`);
			expect(ours()).toHaveLength(1);
			expect(sim.webhooks(1)).toHaveLength(1);
			expect([...ours()[0].subscriptions].sort()).toEqual(['conversation_created', 'message_created']);
			expect(ours()[0].url).toBe(registeredUrl);
			// an edit that does not touch the trigger
			const again = await n8n.api('GET', `/workflows/${wfId}`);
			const put2 = await n8n.api('PUT', `/workflows/${wfId}`, { name: `${again.name} (edited)`, nodes: again.nodes, connections: again.connections, settings: again.settings });
			if (n8n.major >= 2) await n8n.waitForPublication(wfId, { versionId: put2.versionId, until: 'published' });
			expect(sim.webhooks(1)).toHaveLength(1);
			await expectEventArrives(`after publishing an edit ${dialect}`);
		});

		test('forged deliveries get 401 and start no execution', async () => {
			const before = await count();
			const body = toRailsJson({ ...INCOMING, content: 'forged' });
			const hook = ours()[0];
			const wrongToken = new URL(hook.url);
			wrongToken.searchParams.set('klivo_token', 'A'.repeat(32));
			const attempts = [
				['no token', productionUrl(), {}],
				['wrong token', wrongToken.toString(), {}],
			];
			if (dialect === 'chatwoot') {
				const ts = String(Math.floor(Date.now() / 1000));
				attempts.push(['right URL, no signature', hook.url, {}]);
				attempts.push(['right URL, bad signature', hook.url, { 'x-chatwoot-timestamp': ts, 'x-chatwoot-delivery': S.uuid(), 'x-chatwoot-signature': sign('not-the-secret', ts, body) }]);
				attempts.push(['right URL, stale timestamp', hook.url, { 'x-chatwoot-timestamp': '1700000000', 'x-chatwoot-delivery': S.uuid(), 'x-chatwoot-signature': sign(hook.secret, '1700000000', body) }]);
			}
			for (const [what, url, headers] of attempts) {
				const r = await S.postJson(url, null, { raw: body, headers });
				expect({ what, status: r.status }).toEqual({ what, status: 401 });
			}
			await S.sleep(1000);
			expect(await count()).toBe(before);
			await expectEventArrives(`sentinel after forged ${dialect}`);
			const list = await S.executions(n8n, wfId);
			expect(list).toHaveLength(before + 1);
			expect(JSON.stringify(list.map((e) => S.nodeOutput(e, 'Klivo Trigger')))).not.toContain('"forged"');
		});

		if (dialect === 'chatwoot') {
			test('the signature is checked over the raw request bytes (n8n passes rawBody), and a replay is refused', async () => {
				const before = await count();
				// bytes a re-serialisation of the parsed body would not reproduce
				const payload = { ...INCOMING, content: 'raw <bytes> & "quotes" é' };
				const raw = JSON.stringify(payload, null, 3);
				expect(raw).not.toBe(toRailsJson(JSON.parse(raw)));
				const deliveryId = S.uuid();
				const r = await validDelivery(null, { raw, deliveryId });
				expect(r.status).toBe(200);
				const list = await S.waitForExecutions(n8n, wfId, before + 1);
				expect(S.nodeOutput(list[0], 'Klivo Trigger')[0].klivo.messageText).toBe(payload.content);
				const replay = await validDelivery(null, { raw, deliveryId });
				expect(replay.status).toBe(401);
				await S.sleep(500);
				expect(await count()).toBe(before + 1);
			});
		}

		// Guards the in-memory "learned secret" of trigger/secretRefresh.ts: a secret learned after a
		// signature mismatch must never outrank the one the next activation stored (else Klivo's genuine
		// deliveries are refused with 401 until the 30 s refresh window has passed).
		test('a forged delivery does not lock Klivo out after the next re-activation', async () => {
			// a forged delivery first (a bad signature where the webhook is signed), then a plain
			// deactivate + activate: Klivo's next genuine delivery must get in
			const hook = ours()[0];
			const body = toRailsJson({ ...INCOMING, content: 'forged again' });
			const ts = String(Math.floor(Date.now() / 1000));
			const forged = await S.postJson(hook.url, null, {
				raw: body,
				headers: dialect === 'chatwoot' ? { 'x-chatwoot-timestamp': ts, 'x-chatwoot-delivery': S.uuid(), 'x-chatwoot-signature': sign('not-the-secret', ts, body) } : {},
			});
			if (dialect === 'chatwoot') expect(forged.status).toBe(401);
			await deactivate();
			await activate();
			expect(ours()).toHaveLength(1);
			const before = await count();
			const results = await sim.emit(1, 'message_created.incoming', { overrides: { content: `after forged + re-activation ${dialect}` } });
			if (!results[0].ok) {
				S.log(`BUG n8n ${version} ${dialect}: after a forged delivery and a re-activation, Klivo's genuine delivery was answered ${results[0].status}; n8n log: ${JSON.stringify(n8n.logs().split('\n').filter((l) => /Klivo Trigger/.test(l)).slice(-2))}`);
			}
			expect(results).toEqual([expect.objectContaining({ ok: true })]);
			await S.waitForExecutions(n8n, wfId, before + 1);
		});

		test('an n8n restart keeps exactly one webhook, and events still arrive', async () => {
			sim.clearRequests();
			const t0 = Date.now();
			await n8n.restart();
			await waitLive();
			S.log(`OBSERVATION n8n ${version} ${dialect}: restart took ${((Date.now() - t0) / 1000).toFixed(1)} s; Klivo requests during restart: ${JSON.stringify(sim.requests.map((r) => `${r.route} ${r.status}`))}`);
			expect(sim.requests.length).toBeLessThanOrEqual(2);
			expect(sim.webhooks(1)).toHaveLength(1);
			expect(ours()[0].url).toBe(registeredUrl);
			await expectEventArrives(`after restart ${dialect}`);
		});

		test('a webhook deleted while n8n was stopped is healed by re-activation', async () => {
			await fresh();
			const id = ours()[0].id;
			await whileStopped(() => sim.deleteWebhookDirect(1, id));
			const healedByRestart = ours().length === 1;
			S.log(`OBSERVATION n8n ${version} ${dialect}: after a restart, a webhook deleted while n8n was stopped is ${healedByRestart ? 'ALREADY re-created by the restart' : 'still missing'}`);
			// exercise the documented remedy on both versions: the webhook is missing when it runs
			for (const w of ours()) sim.deleteWebhookDirect(1, w.id);
			const off = await deactivate();
			// A delete that finds nothing counts as done, after one look for a copy re-created under another id.
			expect(off.map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 404', 'GET 200']);
			const on = await activate();
			expect(on.length).toBeLessThanOrEqual(2);
			expect(ours()).toHaveLength(1);
			expect(sim.webhooks(1)).toHaveLength(1);
			expect(ours()[0]).toMatchObject({ url: registeredUrl, active: true });
			expect([...ours()[0].subscriptions].sort()).toEqual([...events].sort());
			await expectEventArrives(`after healing a deleted webhook by re-activation ${dialect}`);
		});

		if (dialect === 'klivo') {
			test('a webhook Klivo disabled while n8n was stopped is re-enabled by re-activation', async () => {
				await fresh();
				const id = ours()[0].id;
				await whileStopped(() => sim.disableWebhookDirect(1, id));
				const healedByRestart = ours()[0].active === true;
				S.log(`OBSERVATION n8n ${version} ${dialect}: after a restart, a webhook disabled while n8n was stopped is ${healedByRestart ? 'ALREADY re-enabled by the restart' : 'still disabled'}`);
				if (healedByRestart) sim.disableWebhookDirect(1, id);
				expect(await sim.emit(1, 'message_created.incoming')).toEqual([]); // disabled: Klivo sends nothing
				await deactivate();
				expect(sim.webhooks(1)).toHaveLength(0);
				const on = await activate();
				expect(on.length).toBeLessThanOrEqual(2);
				expect(ours()).toHaveLength(1);
				expect(ours()[0].active).toBe(true);
				await expectEventArrives(`after re-enabling by re-activation ${dialect}`);
			});
		}

		test('a leftover webhook with the trigger URL is adopted by the next activation (no duplicate)', async () => {
			await fresh();
			await deactivate();
			expect(sim.webhooks(1)).toHaveLength(0);
			// e.g. a deactivation that could not reach Klivo: the registration is still there, with other events
			const leftover = sim.addWebhookDirect(1, { url: registeredUrl, subscriptions: ['contact_created'] });
			const on = await activate();
			expect(on.length).toBeLessThanOrEqual(2);
			expect(on.map((r) => r.route)).not.toContain('create');
			expect(sim.webhooks(1)).toHaveLength(1);
			expect(ours()[0]).toMatchObject({ id: leftover.id, url: registeredUrl, active: true });
			expect([...ours()[0].subscriptions].sort()).toEqual([...events].sort());
			await expectEventArrives(`after adopting a leftover ${dialect}`);
		});

		test('the watchdog workflow re-creates a webhook deleted while n8n was stopped, and events arrive again', async () => {
			await fresh();
			const id = ours()[0].id;
			await whileStopped(() => sim.deleteWebhookDirect(1, id));
			for (const w of ours()) sim.deleteWebhookDirect(1, w.id); // 1.x re-creates it at start: make the watchdog do it
			sim.clearRequests();
			const out = await runWatchdog();
			expect(out).toMatchObject({ action: 'created' });
			expect([...out.events].sort()).toEqual([...events].sort());
			expect(out.url).toContain('klivo_token=REDACTED');
			expect(sim.countRequests({})).toBe(2); // list + create
			expect(sim.webhooks(1)).toHaveLength(1);
			expect(ours()[0]).toMatchObject({ url: registeredUrl, active: true });
			expect([...ours()[0].subscriptions].sort()).toEqual([...events].sort());
			await expectEventArrives(`after the watchdog re-created the webhook ${dialect}`);
		});

		if (dialect === 'klivo') {
			test('the watchdog workflow re-enables a webhook Klivo disabled while n8n was stopped', async () => {
				await fresh();
				const id = ours()[0].id;
				await whileStopped(() => sim.disableWebhookDirect(1, id));
				if (ours()[0].active) sim.disableWebhookDirect(1, id); // 1.x re-enables it at start
				const out = await runWatchdog();
				expect(out).toMatchObject({ action: 'updated', id, active: true });
				expect(ours()).toHaveLength(1);
				expect(ours()[0]).toMatchObject({ id, active: true, url: registeredUrl });
				await expectEventArrives(`after the watchdog re-enabled the webhook ${dialect}`);
				// README: `changed` names what changed; only the enabled state did
				expect(out.changed).toEqual(['enabled']);
			});
		}

		// The watchdog's Ensure gives the webhook a new id that the trigger's static data does not know;
		// deactivation must still delete it (not only the stale id, whose 404 counts as "already gone").
		test('after the watchdog re-created the webhook, deactivation still removes it', async () => {
			await fresh();
			sim.deleteWebhookDirect(1, ours()[0].id);
			const out = await runWatchdog();
			expect(out).toMatchObject({ action: 'created' });
			expect(ours()).toHaveLength(1);
			const off = await deactivate();
			S.log(`OBSERVATION n8n ${version} ${dialect}: deactivation after a watchdog re-creation -> requests ${JSON.stringify(off.map((r) => `${r.method} ${r.path} ${r.status}`))}, webhooks left ${JSON.stringify(sim.webhooks(1).map((w) => w.id))}`);
			expect(sim.webhooks(1)).toHaveLength(0);
		});
	});

	// ---------------------------------------------------------------------------------------------
	describe('a Klivo Trigger saved as typeVersion 1 (before version 1.1 existed)', () => {
		test.each(DIALECTS)('activates, emits, refuses, and deactivates as before (%s dialect)', async (dialect) => {
			const sim = sims[dialect];
			sim.reset();
			const built = S.triggerWorkflow({ name: `Klivo v1 (${dialect})`, cred: creds[dialect], typeVersion: 1 });
			const wf = await n8n.api('POST', '/workflows', built.workflow);
			try {
				expect(await n8n.activateWorkflow(wf.id)).toMatchObject({ ok: true });
				const hooks = sim.webhooks(1);
				expect(hooks).toHaveLength(1);
				const delivered = await sim.emit(1, 'message_created.incoming');
				expect(delivered).toEqual([expect.objectContaining({ ok: true })]);
				const list = await S.waitForExecutions(n8n, wf.id, 1);
				expect(S.nodeOutput(list[0], 'Klivo Trigger')[0]).toMatchObject({ event: 'message_created', klivo: { event: 'message_created' } });
				const forged = await S.postJson(n8n.webhook(`${built.webhookId}/klivo`), { event: 'message_created', id: 1, conversation: {} });
				expect(forged.status).toBe(401);
				await S.sleep(300);
				expect(await S.executions(n8n, wf.id)).toHaveLength(1);
			} finally {
				await n8n.deactivateWorkflow(wf.id);
				expect(sim.webhooks(1)).toHaveLength(0);
			}
		});

		test('n8n offers version 1.1 to new nodes and still knows version 1', async () => {
			const versions = await n8n.nodeTypeVersions(S.TRIGGER_TYPE);
			expect(versions).toEqual(expect.arrayContaining([1, 1.1]));
		});
	});

	describe('Conversation Resolved', () => {
		test.each(DIALECTS)('the trigger subscribes what the %s dialect accepts and emits conversation_resolved', async (dialect) => {
			const sim = sims[dialect];
			sim.reset();
			const built = S.triggerWorkflow({ name: `Klivo resolved (${dialect})`, cred: creds[dialect], events: ['conversation_resolved'] });
			const wf = await n8n.api('POST', '/workflows', built.workflow);
			try {
				sim.clearRequests();
				expect(await n8n.activateWorkflow(wf.id)).toMatchObject({ ok: true });
				S.log(`n8n ${version} ${dialect}: Conversation Resolved activation requests ${JSON.stringify(sim.requests.map((r) => `${r.route} ${r.status}`))}`);
				expect(sim.requests.length).toBeLessThanOrEqual(2);
				const hooks = sim.webhooks(1);
				expect(hooks).toHaveLength(1);
				expect(hooks[0].subscriptions).toEqual(dialect === 'chatwoot' ? ['conversation_status_changed'] : ['conversation_resolved']);

				// a status change that is not a resolution starts nothing
				const open = await sim.emit(1, 'conversation_status_changed.resolved', { overrides: { status: 'open' } });
				if (dialect === 'chatwoot') expect(open).toEqual([expect.objectContaining({ ok: true })]);
				else expect(open).toEqual([]); // Klivo sends conversation_resolved only for resolutions

				const resolved = await sim.emit(1, 'conversation_status_changed.resolved');
				expect(resolved).toEqual([expect.objectContaining({ ok: true })]);
				const list = await S.waitForExecutions(n8n, wf.id, 1);
				await S.sleep(500);
				expect(await S.executions(n8n, wf.id)).toHaveLength(1);
				const item = S.nodeOutput(list[0], 'Klivo Trigger')[0];
				expect(item.event).toBe('conversation_resolved');
				expect(item.klivo).toMatchObject({
					event: 'conversation_resolved',
					deliveredEvent: dialect === 'chatwoot' ? 'conversation_status_changed' : 'conversation_resolved',
					conversationId: 1287,
					conversationStatus: 'resolved',
					inboxId: 12,
				});
			} finally {
				sim.clearRequests();
				await n8n.deactivateWorkflow(wf.id);
				expect(sim.requests.length).toBe(1);
				expect(sim.webhooks(1)).toHaveLength(0);
			}
		});
	});
});
