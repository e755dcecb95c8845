'use strict';
/**
 * Queue mode (n8n "scaling mode"): the packed n8n-nodes-klivo in a real n8n 2.41.1 cluster of
 *
 *   main (`n8n start`: editor, public API, activation; N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true),
 *   one webhook processor (`n8n webhook`: receives every Klivo delivery),
 *   one worker (`n8n worker`: runs the executions),
 *
 * sharing PostgreSQL and Redis from Debian's packages (scripts/queue-services.sh installs them on
 * first use, as root, and runs private instances on loopback), against the Klivo simulator in both
 * dialects. Then the same burst against a single-process n8n (sqlite, regular mode, the end-to-end
 * harness) for comparison; the figures are printed at the end ("[klivo-queue] FIGURES ...").
 *
 * Runs as part of `npm test` (jest). Alone: `npx jest test/queue`. Settings:
 *   KLIVO_QUEUE_BURST=1000             deliveries in the burst
 *   KLIVO_QUEUE_BURST_CONCURRENCY=20   connections the burst uses
 *   KLIVO_QUEUE_SKIP_SINGLE=1          skip the single-process comparison
 *   KLIVO_QUEUE_N8N_ENV='{"K":"v"}'    more n8n settings for every n8n process (e.g. an expression engine)
 *   KLIVO_E2E_TARBALL=path.tgz         use this tarball instead of building and packing
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startSimulator, sign, toRailsJson, FIXTURES_DIR } = require('../../tools/simulator/server.js');
const { startN8n, waitFor } = require('../../tools/n8n/harness.js');
const S = require('../e2e/support.js');
const C = require('./cluster.js');
const B = require('./burst.js');

const VERSION = '2.41.1';
const DIALECTS = ['klivo', 'chatwoot'];
const BURST = Number(process.env.KLIVO_QUEUE_BURST || 1000);
const BURST_CONCURRENCY = Number(process.env.KLIVO_QUEUE_BURST_CONCURRENCY || 20);
const EXTRA_ENV = process.env.KLIVO_QUEUE_N8N_ENV ? JSON.parse(process.env.KLIVO_QUEUE_N8N_ENV) : {};
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8'));
const INCOMING = fixture('message_created.incoming');

const log = (m) => process.stderr.write(`[klivo-queue ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

jest.setTimeout(240000);

let services;
let workDir;
let tarball;
const timings = {};
const figures = {};
const suiteStart = Date.now();
const loadAtStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');

beforeAll(() => {
	let t0 = Date.now();
	services = C.startServices({ dir: C.mkTemp('klivo-queue-services-'), say: log });
	timings.services = (Date.now() - t0) / 1000;
	log(`PostgreSQL on 127.0.0.1:${services.env.DB_POSTGRESDB_PORT}, Redis on 127.0.0.1:${services.env.QUEUE_BULL_REDIS_PORT} (${timings.services.toFixed(1)} s, apt install included when it ran)`);
	workDir = C.mkTemp('klivo-queue-');
	t0 = Date.now();
	tarball = S.buildAndPack(workDir);
	timings.pack = (Date.now() - t0) / 1000;
	log(`built and packed ${path.basename(tarball)} in ${timings.pack.toFixed(1)} s`);
}, 540000);

afterAll(() => {
	if (services) services.stop({ purge: true });
	if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
	const q = figures.queue;
	const s = figures.single;
	const row = (name, f) =>
		f
			? `| ${name} | ${f.count} | ${f.ok2xx} | ${f.executions} | ${f.ackRps.toFixed(0)} req/s | ${f.p50.toFixed(1)} / ${f.p99.toFixed(1)} ms | ${f.execRps.toFixed(0)} executions/s (${f.execSeconds.toFixed(1)} s) | ${f.cpuTotalPerDelivery.toFixed(1)} ms (${Object.entries(f.cpuPerDelivery).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}) |`
			: `| ${name} | not measured | | | | | | |`;
	log(
		[
			`FIGURES n8n ${VERSION}${Object.keys(EXTRA_ENV).length ? ` with ${JSON.stringify(EXTRA_ENV)}` : ''}, ${BURST} signed deliveries (Chatwoot dialect) over ${BURST_CONCURRENCY} connections, Klivo Trigger -> No Operation:`,
			'| setup | sent | 2xx | executions | acknowledged | latency p50 / p99 | all executed | CPU per delivery |',
			'| --- | --- | --- | --- | --- | --- | --- | --- |',
			row('queue mode: 1 webhook processor + 1 worker (PostgreSQL, Redis)', q),
			row('single process (sqlite, regular mode)', s),
			q && s ? `queue / single: acknowledged ${(q.ackRps / s.ackRps).toFixed(2)}x, all executed ${(q.execRps / s.execRps).toFixed(2)}x` : '',
			`machine: ${os.cpus().length} cores, load average before the file ${loadAtStart}, now ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
			`timings: ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])))}; whole file ${((Date.now() - suiteStart) / 1000).toFixed(0)} s`,
		].join('\n'),
	);
}, 120000);

/** A delivery as Klivo makes it: to the registered URL (its token), signed where the webhook has a secret. */
function delivery(hook, dialect, payload, { raw, deliveryId = S.uuid(), timestamp } = {}) {
	const body = raw !== undefined ? raw : toRailsJson(payload);
	const headers = { 'user-agent': 'Klivo-Webhook/1.0' };
	if (dialect === 'chatwoot') {
		const ts = timestamp || String(Math.floor(Date.now() / 1000));
		headers['x-chatwoot-delivery'] = deliveryId;
		headers['x-chatwoot-timestamp'] = ts;
		headers['x-chatwoot-signature'] = sign(hook.secret, ts, body);
	}
	return { url: hook.url, body, headers };
}

