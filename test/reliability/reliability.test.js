'use strict';
/**
 * Reliability and security of the Klivo Trigger in a REAL n8n (2.41.1; KLIVO_RELIABILITY_N8N to
 * change), against the Klivo simulator in both dialects (issue 6). One n8n instance for the whole
 * file; the scenarios run in order and each leaves the simulators clean for the next:
 *
 *   1. churn: 100 mixed cycles of activate / deactivate / listen for a test event / edit and publish /
 *      rename the trigger / restart n8n; after every step at most one webhook per URL, and exactly
 *      the webhooks of the active workflows
 *   2. faults at every lifecycle step (list, create, update, delete × 401, 404, 422, 429, 500,
 *      timeout, dropped connection), persistent and one-shot, each on its own simulator, in parallel
 *   3. Klivo disables the webhook while n8n is down; the watchdog and re-activation heal it
 *   4. more than 200 forged and malformed deliveries: the right status, 0 executions
 *   5. a burst of 1,000 genuine deliveries at concurrency 50: 1,000 executions
 *   6. no secret (API tokens, webhook secrets, URL tokens) in n8n's log, execution data or errors
 *
 * Run it with `npm run test:reliability` (jest.config.js leaves test/reliability out of `npm test`;
 * KLIVO_TEST_TIER=reliability selects it). The figures are printed as Markdown tables on stderr;
 * KLIVO_RELIABILITY_REPORT=<file> also writes them to a file (RELIABILITY.md quotes such a run).
 * n8n runs with default settings except N8N_WORKFLOW_PUBLICATION_CONCURRENCY=32 (default 5), so that
 * the fault matrix's activations, each retried 5 times by n8n over about 15 s when the fault persists,
 * run side by side, and N8N_WORKFLOW_PUBLICATION_OUTBOX_LEASE_SECONDS=300 (default 120): on a machine
 * busy with other work such a publication can take longer than 0.7 × 120 s, and n8n would then abort
 * it with its own "Workflow publication processing exceeded its deadline" instead of our message.
 */
const fs = require('node:fs');
const path = require('node:path');

const { sign, toRailsJson, FIXTURES_DIR } = require('../../tools/simulator/server.js');
const R = require('./support.js');
const { forgedCases } = require('./forged.js');

const { E } = R;
jest.setTimeout(12 * 60 * 1000);

const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8'));

const report = new R.Report();
const secrets = new R.Secrets();
/** Node error messages n8n showed during the run (activation errors), for the secrets search. */
const errorMessages = [];
let env;
let n8n;
let sims;
let creds;

beforeAll(async () => {
	env = await R.startEnvironment({
		secrets,
		// more publications at once, and (on a busy machine) no abort of a slow one after 0.7 × 120 s
		extraEnv: { N8N_WORKFLOW_PUBLICATION_CONCURRENCY: '32', N8N_WORKFLOW_PUBLICATION_OUTBOX_LEASE_SECONDS: '300' },
	});
	({ n8n, sims, creds } = env);
}, 6 * 60 * 1000);

afterAll(async () => {
	report.write({ 'n8n start': `${((n8n && n8n.lastStartMs) || 0) / 1000} s (last start)` });
	if (env) await env.stop();
}, 120000);

// ---- workflows ------------------------------------------------------------------------------------

async function createTrigger({ dialect, name, events, cred = creds[dialect], sim = sims[dialect] }) {
	const built = E.triggerWorkflow({ name, cred, events });
	const wf = await n8n.api('POST', '/workflows', built.workflow);
	return { id: wf.id, name, dialect, sim, webhookId: built.webhookId, triggerName: built.triggerName, events: [...events], active: false };
}

const productionUrl = (w) => n8n.webhook(`${w.webhookId}/klivo`);
const testUrl = (w) => `${n8n.webhookUrl.replace(/\/$/, '')}/webhook-test/${w.webhookId}/klivo`;
const hooksAt = (sim, url) => sim.webhooks(R.ACCOUNT).filter((h) => R.urlBase(h.url) === url);

function noteActivation(result) {
	if (result && result.message) errorMessages.push(result.message);
	for (const t of (result && result.triggers) || []) if (t.errorMessage) errorMessages.push(t.errorMessage);
}

async function activate(w) {
	const result = await n8n.activateWorkflow(w.id, { timeoutMs: 180000 });
	noteActivation(result);
	if (!result.ok) throw new Error(`activation of ${w.name} failed (${result.status}): ${result.message}`);
	w.active = true;
	return result;
}

async function deactivate(w) {
	await n8n.deactivateWorkflow(w.id, { timeoutMs: 180000 });
	w.active = false;
}

/** PUT of the workflow through the public API; an active workflow is published again (2.x). */
async function putWorkflow(w, mutate) {
	const current = await n8n.api('GET', `/workflows/${w.id}`);
	const next = mutate({ name: current.name, nodes: current.nodes, connections: current.connections, settings: current.settings });
	const put = await n8n.api('PUT', `/workflows/${w.id}`, next);
	if (w.active) {
		const status = await n8n.waitForPublication(w.id, { versionId: put.versionId, until: 'published', timeoutMs: 180000 });
		noteActivation({ triggers: status.triggers });
	}
	return put;
}

/** A genuine event for a workflow, as Klivo would deliver it; resolves once its execution finished. */
async function expectEventArrives(w, event, marker) {
	const before = (await R.countExecutions(n8n, w.id)).total;
	// Every delivery its own content, as Klivo's are: the same signed content twice in one second is run once.
	const overrides = event === 'message_created' ? { content: marker } : { test_nonce: `${marker ?? event} ${Date.now()} ${Math.random()}` };
	const results = await w.sim.emit(R.ACCOUNT, event, { overrides });
	expect(results).toEqual([expect.objectContaining({ ok: true })]);
	await R.waitForExecutionCount(n8n, w.id, before + 1, { timeoutMs: 90000 });
}