const send = (d) => S.postJson(d.url, null, { raw: d.body, headers: d.headers });

/** Execution ids a process logged with this verb ("Enqueued execution 12", "Worker finished execution 12"). */
function loggedIds(text, pattern) {
	return new Set([...text.matchAll(pattern)].map((m) => m[1]));
}

/**
 * Burst of BURST signed deliveries, each with its own marker, delivery id and signature; then
 * waits for the executions and checks every marker was executed exactly once. Resolves the figures.
 */
async function measureBurst({ n8n, workflowId, hook, tag, cpuRoots }) {
	const before = await B.latestExecutionId(n8n);
	const cpuBefore = B.cpuByTree(cpuRoots());
	const load = await B.fire({
		url: hook.url,
		count: BURST,
		concurrency: BURST_CONCURRENCY,
		build: (i) => {
			const d = delivery(hook, 'chatwoot', { ...INCOMING, id: 900000 + i, content: `${tag} #${i}` });
			return { body: d.body, headers: d.headers };
		},
	});
	const settled = await B.settle(n8n, workflowId, before, load.ok2xx, { timeoutMs: 240000 });
	const cpuAfter = B.cpuByTree(cpuRoots());
	const cpuPerDelivery = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, (cpuAfter[k] - cpuBefore[k]) / BURST]));
	const withData = await B.executionsSince(n8n, workflowId, before, { includeData: true });
	const markers = withData.map((e) => {
		const out = S.nodeOutput(e, 'Klivo Trigger');
		return out && out[0] && out[0].klivo ? out[0].klivo.messageText : null;
	});
	const perMarker = B.countBy(markers, (m) => m);
	const stops = withData.map((e) => Date.parse(e.stoppedAt)).filter(Number.isFinite);
	const execSeconds = (Math.max(...stops) - load.startedAt) / 1000;
	const result = {
		count: BURST,
		concurrency: BURST_CONCURRENCY,
		ok2xx: load.ok2xx,
		byStatus: load.byStatus,
		errors: load.errors,
		samples: load.samples,
		ackSeconds: load.seconds,
		ackRps: load.ok2xx / load.seconds,
		p50: load.p50,
		p99: load.p99,
		executions: withData.length,
		executionStatus: B.countBy(withData, (e) => e.status),
		distinctMarkers: Object.keys(perMarker).filter((m) => m !== 'null').length,
		duplicated: Object.entries(perMarker).filter(([, n]) => n > 1).length,
		missing: Array.from({ length: BURST }, (_, i) => `${tag} #${i}`).filter((m) => !perMarker[m]).length,
		execSeconds,
		execRps: withData.length / execSeconds,
		settleTimedOut: settled.timedOut,
		executionIds: withData.map((e) => String(e.id)),
		modes: B.countBy(withData, (e) => e.mode),
		cpuPerDelivery,
		cpuTotalPerDelivery: Object.values(cpuPerDelivery).reduce((a, b) => a + b, 0),
	};
	log(
		`${tag}: ${result.ok2xx}/${BURST} answered 2xx (${JSON.stringify(result.byStatus)}) in ${result.ackSeconds.toFixed(1)} s = ${result.ackRps.toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms; ` +
			`${result.executions} executions ${JSON.stringify(result.executionStatus)}, all finished ${result.execSeconds.toFixed(1)} s after the first request = ${result.execRps.toFixed(0)} executions/s; ` +
			`distinct markers ${result.distinctMarkers}, duplicated ${result.duplicated}, missing ${result.missing}; ` +
			`CPU per delivery ${Object.entries(cpuPerDelivery).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')} (total ${result.cpuTotalPerDelivery.toFixed(1)} ms)`,
	);
	return result;
}

function expectExactlyOnce(r) {
	expect({ answered2xx: r.ok2xx, errors: r.errors, samples: r.samples }).toEqual({ answered2xx: BURST, errors: 0, samples: [] });
	expect(r.settleTimedOut).toBe(false);
	expect(r.executions).toBe(BURST);
	expect(r.executionStatus).toEqual({ success: BURST });
	expect(r.distinctMarkers).toBe(BURST);
	expect(r.duplicated).toBe(0);
	expect(r.missing).toBe(0);
	expect(r.modes).toEqual({ webhook: BURST });
}

// =================================================================================================
describe(`n8n ${VERSION} in queue mode: main + webhook processor + worker, PostgreSQL + Redis`, () => {
	let cluster;
	const sims = {};
	const creds = {};
	const flows = {}; // dialect -> { id, webhookId }
	/** The simulator's webhooks with this dialect's trigger URL. */
	const hookOf = (dialect) => sims[dialect].webhooks(1).filter((w) => w.url.includes(`/webhook/${flows[dialect].webhookId}/klivo`));
	const count = async (dialect) => (await S.executions(cluster.main, flows[dialect].id)).length;

	beforeAll(async () => {
		for (const dialect of DIALECTS) sims[dialect] = await startSimulator({ dialect });
		const t0 = Date.now();
		cluster = await C.startCluster({ services, tarball, version: VERSION, workDir, say: log, extraEnv: EXTRA_ENV });
		timings.clusterStart = (Date.now() - t0) / 1000;
		for (const dialect of DIALECTS) {
			creds[dialect] = await cluster.main.createCredential({
				name: `Klivo ${dialect}`,
				type: 'klivoApi',
				data: { baseUrl: sims[dialect].url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 },
			});
			const built = S.triggerWorkflow({ name: `Klivo queue (${dialect})`, cred: creds[dialect], events: ['message_created'] });
			const wf = await cluster.main.api('POST', '/workflows', built.workflow);
			flows[dialect] = { id: wf.id, webhookId: built.webhookId };
		}
	}, 420000);

	afterAll(async () => {
		if (cluster) {
			for (const [role, text] of Object.entries(cluster.logs())) {
				const lines = [...new Set(text.split('\n').filter((l) => /klivo/i.test(l) && /warn|error|could not|failed/i.test(l)))];
				log(`n8n ${role}: ${lines.length} distinct log lines about Klivo warnings/errors${lines.length ? `:\n  ${lines.slice(0, 15).join('\n  ')}` : ''}`);
			}
			await cluster.stop();
		}
		for (const sim of Object.values(sims)) await sim.close();
	}, 120000);

	test('every process loaded the package, and production webhooks are served by the webhook processor only', async () => {
		const types = await cluster.main.listNodeTypes();
		expect(types).toEqual(expect.arrayContaining([S.ACTION_TYPE, S.TRIGGER_TYPE]));
		for (const role of ['main', 'webhook', 'worker']) {
			const pkg = path.join(cluster.folders[role], '.n8n', 'nodes', 'node_modules', 'n8n-nodes-klivo', 'package.json');
			expect(JSON.parse(fs.readFileSync(pkg, 'utf8')).name).toBe('n8n-nodes-klivo');
			expect(cluster.logs()[role]).not.toMatch(/n8n-nodes-klivo[^\n]*(could not be loaded|failed to load)/i);
		}
		expect(cluster.webhook.logs()).toContain('Webhook listener waiting for requests.');
		expect(cluster.worker.logs()).toContain('n8n worker is now ready');
		// the worker's readiness endpoint checks its PostgreSQL and Redis connections
		expect((await fetch(`${cluster.worker.url}/healthz/readiness`)).status).toBe(200);
		expect(cluster.main.webhookUrl).toBe(cluster.webhookUrl);
	});

	describe.each(DIALECTS)('%s dialect', (dialect) => {
		let sim;

		beforeAll(() => {
			sim = sims[dialect];
		});

		test('activation on main registers exactly one webhook, at the webhook processor, in at most 2 requests', async () => {
			sim.clearRequests();
			const r = await cluster.main.activateWorkflow(flows[dialect].id);
			expect(r).toMatchObject({ ok: true });
			expect(sim.requests.length).toBeLessThanOrEqual(2);
			expect(sim.requests.map((q) => q.route)).toContain('create');
			expect(sim.webhooks(1)).toHaveLength(1);
			const registered = sim.webhooks(1)[0];
			expect(registered.subscriptions).toEqual(['message_created']);
			expect(registered.active).toBe(true);
			const url = new URL(registered.url);
			expect(`${url.origin}${url.pathname}`).toBe(cluster.webhookFor(`${flows[dialect].webhookId}/klivo`));
			expect(url.searchParams.get('klivo_token')).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/));
			if (dialect === 'chatwoot') expect(registered.secret).toEqual(expect.any(String));
			// the webhook processor serves it (a probe without a token is refused by the node: 401, not 404)
			await waitFor(async () => (await S.postJson(cluster.webhookFor(`${flows[dialect].webhookId}/klivo`), { event: 'probe' })).status === 401, {
				timeoutMs: 30000,
				message: 'the trigger URL served by the webhook processor',
			});
			// main does not serve production webhooks (N8N_DISABLE_PRODUCTION_MAIN_PROCESS)
			const onMain = await S.postJson(`${cluster.main.url}/webhook/${flows[dialect].webhookId}/klivo${url.search}`, INCOMING);
			expect(onMain.status).toBe(404);
		});

		test('a delivery to the webhook processor is verified there, enqueued, and run by the worker', async () => {
			const before = await count(dialect);
			const marker = `queue ${dialect} first`;
			const results = await sim.emit(1, 'message_created.incoming', { overrides: { content: marker } });
			expect(results).toEqual([expect.objectContaining({ ok: true })]);
			const list = await S.waitForExecutions(cluster.main, flows[dialect].id, before + 1, 60000);
			expect(list).toHaveLength(before + 1);
			const exec = list[0];
			expect(exec).toMatchObject({ status: 'success', mode: 'webhook' });
			const item = S.nodeOutput(exec, 'Klivo Trigger')[0];
			expect(item.klivo.messageText).toBe(marker);
			expect(item.klivo.delivery).toMatchObject(
				dialect === 'chatwoot' ? { verifiedBy: 'signature', signatureVerified: true } : { verifiedBy: 'urlToken', signatureVerified: false },
			);
			expect(S.nodeOutput(exec, 'No Operation, do nothing')[0].klivo.messageText).toBe(marker);
			const id = String(exec.id);
			await waitFor(() => loggedIds(cluster.worker.logs(), /Worker finished execution (\d+)/g).has(id), { timeoutMs: 15000, message: `worker log line for execution ${id}` });
			expect(loggedIds(cluster.worker.logs(), /Worker started execution (\d+)/g).has(id)).toBe(true);
			expect(loggedIds(cluster.webhook.logs(), /Enqueued execution (\d+)/g).has(id)).toBe(true);
			expect(loggedIds(cluster.main.logs(), /Enqueued execution (\d+)/g).has(id)).toBe(false);
			log(`${dialect}: execution ${id} enqueued by the webhook processor, run by the worker (${exec.startedAt} -> ${exec.stoppedAt})`);
		});

		if (dialect === 'chatwoot') {
			// trigger/secretRefresh.ts runs in the webhook processor: it must find its webhook by the
			// processor's own WEBHOOK_URL and learn the new secret there, without main's help. Runs
			// before the forged deliveries: a signature mismatch starts the 30 s in which no second
			// look-up is made (per process and activation), which would hold back this one.
			test('a webhook re-created with a new secret while active: the webhook processor learns it with one list request', async () => {
				const old = hookOf(dialect)[0];
				sim.deleteWebhookDirect(1, old.id);
				const recreated = sim.addWebhookDirect(1, { url: old.url, subscriptions: old.subscriptions });
				expect(sim.webhooks(1).find((w) => w.id === recreated.id).secret).not.toBe(old.secret);
				const before = await count(dialect);
				sim.clearRequests();
				const first = await sim.emit(1, 'message_created.incoming', { overrides: { content: 'queue new secret 1' } });
				expect(first).toEqual([expect.objectContaining({ ok: true })]);
				expect(sim.requests.map((q) => q.route)).toEqual(['list']);
				const second = await sim.emit(1, 'message_created.incoming', { overrides: { content: 'queue new secret 2' } });
				expect(second).toEqual([expect.objectContaining({ ok: true })]);
				expect(sim.requests.map((q) => q.route)).toEqual(['list']);
				const list = await S.waitForExecutions(cluster.main, flows[dialect].id, before + 2, 60000);
				expect(list.slice(0, 2).map((e) => S.nodeOutput(e, 'Klivo Trigger')[0].klivo.messageText).sort()).toEqual(['queue new secret 1', 'queue new secret 2']);
				// back to a registration that main's static data knows (deactivation removes the copy too)
				await cluster.main.deactivateWorkflow(flows[dialect].id);
				expect(sim.webhooks(1)).toHaveLength(0);
				expect(await cluster.main.activateWorkflow(flows[dialect].id)).toMatchObject({ ok: true });
				expect(sim.webhooks(1)).toHaveLength(1);
				await waitFor(async () => (await S.postJson(cluster.webhookFor(`${flows[dialect].webhookId}/klivo`), { event: 'probe' })).status === 401, {
					timeoutMs: 30000,
					message: 'the trigger URL served again',
				});
			});
		}

		test('forged deliveries are refused 401 by the webhook processor and start nothing', async () => {
			const before = await count(dialect);
			const hook = hookOf(dialect)[0];
			const body = toRailsJson({ ...INCOMING, content: 'forged' });
			const wrongToken = new URL(hook.url);
			wrongToken.searchParams.set('klivo_token', 'A'.repeat(32));
			const attempts = [
				['no token', cluster.webhookFor(`${flows[dialect].webhookId}/klivo`), {}],
				['wrong token', wrongToken.toString(), {}],
			];
			if (dialect === 'chatwoot') {
				const ts = String(Math.floor(Date.now() / 1000));
				attempts.push(['no signature', hook.url, {}]);
				attempts.push(['bad signature', hook.url, { 'x-chatwoot-timestamp': ts, 'x-chatwoot-delivery': S.uuid(), 'x-chatwoot-signature': sign('not-the-secret', ts, body) }]);
				attempts.push(['stale timestamp', hook.url, { 'x-chatwoot-timestamp': '1700000000', 'x-chatwoot-delivery': S.uuid(), 'x-chatwoot-signature': sign(hook.secret, '1700000000', body) }]);
			}
			for (const [what, url, headers] of attempts) {
				const r = await S.postJson(url, null, { raw: body, headers });
				expect({ what, status: r.status }).toEqual({ what, status: 401 });
			}
			if (dialect === 'chatwoot') {
				// a genuine delivery, then the same bytes again: the replay is refused by the same process
				const d = delivery(hook, dialect, { ...INCOMING, content: 'queue replay original' });
				expect((await send(d)).status).toBe(200);
				expect((await send(d)).status).toBe(401);
			}
			await B.sleep(1500);
			expect(await count(dialect)).toBe(before + (dialect === 'chatwoot' ? 1 : 0));
			expect(cluster.webhook.logs()).toMatch(/Klivo Trigger refused a delivery \(HTTP 401\)/);
			expect(cluster.main.logs()).not.toMatch(/Klivo Trigger refused a delivery/);
			const all = await S.executions(cluster.main, flows[dialect].id);
			expect(JSON.stringify(all.map((e) => S.nodeOutput(e, 'Klivo Trigger')))).not.toContain('"forged"');
		});

		test('filtered and unselected events are answered 200 by the webhook processor and start nothing', async () => {
			const before = await count(dialect);
			const hook = hookOf(dialect)[0];
			// an agent's reply (filtered by Message Types = Incoming) and a private note, as Klivo sends them
			expect(await sim.emit(1, 'message_created.outgoing_agent')).toEqual([expect.objectContaining({ ok: true })]);
			expect(await sim.emit(1, 'message_created.incoming', { overrides: { private: true } })).toEqual([expect.objectContaining({ ok: true })]);
			// Content of their own: the same signed content as the emits above, in the same second, would be
			// answered as a repeated delivery before any filter looks at it.
			const filtered = await send(delivery(hook, dialect, { ...fixture('message_created.outgoing_agent'), content: `queue filtered ${dialect}` }));
			expect(filtered.status).toBe(200);
			expect(filtered.json).toMatchObject({ received: true, ignored: expect.stringMatching(/^filtered/) });
			const unselected = await send(delivery(hook, dialect, { ...fixture('contact_created'), name: `queue unselected ${dialect}` }));
			expect(unselected.status).toBe(200);
			expect(unselected.json).toMatchObject({ received: true, ignored: expect.stringMatching(/not selected/) });
			await B.sleep(1500);
			expect(await count(dialect)).toBe(before);
			// and a genuine one right after still runs
			const marker = `queue ${dialect} after filtered`;
			expect(await sim.emit(1, 'message_created.incoming', { overrides: { content: marker } })).toEqual([expect.objectContaining({ ok: true })]);
			const list = await S.waitForExecutions(cluster.main, flows[dialect].id, before + 1, 60000);
			expect(list).toHaveLength(before + 1);
			expect(S.nodeOutput(list[0], 'Klivo Trigger')[0].klivo.messageText).toBe(marker);
		});
	});

	test('a restart of every process keeps exactly one webhook per trigger, and deliveries still run on the (new) worker', async () => {
		for (const sim of Object.values(sims)) sim.clearRequests();
		const hooksBefore = Object.fromEntries(DIALECTS.map((d) => [d, hookOf(d).map((w) => `${w.id} ${w.url}`)]));
		// a signed delivery accepted before the restart, to replay after it
		const chatwootHook = hookOf('chatwoot')[0];
		const early = delivery(chatwootHook, 'chatwoot', { ...INCOMING, content: 'queue replay across restart' });
		expect((await send(early)).status).toBe(200);
		const pidsBefore = [cluster.main.pid, cluster.webhook.pid, cluster.worker.pid];
		timings.restartAll = await cluster.restartAll();
		log(`restart of main, webhook processor and worker: ${timings.restartAll.toFixed(1)} s; Klivo requests during it: ${JSON.stringify(Object.fromEntries(DIALECTS.map((d) => [d, sims[d].requests.map((q) => `${q.route} ${q.status}`)])))}`);
		const pidsAfter = [cluster.main.pid, cluster.webhook.pid, cluster.worker.pid];
		pidsAfter.forEach((pid, i) => expect(pid).not.toBe(pidsBefore[i]));
		for (const dialect of DIALECTS) {
			expect(sims[dialect].requests.filter((q) => q.route !== 'list')).toEqual([]);
			expect(sims[dialect].webhooks(1)).toHaveLength(1);
			expect(hookOf(dialect).map((w) => `${w.id} ${w.url}`)).toEqual(hooksBefore[dialect]);
		}
		for (const dialect of DIALECTS) {
			await waitFor(async () => (await S.postJson(cluster.webhookFor(`${flows[dialect].webhookId}/klivo`), { event: 'probe' })).status === 401, {
				timeoutMs: 60000,
				message: 'the trigger URL served again after the restart',
			});
			const before = await count(dialect);
			const marker = `queue ${dialect} after restart`;
			expect(await sims[dialect].emit(1, 'message_created.incoming', { overrides: { content: marker } })).toEqual([expect.objectContaining({ ok: true })]);
			const list = await S.waitForExecutions(cluster.main, flows[dialect].id, before + 1, 60000);
			expect(S.nodeOutput(list[0], 'Klivo Trigger')[0].klivo.messageText).toBe(marker);
			const id = String(list[0].id);
			await waitFor(() => loggedIds(cluster.worker.logs(), /Worker finished execution (\d+)/g).has(id), { timeoutMs: 15000, message: `worker log line for execution ${id}` });
		}
		// The replay cache lives in the webhook process's memory: a restart empties it, so a replay
		// inside the 5-minute timestamp window is caught only if it reaches the same process before
		// a restart. Recorded here (README "Running at scale"), not asserted either way.
		const replay = await send(early);
		log(`OBSERVATION: a signed delivery replayed after a restart of the webhook processor (within the timestamp window) was answered ${replay.status}${replay.status === 200 ? ' and started an execution: the replay cache is per process and in memory' : ''}`);
	}, 300000);

	test('with the worker stopped, deliveries are still acknowledged 2xx (Klivo counts no failure) and run once a worker is back', async () => {
		await cluster.worker.stop();
		const before = await count('klivo');
		const marker = 'queue while the worker was down';
		expect(await sims.klivo.emit(1, 'message_created.incoming', { overrides: { content: marker } })).toEqual([expect.objectContaining({ ok: true })]);
		expect(sims.klivo.webhooks(1)[0]).toMatchObject({ active: true, consecutiveFailures: 0 });
		await B.sleep(1000);
		const waiting = await S.executions(cluster.main, flows.klivo.id);
		expect(waiting.filter((e) => e.status === 'success')).toHaveLength(before);
		await cluster.worker.start();
		const list = await S.waitForExecutions(cluster.main, flows.klivo.id, before + 1, 60000);
		expect(list).toHaveLength(before + 1);
		expect(list[0].status).toBe('success');
		expect(S.nodeOutput(list[0], 'Klivo Trigger')[0].klivo.messageText).toBe(marker);
	}, 180000);

	test(`a burst of ${BURST} signed deliveries through the webhook processor: all 2xx, each executed exactly once, by the worker`, async () => {
		const hook = hookOf('chatwoot')[0];
		const t0 = Date.now();
		const cpuRoots = () => ({ main: cluster.main.pid, webhook: cluster.webhook.pid, worker: cluster.worker.pid, ...services.pids() });
		const r = await measureBurst({ n8n: cluster.main, workflowId: flows.chatwoot.id, hook, tag: 'queue burst', cpuRoots });
		timings.queueBurst = (Date.now() - t0) / 1000;
		figures.queue = r;
		expectExactlyOnce(r);
		// every one of them enqueued by the webhook processor and run by the worker
		const enqueued = loggedIds(cluster.webhook.logs(), /Enqueued execution (\d+)/g);
		await waitFor(() => r.executionIds.every((id) => loggedIds(cluster.worker.logs(), /Worker finished execution (\d+)/g).has(id)), {
			timeoutMs: 30000,
			message: 'worker log lines for every burst execution',
		});
		const started = loggedIds(cluster.worker.logs(), /Worker started execution (\d+)/g);
		expect(r.executionIds.filter((id) => !enqueued.has(id))).toEqual([]);
		expect(r.executionIds.filter((id) => !started.has(id))).toEqual([]);
		const mainRan = loggedIds(cluster.main.logs(), /(?:Worker started|Enqueued) execution (\d+)/g);
		expect(r.executionIds.filter((id) => mainRan.has(id))).toEqual([]);
	}, 420000);

	test('deactivation on main removes each webhook in 1 request, and the webhook processor stops serving it', async () => {
		for (const dialect of DIALECTS) {
			const sim = sims[dialect];
			const hook = hookOf(dialect)[0];
			sim.clearRequests();
			await cluster.main.deactivateWorkflow(flows[dialect].id);
			expect(sim.requests).toEqual([expect.objectContaining({ route: 'delete', status: 200 })]);
			expect(sim.webhooks(1)).toHaveLength(0);
			await waitFor(async () => (await send(delivery(hook, dialect, INCOMING))).status === 404, {
				timeoutMs: 30000,
				message: `the webhook processor to stop serving the ${dialect} trigger`,
			});
		}
		// and a fresh activation registers exactly one again (no leftover, no duplicate)
		for (const dialect of DIALECTS) {
			expect(await cluster.main.activateWorkflow(flows[dialect].id)).toMatchObject({ ok: true });
			expect(sims[dialect].webhooks(1)).toHaveLength(1);
			sims[dialect].clearRequests();
			await cluster.main.deactivateWorkflow(flows[dialect].id);
			expect(sims[dialect].webhooks(1)).toHaveLength(0);
		}
	}, 180000);
});