function mulberry32(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const seconds = (ms) => (ms / 1000).toFixed(1);

// =================================================================================================
describe(`Klivo Trigger reliability in real n8n ${R.VERSION}`, () => {
	// ---------------------------------------------------------------------------------------------
	test('1. churn: 100 mixed lifecycle cycles leave exactly one webhook per active workflow', async () => {
		const started = Date.now();
		const seed = Number(process.env.KLIVO_RELIABILITY_SEED || 6);
		const random = mulberry32(seed);
		const pick = (list) => list[Math.floor(random() * list.length)];
		const CYCLES = 100;
		const RESTART_AT = new Set([15, 35, 55, 75, 92]);
		const SAMPLE = { message_created: 'message_created', conversation_created: 'conversation_created' };

		for (const sim of Object.values(sims)) sim.reset();
		const wfs = [
			await createTrigger({ dialect: 'klivo', name: 'churn klivo messages', events: ['message_created'] }),
			await createTrigger({ dialect: 'klivo', name: 'churn klivo conversations', events: ['conversation_created', 'conversation_resolved'] }),
			await createTrigger({ dialect: 'chatwoot', name: 'churn chatwoot messages', events: ['message_created'] }),
			await createTrigger({ dialect: 'chatwoot', name: 'churn chatwoot conversations', events: ['conversation_created', 'conversation_resolved'] }),
		];
		const sampleEvent = (w) => (w.events.includes('message_created') ? SAMPLE.message_created : SAMPLE.conversation_created);

		const stats = { actions: {}, durations: {}, maxPerUrl: 0, violations: [], testEventsDelivered: 0, restartRequests: [], steps: 0 };
		const violation = (cycle, action, text) => {
			stats.violations.push(`cycle ${cycle} (${action}): ${text}`);
			R.log(`VIOLATION cycle ${cycle} (${action}): ${text}`);
		};

		/** The simulators against what the workflows' states say they must hold. */
		function check(cycle, action, { listening } = {}) {
			stats.steps += 1;
			for (const dialect of R.DIALECTS) {
				const sim = sims[dialect];
				secrets.harvest(sim);
				const hooks = sim.webhooks(R.ACCOUNT);
				const perUrl = new Map();
				for (const h of hooks) perUrl.set(R.urlBase(h.url), (perUrl.get(R.urlBase(h.url)) || 0) + 1);
				for (const [url, count] of perUrl) {
					stats.maxPerUrl = Math.max(stats.maxPerUrl, count);
					if (count > 1) violation(cycle, action, `${count} webhooks for ${url}`);
				}
				for (const h of hooks) {
					const base = R.urlBase(h.url);
					const owner = wfs.find((w) => w.dialect === dialect && (productionUrl(w) === base || testUrl(w) === base));
					if (!owner) violation(cycle, action, `orphan ${base} (no workflow)`);
					else if (base === testUrl(owner) && listening !== owner) violation(cycle, action, `test webhook of ${owner.name} left behind`);
					else if (base === productionUrl(owner) && !owner.active) violation(cycle, action, `orphan: ${owner.name} is inactive but its webhook ${h.id} is registered`);
				}
				for (const w of wfs.filter((x) => x.dialect === dialect && x.active)) {
					const mine = hooksAt(sim, productionUrl(w));
					if (mine.length !== 1) {
						violation(cycle, action, `${w.name} is active with ${mine.length} webhooks`);
						continue;
					}
					const want = R.serverEvents(dialect, w.events);
					if (JSON.stringify([...mine[0].subscriptions].sort()) !== JSON.stringify(want)) {
						violation(cycle, action, `${w.name} subscribes ${mine[0].subscriptions} instead of ${want}`);
					}
					if (mine[0].active === false) violation(cycle, action, `${w.name}'s webhook is disabled`);
				}
			}
		}

		const actions = {
			async activate(w) {
				await activate(w);
			},
			async deactivate(w) {
				await deactivate(w);
			},
			async listen(w, cycle) {
				const answer = await n8n.rest('POST', `/workflows/${w.id}/run`, { triggerToStartFrom: { name: w.triggerName } });
				expect(answer).toMatchObject({ waitingForWebhook: true });
				const mine = hooksAt(w.sim, testUrl(w));
				if (mine.length !== 1) violation(cycle, 'listen', `${mine.length} test webhooks for ${w.name} while listening`);
				check(cycle, 'listen (listening)', { listening: w });
				const deliver = stats.actions.listen % 2 === 1;
				if (deliver && mine.length === 1) {
					const before = (await R.countExecutions(n8n, w.id)).total;
					const results = await w.sim.emit(R.ACCOUNT, sampleEvent(w), { webhookId: mine[0].id });
					expect(results).toEqual([expect.objectContaining({ ok: true })]);
					await R.waitForExecutionCount(n8n, w.id, before + 1, { timeoutMs: 90000 });
					stats.testEventsDelivered += 1;
				} else {
					await n8n.rest('DELETE', `/test-webhook/${w.id}`);
				}
				// n8n removes the test webhook right after the event, or when listening is cancelled (asynchronously)
				await R.waitFor(() => hooksAt(w.sim, testUrl(w)).length === 0, { timeoutMs: 60000, intervalMs: 200, message: `test webhook of ${w.name} removed` });
			},
			async edit(w) {
				const events = w.events.includes('message_updated') ? w.events.filter((e) => e !== 'message_updated') : [...w.events, 'message_updated'];
				await putWorkflow(w, (wf) => ({
					...wf,
					nodes: wf.nodes.map((n) => (n.type === E.TRIGGER_TYPE ? { ...n, parameters: { ...n.parameters, events } } : n)),
				}));
				w.events = events;
			},
			async rename(w, cycle) {
				const from = w.triggerName;
				const to = `Klivo Trigger ${cycle}`;
				await putWorkflow(w, (wf) => ({
					...wf,
					nodes: wf.nodes.map((n) => (n.name === from ? { ...n, name: to } : n)),
					connections: Object.fromEntries(Object.entries(wf.connections).map(([k, v]) => [k === from ? to : k, v])),
				}));
				w.triggerName = to;
			},
			async restart() {
				for (const sim of Object.values(sims)) sim.clearRequests();
				await n8n.restart();
				await R.waitServed(n8n, wfs.filter((w) => w.active).map((w) => w.webhookId));
				stats.restartRequests.push(Object.values(sims).reduce((sum, sim) => sum + sim.requests.length, 0));
			},
		};

		for (const sim of Object.values(sims)) sim.clearRequests();
		const routeTotals = {};
		const collectRequests = () => {
			for (const sim of Object.values(sims)) {
				for (const r of sim.requests) routeTotals[r.route] = (routeTotals[r.route] || 0) + 1;
				sim.clearRequests();
			}
		};

		for (let cycle = 1; cycle <= CYCLES; cycle++) {
			let action;
			let w;
			if (RESTART_AT.has(cycle)) action = 'restart';
			else {
				w = pick(wfs);
				action = pick(['toggle', 'toggle', 'toggle', 'listen', 'listen', 'edit', 'edit', 'rename']);
				if (action === 'toggle') action = w.active ? 'deactivate' : 'activate';
				if (action === 'edit' && !w.active) action = 'activate'; // edit-and-publish needs an active workflow
			}
			stats.actions[action] = (stats.actions[action] || 0) + 1;
			const t0 = Date.now();
			try {
				await actions[action](w, cycle);
			} catch (error) {
				violation(cycle, action, `failed: ${error.message}`);
			}
			(stats.durations[action] = stats.durations[action] || []).push(Date.now() - t0);
			if (action !== 'restart') collectRequests();
			check(cycle, action);
		}

		// the end: exactly the active workflows' webhooks, and every one of them delivers
		const active = wfs.filter((w) => w.active);
		const final = R.DIALECTS.flatMap((d) => sims[d].webhooks(R.ACCOUNT));
		for (const w of active) await expectEventArrives(w, sampleEvent(w), `after churn ${w.name}`);
		const orphans = R.DIALECTS.flatMap((d) => sims[d].webhooks(R.ACCOUNT).filter((h) => !active.some((w) => w.dialect === d && R.urlBase(h.url) === productionUrl(w)))).length;
		const perUrl = {};
		for (const h of final) perUrl[R.urlBase(h.url)] = (perUrl[R.urlBase(h.url)] || 0) + 1;
		const duplicates = Object.values(perUrl).filter((c) => c > 1).length;

		const avg = (list) => (list && list.length ? Math.round(list.reduce((a, b) => a + b, 0) / list.length) : 0);
		report.add(
			'1. Churn (100 cycles)',
			[
				R.table(
					['action', 'cycles', 'average time'],
					Object.keys(stats.actions)
						.sort()
						.map((a) => [a === 'listen' ? 'listen for test event (half with an event, half cancelled)' : a === 'edit' ? 'edit events and publish (active workflow)' : a === 'rename' ? 'rename the trigger node (and publish if active)' : a, stats.actions[a], `${seconds(avg(stats.durations[a]))} s`]),
				),
				'',
				R.table(
					['figure', 'value'],
					[
						['workflows (2 per dialect)', wfs.length],
						['checks of the simulators (after every step, and while listening)', stats.steps],
						['most webhooks ever seen for one URL', stats.maxPerUrl],
						['Klivo requests during the cycles (restarts excluded)', Object.entries(routeTotals).map(([k, v]) => `${k} ${v}`).join(', ')],
						['Klivo requests during the restarts', stats.restartRequests.join(', ')],
						['test events delivered while listening (each one manual execution)', stats.testEventsDelivered],
						['active workflows at the end', active.length],
						['webhooks at the end', final.length],
						['orphans at the end', orphans],
						['duplicates at the end', duplicates],
						['violations', stats.violations.length],
						['seed', seed],
						['time', `${seconds(Date.now() - started)} s`],
					],
				),
			].join('\n'),
		);

		expect(stats.violations).toEqual([]);
		expect(stats.maxPerUrl).toBeLessThanOrEqual(1);
		expect(final).toHaveLength(active.length);
		expect(orphans).toBe(0);
		expect(duplicates).toBe(0);
		expect(stats.restartRequests.every((n) => n === 0)).toBe(true);
		for (const a of ['activate', 'deactivate', 'listen', 'edit', 'rename', 'restart']) expect(stats.actions[a]).toBeGreaterThan(0);

		// leave the simulators clean for the next scenario
		for (const w of active) await deactivate(w);
		expect(R.DIALECTS.flatMap((d) => sims[d].webhooks(R.ACCOUNT))).toHaveLength(0);
	}, 9 * 60 * 1000);

	// ---------------------------------------------------------------------------------------------
	test('2. faults at every lifecycle step: a clear message, no orphan, full recovery', async () => {
		const started = Date.now();
		const TIMEOUT_S = 2; // the cells' credential timeout
		const FAULTS = [
			{ kind: '401', fault: { status: 401 }, message: /Klivo did not accept the API access token/ },
			{ kind: '404', fault: { status: 404 }, message: /does not exist in account 1|Klivo has no account 1|yet still lists it/ },
			{ kind: '422', fault: { status: 422 }, message: /Klivo rejected the request/ },
			{ transient: true, kind: '429 (Retry-After 1)', fault: { status: 429, retryAfter: 1 }, message: /Klivo is limiting the rate of requests/ },
			{ transient: true, kind: '500', fault: { status: 500 }, message: /Klivo's server failed to answer \(HTTP 500\)/ },
			{ transient: true, kind: `delay 3 s (timeout ${TIMEOUT_S} s)`, fault: { delayMs: 3000 }, message: new RegExp(`Klivo did not answer within ${TIMEOUT_S} seconds`) },
			{ transient: true, kind: 'dropped connection', fault: { drop: true }, message: /The connection to Klivo was closed before it answered/ },
		];
		const STEPS = ['list', 'create', 'update', 'delete'];
		const MODES = ['persistent', 'one-shot'];

		const cells = [];
		for (const mode of MODES) for (const dialect of R.DIALECTS) for (const step of STEPS) for (const f of FAULTS) cells.push({ mode, dialect, step, f });
		// the long ones first (a persistent fault at activation: n8n tries 5 times over about 15 s)
		const long = (c) => c.mode === 'persistent' && c.step !== 'delete';
		const order = [...cells.filter(long), ...cells.filter((c) => !long(c))];
		const CELLS_AT_ONCE = 20;

		async function runCell(cell, index) {
			const { mode, dialect, step, f } = cell;
			const out = { ...cell, problems: [] };
			const problem = (text) => out.problems.push(text);
			const token = R.randomToken();
			secrets.add(token, 'API token');
			// the events after recovery check correctness, not speed: n8n may take its time to answer
			const sim = await R.startSimulator({ dialect, accounts: { [R.ACCOUNT]: { admins: [token], agents: [] } }, deliveryTimeoutMs: 60000 });
			try {
				// distinct webhook ids per cell, so that a log line naming "webhook N" belongs to this cell
				for (let i = 0; i < 1000 + index * 7; i++) sim.deleteWebhookDirect(R.ACCOUNT, sim.addWebhookDirect(R.ACCOUNT, { url: `https://pad.invalid/${i}`, subscriptions: ['message_created'] }).id);
				const cred = await n8n.createCredential({
					name: `fault ${index}`,
					type: 'klivoApi',
					data: { baseUrl: sim.url, accessToken: token, accountId: String(R.ACCOUNT), timeout: TIMEOUT_S },
				});
				const w = await createTrigger({ dialect, name: `fault ${mode} ${dialect} ${step} ${f.kind}`, events: ['message_created'], cred, sim });
				const ours = () => hooksAt(sim, productionUrl(w));
				const fault = { route: step, ...f.fault, times: mode === 'persistent' ? 1000 : 1 };
				const settle = () => (f.fault.delayMs ? R.sleep(f.fault.delayMs + 700) : undefined);

				if (step !== 'delete') {
					if (step === 'update') sim.addWebhookDirect(R.ACCOUNT, { url: productionUrl(w), subscriptions: ['contact_created'] }); // a leftover to fix: one PATCH
					sim.clearRequests();
					sim.injectFault(fault);
					const result = await R.activateQuietly(n8n, w.id);
					noteActivation(result);
					await settle(); // a slow request still lands on the server after the client gave up
					out.faulted = sim.requests.filter((r) => r.fault !== undefined).length;
					out.sequence = sim.requests.map((r) => `${r.route} ${r.fault || r.status}`);
					sim.clearFaults();
					secrets.harvest(sim);
					out.activated = result.ok;
					out.message = result.message;
					out.left = ours().length;
					if (result.ok) {
						const hook = ours()[0];
						if (out.left !== 1 || !hook.active || hook.subscriptions.join() !== 'message_created') problem(`activated, but the server holds ${JSON.stringify(ours())}`);
					} else {
						if (!f.message.test(result.message || '')) problem(`message ${JSON.stringify(result.message)} does not match ${f.message}`);
						if (out.left !== 0) problem(`${out.left} webhook(s) left after the failed activation (orphan)`);
					}
					// the next activation after the fault cleared (an activation that succeeded needs none)
					if (!result.ok) {
						const again = await R.activateQuietly(n8n, w.id);
						noteActivation(again);
						if (!again.ok) problem(`the next activation failed: ${again.message}`);
					}
				} else {
					const first = await R.activateQuietly(n8n, w.id);
					if (!first.ok) throw new Error(`activation without a fault failed: ${first.message}`);
					const id = ours()[0].id;
					sim.clearRequests();
					sim.injectFault(fault);
					await R.deactivateQuietly(n8n, w.id);
					out.leftImmediately = ours().length;
					await settle();
					out.faulted = sim.requests.filter((r) => r.fault !== undefined).length;
					out.requests = sim.requests.length;
					sim.clearFaults();
					secrets.harvest(sim);
					out.left = ours().length;
					const line = n8n
						.logs()
						.split('\n')
						.find((l) => l.includes(`could not remove webhook ${id} from Klivo`));
					out.warning = line ? line.replace(/^.*?Klivo Trigger: /, 'Klivo Trigger: ') : undefined;
					if (out.leftImmediately > 0 && !out.warning) problem('a webhook was left behind without a warning in the log');
					if (out.warning && !f.message.test(out.warning)) problem(`warning ${JSON.stringify(out.warning)} does not match ${f.message}`);
					// the next activation adopts a leftover (never a second webhook)
					sim.clearRequests();
					const next = await R.activateQuietly(n8n, w.id);
					noteActivation(next);
					if (!next.ok) problem(`the next activation failed: ${next.message}`);
					out.nextCreated = sim.requests.some((r) => r.route === 'create');
				}
				// full recovery: exactly one healthy webhook, and an event arrives
				const hooks = ours();
				if (hooks.length !== 1 || !hooks[0].active || hooks[0].subscriptions.join() !== 'message_created') problem(`after recovery the server holds ${JSON.stringify(hooks)}`);
				const delivered = await sim.emit(R.ACCOUNT, 'message_created');
				if (!(delivered.length === 1 && delivered[0].ok)) problem(`event after recovery: ${JSON.stringify(delivered)}`);
				else await R.waitForExecutionCount(n8n, w.id, 1, { timeoutMs: 120000, intervalMs: 500 });
				await R.deactivateQuietly(n8n, w.id);
				await settle();
				if (ours().length !== 0) problem(`${ours().length} webhook(s) left after the final deactivation`);
				out.recovered = out.problems.length === 0;
			} catch (error) {
				problem(`error: ${error.message}`);
			} finally {
				secrets.harvest(sim);
				await sim.close();
			}
			return out;
		}

		const results = await R.pool(order, CELLS_AT_ONCE, (cell) => runCell(cell, cells.indexOf(cell)));

		const shortMessage = (text) =>
			(text || '')
				.replace(/^Klivo Trigger: could not remove webhook \d+ from Klivo(?: \(\d+ tries\))?: /, '')
				.replace(/http:\/\/127\.0\.0\.1:\d+/g, '<simulator>')
				.replace(/webhook \d+/g, 'webhook N')
				.split(/\. |: /)[0];
		const outcome = (r) => {
			if (r.step === 'delete') {
				const warned = r.warning ? `warning "${shortMessage(r.warning)}"` : 'no warning';
				const left = r.leftImmediately === 0 ? 'deleted' : r.left === 0 ? 'left, then deleted by the slow server' : `1 left${r.nextCreated === false ? ', adopted by the next activation' : ''}`;
				return `${warned}; ${left} (${r.faulted} of ${r.requests} requests faulted); ${r.recovered ? 'recovered' : `PROBLEM: ${r.problems.join('; ')}`}`;
			}
			const first = r.activated
				? `activated (${(r.sequence || []).join(' → ')})`
				: `activation error "${shortMessage(r.message)}" after n8n's 5 tries (${r.faulted} faulted requests)`;
			return `${first}; ${r.left === (r.activated ? 1 : 0) ? 'no orphan' : `${r.left} left`}; ${r.recovered ? 'recovered' : `PROBLEM: ${r.problems.join('; ')}`}`;
		};
		for (const mode of MODES) {
			const rows = [];
			for (const step of STEPS) {
				for (const f of FAULTS) {
					const pair = R.DIALECTS.map((d) => results.find((r) => r.mode === mode && r.step === step && r.f === f && r.dialect === d));
					const [k, c] = pair.map(outcome);
					rows.push([step === 'delete' ? 'delete (deactivation)' : `${step} (activation)`, f.kind, k === c ? k : `klivo: ${k} / chatwoot: ${c}`]);
				}
			}
			report.add(`2. Faults, ${mode} (${mode === 'persistent' ? 'every request of that step fails until the fault is cleared' : 'only the first request of that step fails'})`, R.table(['step', 'fault', 'outcome (both dialects unless told)'], rows));
		}
		report.add('2. Faults: time', `${cells.length} cells (each its own simulator, credential with a ${TIMEOUT_S} s timeout, and workflow), ${CELLS_AT_ONCE} at a time: ${seconds(Date.now() - started)} s`);

		const failed = results.filter((r) => !r.recovered).map((r) => `${r.mode} ${r.dialect} ${r.step} ${r.f.kind}: ${r.problems.join('; ')}`);
		expect(failed).toEqual([]);
		// persistent faults at activation fail it with our message; a one-shot fault is absorbed by n8n's retry
		for (const r of results.filter((x) => x.step !== 'delete' && x.mode === 'one-shot')) expect({ cell: `${r.dialect} ${r.step} ${r.f.kind}`, activated: r.activated }).toEqual({ cell: `${r.dialect} ${r.step} ${r.f.kind}`, activated: true });
		for (const r of results.filter((x) => x.step === 'list' && x.mode === 'persistent')) expect(r.activated).toBe(false);
		// deactivation tries a transient failure again: a one-shot one leaves nothing behind and nothing to warn about
		for (const r of results.filter((x) => x.step === 'delete' && x.mode === 'one-shot' && x.f.transient)) {
			expect({ cell: `${r.dialect} ${r.f.kind}`, left: r.leftImmediately, warning: r.warning }).toEqual({ cell: `${r.dialect} ${r.f.kind}`, left: 0, warning: undefined });
		}
	}, 8 * 60 * 1000);

	// ---------------------------------------------------------------------------------------------
	test('3. Klivo disables the webhook while n8n is down: the watchdog heals it, and so does re-activation', async () => {
		const started = Date.now();
		for (const sim of Object.values(sims)) sim.reset();
		const wf = {};
		for (const dialect of R.DIALECTS) {
			wf[dialect] = await createTrigger({ dialect, name: `disable ${dialect}`, events: ['message_created'] });
			await activate(wf[dialect]);
		}
		const rows = [];
		const row = (dialect, what, value) => rows.push([dialect, what, value]);

		await n8n.stop();
		const failures = {};
		for (const dialect of R.DIALECTS) {
			failures[dialect] = [];
			for (let i = 0; i < 3; i++) failures[dialect].push(...(await sims[dialect].emit(R.ACCOUNT, 'message_created', { overrides: { content: `while down ${i}` } })));
			const hook = hooksAt(sims[dialect], productionUrl(wf[dialect]))[0];
			row(dialect, '3 deliveries while n8n is stopped', `${failures[dialect].filter((r) => !r.ok).length} failed (${[...new Set(failures[dialect].map((r) => r.error || r.status))].join(', ')})`);
			row(dialect, 'webhook after them', hook.active === false ? 'disabled by Klivo' : 'still enabled (this dialect never disables)');
		}
		expect(failures.klivo.every((r) => !r.ok)).toBe(true);
		expect(hooksAt(sims.klivo, productionUrl(wf.klivo))[0].active).toBe(false);
		expect(hooksAt(sims.chatwoot, productionUrl(wf.chatwoot))[0].active).not.toBe(false);

		for (const sim of Object.values(sims)) sim.clearRequests();
		await n8n.restart();
		await R.waitServed(n8n, R.DIALECTS.map((d) => wf[d].webhookId));
		const klivoAfterStart = hooksAt(sims.klivo, productionUrl(wf.klivo))[0];
		row('klivo', 'after n8n started again', `${klivoAfterStart.active ? 'enabled' : 'still disabled'} (${sims.klivo.requests.length} Klivo requests during the start)`);
		const silent = await sims.klivo.emit(R.ACCOUNT, 'message_created');
		row('klivo', 'an event now', silent.length === 0 ? 'not delivered (the webhook is disabled)' : `delivered ${JSON.stringify(silent.map((r) => r.status))}`);

		// the watchdog, as the e2e suite runs it (its Schedule Trigger replaced by a Webhook to run it now)
		async function runWatchdog(dialect) {
			const w = wf[dialect];
			const hookPath = `klivo-watchdog-rel-${dialect}`;
			if (!w.watchdog) {
				const created = await n8n.api('POST', '/workflows', E.watchdogWorkflow({ url: productionUrl(w), events: w.events, cred: creds[dialect], path: hookPath, name: `watchdog ${dialect}` }));
				const result = await n8n.activateWorkflow(created.id);
				noteActivation(result);
				expect(result).toMatchObject({ ok: true });
				w.watchdog = created.id;
			}
			const r = await R.waitFor(async () => {
				const res = await E.postJson(n8n.webhook(hookPath), {});
				return res.status !== 404 ? res : false;
			}, { timeoutMs: 60000, message: 'watchdog webhook live' });
			expect(r.status).toBe(200);
			return r.json[0];
		}
		for (const dialect of R.DIALECTS) {
			const t0 = Date.now();
			const out = await runWatchdog(dialect);
			const hooks = hooksAt(sims[dialect], productionUrl(wf[dialect]));
			row(dialect, 'watchdog (Ensure, For a Klivo Trigger URL)', `${out.action}${out.changed ? ` (${out.changed.join(', ')})` : ''} in ${seconds(Date.now() - t0)} s; ${hooks.length} webhook, ${hooks[0] && hooks[0].active !== false ? 'enabled' : 'disabled'}`);
			expect(hooks).toHaveLength(1);
			expect(hooks[0].active).not.toBe(false);
			if (dialect === 'klivo') expect(out).toMatchObject({ action: 'updated', changed: ['enabled'] });
			else expect(out).toMatchObject({ action: 'unchanged' });
			await expectEventArrives(wf[dialect], 'message_created', `after the watchdog ${dialect}`);
			row(dialect, 'next event', '1 execution');
		}

		// Klivo disables it again; this time re-activation heals it
		const id = hooksAt(sims.klivo, productionUrl(wf.klivo))[0].id;
		sims.klivo.disableWebhookDirect(R.ACCOUNT, id);
		expect(await sims.klivo.emit(R.ACCOUNT, 'message_created')).toEqual([]);
		sims.klivo.clearRequests();
		await deactivate(wf.klivo);
		await activate(wf.klivo);
		const healed = hooksAt(sims.klivo, productionUrl(wf.klivo));
		row('klivo', 'disabled again, then deactivate + activate', `${healed.length} webhook, ${healed[0] && healed[0].active ? 'enabled' : 'disabled'} (requests: ${sims.klivo.requests.map((r) => `${r.route} ${r.status}`).join(', ')})`);
		expect(healed).toHaveLength(1);
		expect(healed[0].active).toBe(true);
		await expectEventArrives(wf.klivo, 'message_created', 'after re-activation');
		row('klivo', 'next event', '1 execution');
		for (const sim of Object.values(sims)) secrets.harvest(sim);

		report.add('3. Klivo disables the webhook while n8n is down', `${R.table(['dialect', 'step', 'outcome'], rows)}\n\nTime: ${seconds(Date.now() - started)} s (one stop and start of n8n).`);
		for (const dialect of R.DIALECTS) {
			await deactivate(wf[dialect]);
			await n8n.deactivateWorkflow(wf[dialect].watchdog).catch(() => undefined);
		}
		expect(R.DIALECTS.flatMap((d) => sims[d].webhooks(R.ACCOUNT))).toHaveLength(0);
	}, 6 * 60 * 1000);

	// ---------------------------------------------------------------------------------------------
	test('4. forged and malformed deliveries: the right status, 0 executions, n8n keeps serving', async () => {
		const started = Date.now();
		for (const sim of Object.values(sims)) sim.reset();
		const wf = {};
		const other = {};
		for (const dialect of R.DIALECTS) {
			wf[dialect] = await createTrigger({ dialect, name: `forged ${dialect}`, events: ['message_created', 'conversation_created'] });
			other[dialect] = await createTrigger({ dialect, name: `forged ${dialect} (another trigger)`, events: ['contact_created'] });
			await activate(wf[dialect]);
			await activate(other[dialect]);
		}
		const executionsOf = async () => {
			const counts = {};
			for (const dialect of R.DIALECTS) for (const w of [wf[dialect], other[dialect]]) counts[w.id] = (await R.countExecutions(n8n, w.id)).total;
			return counts;
		};
		const before = await executionsOf();
		const listsBefore = Object.fromEntries(R.DIALECTS.map((d) => [d, sims[d].countRequests({ route: 'list' })]));

		const results = [];
		let replays = 0;
		for (const dialect of R.DIALECTS) {
			const sim = sims[dialect];
			secrets.harvest(sim);
			const hook = hooksAt(sim, productionUrl(wf[dialect]))[0];
			const otherHook = hooksAt(sim, productionUrl(other[dialect]))[0];
			const cases = forgedCases({ dialect, hook, other: otherHook, productionUrl: productionUrl(wf[dialect]), fixture });
			const send = async (c) => {
				const t0 = Date.now();
				let status;
				let text = '';
				try {
					const res = await fetch(c.url, { method: 'POST', headers: c.headers(), body: c.raw, signal: AbortSignal.timeout(120000) });
					status = res.status;
					text = await res.text();
				} catch (error) {
					status = `error ${error.cause ? error.cause.code || error.cause.message : error.message}`;
				}
				let json;
				try {
					json = JSON.parse(text);
				} catch {}
				const e = c.expect;
				const ok = e.range ? typeof status === 'number' && status >= e.range[0] && status <= e.range[1] : status === e.status && (!e.ignored || (json && json.received === true && typeof json.ignored === 'string'));
				return { dialect, category: c.category, name: c.name, expected: e.label, status, ok, reason: json && (json.reason || json.ignored || json.message), ms: Date.now() - t0 };
			};
			// big bodies one by one, the rest 8 at a time
			const small = cases.filter((c) => c.raw.length < 1024 * 1024);
			const big = cases.filter((c) => c.raw.length >= 1024 * 1024);
			results.push(...(await R.pool(small, 8, send)));
			for (const c of big) results.push(await send(c));

			if (dialect === 'chatwoot') {
				// replayed deliveries: genuine ones first (each starts one execution), then the same bytes and delivery id again
				const originals = [];
				for (let i = 0; i < 10; i++) {
					const raw = toRailsJson({ ...fixture('message_created.incoming'), content: `original ${i}` });
					const ts = String(Math.floor(Date.now() / 1000));
					const headers = { 'content-type': 'application/json', 'x-chatwoot-delivery': E.uuid(), 'x-chatwoot-timestamp': ts, 'x-chatwoot-signature': sign(hook.secret, ts, raw) };
					const res = await fetch(hook.url, { method: 'POST', headers, body: raw });
					expect(res.status).toBe(200);
					originals.push({ raw, headers });
				}
				replays = originals.length;
				for (const [i, o] of originals.entries()) {
					results.push(await send({ category: 'replayed delivery', name: `replay of genuine delivery ${i}`, url: hook.url, raw: o.raw, headers: () => o.headers, expect: { status: 401, label: '401 refused (authentication)' } }));
				}
			}
		}

		// n8n keeps serving, and the next genuine delivery works
		const health = await n8n.request('GET', '/healthz', null, { raw: true });
		expect(health.status).toBe(200);
		for (const dialect of R.DIALECTS) await expectEventArrives(wf[dialect], 'message_created', `after the forged batch ${dialect}`);
		await R.sleep(2000); // anything a bad request had started would have shown by now
		const after = await executionsOf();
		const started_ = {};
		for (const dialect of R.DIALECTS) {
			started_[dialect] = after[wf[dialect].id] - before[wf[dialect].id] - 1 - (dialect === 'chatwoot' ? replays : 0) + (after[other[dialect].id] - before[other[dialect].id]);
		}
		const lists = Object.fromEntries(R.DIALECTS.map((d) => [d, sims[d].countRequests({ route: 'list' }) - listsBefore[d]]));

		const wrong = results.filter((r) => !r.ok);
		const byCategory = {};
		for (const r of results) {
			const key = `${r.category}|${r.dialect}`;
			byCategory[key] = byCategory[key] || { category: r.category, dialect: r.dialect, count: 0, statuses: {}, expected: new Set(), wrong: 0 };
			byCategory[key].count += 1;
			byCategory[key].expected.add(r.expected);
			byCategory[key].statuses[r.status] = (byCategory[key].statuses[r.status] || 0) + 1;
			if (!r.ok) byCategory[key].wrong += 1;
		}
		const byStatus = {};
		for (const r of results) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
		const n8nAnswers = results.filter((r) => r.category === 'invalid JSON' || r.category === "over n8n's limit" || r.name === '5 MB of invalid JSON');
		report.add(
			'4. Forged and malformed deliveries',
			[
				R.table(
					['category', 'dialect', 'requests', 'answered', 'expected'],
					Object.values(byCategory).map((c) => [c.category, c.dialect, c.count, Object.entries(c.statuses).map(([s, n]) => `${s} ×${n}`).join(', '), `${[...c.expected].join(' or ')}${c.wrong ? ` — ${c.wrong} WRONG` : ''}`]),
				),
				'',
				R.table(
					['figure', 'value'],
					[
						['bad requests', results.length],
						['by status', Object.entries(byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')],
						['answered as expected', `${results.length - wrong.length} of ${results.length}`],
						['executions started by them', `${started_.klivo + started_.chatwoot} (klivo ${started_.klivo}, chatwoot ${started_.chatwoot})`],
						['Klivo list requests they caused (secret look-up after a bad signature, at most 1 per 30 s)', `klivo ${lists.klivo}, chatwoot ${lists.chatwoot}`],
						["n8n's own answers", [...new Set(n8nAnswers.map((r) => `${r.name}: ${r.status}${r.reason ? ` "${String(r.reason).slice(0, 60)}"` : ''}`))].join('; ')],
						['n8n /healthz afterwards', health.status],
						['next genuine delivery (each dialect)', '1 execution each'],
						['time', `${seconds(Date.now() - started)} s`],
					],
				),
			].join('\n'),
		);
		if (wrong.length) R.log(`wrong answers:\n${wrong.map((r) => `  ${r.dialect} ${r.category} / ${r.name}: ${r.status} (${r.reason}), expected ${r.expected}`).join('\n')}`);
		expect(results.length).toBeGreaterThanOrEqual(200);
		expect(wrong.map((r) => `${r.dialect} ${r.category} / ${r.name}: ${r.status} ${r.reason}`)).toEqual([]);
		expect(started_).toEqual({ klivo: 0, chatwoot: 0 });
		expect(lists.chatwoot).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 30000) + 1);
		for (const dialect of R.DIALECTS) {
			await deactivate(wf[dialect]);
			await deactivate(other[dialect]);
		}
	}, 6 * 60 * 1000);

	// ---------------------------------------------------------------------------------------------
	test('5. burst: 1,000 genuine deliveries at concurrency 50 start 1,000 executions', async () => {
		const started = Date.now();
		const TOTAL = 1000;
		const CONCURRENCY = 50;
		for (const sim of Object.values(sims)) sim.reset();
		const wf = {};
		for (const dialect of R.DIALECTS) {
			wf[dialect] = await createTrigger({ dialect, name: `burst ${dialect}`, events: ['message_created'] });
			await activate(wf[dialect]);
			secrets.harvest(sims[dialect]);
		}
		// the burst measures loss, not speed: the simulators wait up to 2 minutes for n8n's answer
		// (Klivo's own deadlines, 10 s and 5 s, are reported against the measured times)
		const deadlines = { klivo: 10000, chatwoot: 5000 };
		for (const dialect of R.DIALECTS) sims[dialect].deliveryTimeoutMs = 120000;
		const jobs = Array.from({ length: TOTAL }, (_, i) => ({ i, dialect: R.DIALECTS[i % 2] }));
		const t0 = Date.now();
		let delivered;
		try {
			delivered = await R.pool(jobs, CONCURRENCY, async ({ i, dialect }) => {
				const [r] = await sims[dialect].emit(R.ACCOUNT, 'message_created', { overrides: { content: `burst ${i}` } });
				return { i, dialect, ...r };
			});
		} finally {
			for (const dialect of R.DIALECTS) sims[dialect].deliveryTimeoutMs = undefined;
		}
		const sendSeconds = (Date.now() - t0) / 1000;
		const counts = {};
		for (const dialect of R.DIALECTS) counts[dialect] = await R.waitForExecutionCount(n8n, wf[dialect].id, TOTAL / 2, { timeoutMs: 240000, intervalMs: 2000 });
		const allSeconds = (Date.now() - t0) / 1000;

		// every delivery exactly once: the markers of all executions
		const seen = new Map();
		for (const dialect of R.DIALECTS) {
			for await (const page of R.executionPages(n8n, { workflowId: wf[dialect].id, includeData: true, limit: 100 })) {
				for (const e of page) {
					const item = (E.nodeOutput(e, 'Klivo Trigger') || [])[0];
					const marker = item && item.klivo && item.klivo.messageText;
					seen.set(marker, (seen.get(marker) || 0) + 1);
				}
			}
		}
		const missing = jobs.filter(({ i }) => !seen.has(`burst ${i}`)).length;
		const twice = [...seen.values()].filter((n) => n > 1).length;

		const rows = [];
		for (const dialect of R.DIALECTS) {
			const mine = delivered.filter((r) => r.dialect === dialect);
			const times = mine.map((r) => r.durationMs).sort((a, b) => a - b);
			rows.push([
				dialect,
				mine.length,
				mine.filter((r) => r.ok).length,
				`${R.percentile(times, 50)} / ${R.percentile(times, 99)} / ${times[times.length - 1]} ms`,
				`${mine.filter((r) => r.durationMs > deadlines[dialect]).length} (deadline ${deadlines[dialect] / 1000} s)`,
				`${counts[dialect].total} (${Object.entries(counts[dialect].byStatus).map(([s, n]) => `${s} ${n}`).join(', ')})`,
			]);
		}
		report.add(
			'5. Burst: 1,000 deliveries at concurrency 50 (the two dialects interleaved)',
			[
				R.table(['dialect', 'deliveries', 'answered 2xx', "n8n's answer p50 / p99 / max", "slower than Klivo's deadline", 'executions'], rows),
				'',
				R.table(
					['figure', 'value'],
					[
						['all sent and answered in', `${sendSeconds.toFixed(1)} s (${(TOTAL / sendSeconds).toFixed(1)} deliveries/s)`],
						['all executions finished after', `${allSeconds.toFixed(1)} s`],
						['deliveries without an execution', missing],
						['deliveries with more than one execution', twice],
						['machine load average (1 min) at the end', require('node:os').loadavg()[0].toFixed(1)],
					],
				),
			].join('\n'),
		);
		expect(delivered.filter((r) => !r.ok)).toEqual([]);
		expect(counts.klivo.total + counts.chatwoot.total).toBe(TOTAL);
		expect(missing).toBe(0);
		expect(twice).toBe(0);
		for (const dialect of R.DIALECTS) expect(counts[dialect].byStatus).toEqual({ success: TOTAL / 2 });
		for (const dialect of R.DIALECTS) await deactivate(wf[dialect]);
		R.log(`burst took ${seconds(Date.now() - started)} s`);
	}, 8 * 60 * 1000);

	// ---------------------------------------------------------------------------------------------
	test('6. secrets: no API token, webhook secret or URL token in the log, execution data or errors', async () => {
		const started = Date.now();
		for (const sim of Object.values(sims)) secrets.harvest(sim);
		const findings = [];
		const logText = n8n.logs();
		// the harness keeps the last 8 MB: make sure this is the whole log of the run
		expect(logText.indexOf('klivo-harness: starting n8n')).toBeLessThan(200);
		findings.push(...secrets.findIn(logText, "n8n's log"));

		let executions = 0;
		let bytes = 0;
		for await (const page of R.executionPages(n8n, { includeData: true, limit: 100 })) {
			const text = JSON.stringify(page);
			executions += page.length;
			bytes += text.length;
			findings.push(...secrets.findIn(text, 'execution data'));
		}
		const errorsText = JSON.stringify(errorMessages);
		findings.push(...secrets.findIn(errorsText, 'activation error messages'));

		const kinds = secrets.byKind();
		report.add(
			'6. Secrets',
			R.table(
				['searched', 'size', 'found'],
				[
					[`the secrets: ${Object.entries(kinds).map(([k, n]) => `${n} ${k}s`).join(', ')} (whole value, and its first 12 characters)`, '', ''],
					["n8n's log (all starts of the run)", `${(logText.length / 1024).toFixed(0)} KB`, findings.filter((f) => f.where === "n8n's log").length],
					[`execution data (all ${executions} executions, with data)`, `${(bytes / 1024 / 1024).toFixed(1)} MB`, findings.filter((f) => f.where === 'execution data').length],
					[`node error messages (${errorMessages.length} activation errors shown by n8n)`, `${(errorsText.length / 1024).toFixed(1)} KB`, findings.filter((f) => f.where === 'activation error messages').length],
				],
			) + `\n\nTime: ${seconds(Date.now() - started)} s.`,
		);
		expect(secrets.map.size).toBeGreaterThan(10);
		expect(kinds['webhook secret']).toBeGreaterThan(0);
		expect(kinds['URL token']).toBeGreaterThan(0);
		expect(errorMessages.length).toBeGreaterThan(0);
		expect(findings).toEqual([]);
	}, 5 * 60 * 1000);
});