// =================================================================================================
(process.env.KLIVO_QUEUE_SKIP_SINGLE ? describe.skip : describe)(`single-process n8n ${VERSION} (sqlite, regular mode), measured the same way`, () => {
	let n8n;
	let sim;
	let wfId;
	let hook;

	beforeAll(async () => {
		sim = await startSimulator({ dialect: 'chatwoot' });
		const t0 = Date.now();
		n8n = await startN8n({ version: VERSION, packageTarball: tarball, env: { EXECUTIONS_DATA_PRUNE: 'false', ...EXTRA_ENV } });
		timings.singleStart = (Date.now() - t0) / 1000;
		log(`single-process n8n up on ${n8n.url} in ${timings.singleStart.toFixed(1)} s`);
		const cred = await n8n.createCredential({
			name: 'Klivo chatwoot',
			type: 'klivoApi',
			data: { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 },
		});
		const built = S.triggerWorkflow({ name: 'Klivo single process', cred, events: ['message_created'] });
		const wf = await n8n.api('POST', '/workflows', built.workflow);
		wfId = wf.id;
		expect(await n8n.activateWorkflow(wfId)).toMatchObject({ ok: true });
		hook = sim.webhooks(1)[0];
		// one delivery first, as in the queue-mode block (which ran several before its burst)
		expect((await send(delivery(hook, 'chatwoot', INCOMING))).status).toBe(200);
		await S.waitForExecutions(n8n, wfId, 1, 60000);
	}, 300000);

	afterAll(async () => {
		if (n8n) await n8n.dispose();
		if (sim) await sim.close();
	}, 120000);

	test(`the same burst of ${BURST} signed deliveries: all 2xx, each executed exactly once`, async () => {
		const t0 = Date.now();
		const r = await measureBurst({ n8n, workflowId: wfId, hook, tag: 'single burst', cpuRoots: () => ({ n8n: n8n.pid }) });
		timings.singleBurst = (Date.now() - t0) / 1000;
		figures.single = r;
		expectExactlyOnce(r);
	}, 420000);
});
