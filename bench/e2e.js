'use strict';
/**
 * Part 1, end to end in a real n8n (the one `npm start` and the e2e suite use), and the pieces that
 * parts 3 and 4 share: n8n with both packages loaded, the Klivo simulator, the three workflows, a
 * bounded autocannon run, and counting executions through n8n's public API.
 *
 *   A  Klivo Trigger (message_created, default filters; Chatwoot-dialect simulator credential, so
 *      every delivery is signature-verified) → No Operation
 *   B  n8n's own Webhook node (POST, answers on receipt) → No Operation
 *   C  Thin Trigger (bench/thin-trigger: webhook() returns the body) → No Operation
 *
 * Every request carries the same Rails-serialised message_created body and Chatwoot's signature
 * headers: a fresh X-Chatwoot-Delivery id each (the trigger refuses a replayed id) and the signature
 * of the current second. A goes to the URL the trigger registered (with its klivo_token), B and C to
 * their own URLs. Runs alternate A, B, C (the order rotates every repetition); figures are medians
 * over the repetitions. Besides latency and throughput, each run records n8n's CPU time per delivery
 * (its process group, from /proc), which a busy machine hardly distorts.
 *
 * A and C are typeVersion 1.1 nodes, which is what n8n's editor adds today (for typeVersion 1 start
 * nodes n8n evaluates an expression per request; see BENCHMARKS.md). Also here: AF (workflow A sent an
 * agent's reply, which the default filters drop: no execution), and the experiments A1 and C1 (the
 * same triggers saved as typeVersion 1 nodes, as in workflows made before version 1.1).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const autocannon = require('autocannon');

const L = require('./lib.js');
const { startSimulator, sign } = require('../tools/simulator/server.js');
const { startN8n, getFreePort, waitFor } = require('../tools/n8n/harness.js');

const SIM_ACCOUNT = 1;
const NOOP = { name: 'No Operation, do nothing', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0], parameters: {} };
const WORKFLOWS = ['A', 'B', 'C'];
/** Experiments: the same two community triggers saved as typeVersion 1 nodes (see createWorkflows). */
const EXPERIMENTS = ['A1', 'C1'];
const LABEL = {
	A: 'A Klivo Trigger',
	B: 'B n8n Webhook node',
	C: 'C thin community trigger',
	A1: 'A1 Klivo Trigger saved as typeVersion 1',
	AF: 'A Klivo Trigger, filtered-out delivery',
	C1: 'C1 thin trigger saved as typeVersion 1',
};

/** n8n settings per expression engine; env undefined = n8n's default. */
const ENGINES = {
	default: { label: 'default (vm)', env: { N8N_EXPRESSION_ENGINE: undefined, N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: undefined } },
	legacy: { label: 'legacy', env: { N8N_EXPRESSION_ENGINE: 'legacy', N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: undefined } },
	lazy: { label: 'vm, lazy isolate', env: { N8N_EXPRESSION_ENGINE: undefined, N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } },
};

function withNoop(trigger) {
	return {
		nodes: [trigger, { id: L.uuid(), ...NOOP }],
		connections: { [trigger.name]: { main: [[{ node: NOOP.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

function workflowA(cred, typeVersion = 1.1) {
	const webhookId = L.uuid();
	return {
		webhookId,
		body: {
			name: `bench A: Klivo Trigger (typeVersion ${typeVersion}) → NoOp`,
			...withNoop({
				id: L.uuid(),
				name: 'Klivo Trigger',
				type: 'n8n-nodes-klivo.klivoTrigger',
				typeVersion,
				position: [0, 0],
				webhookId,
				parameters: { events: ['message_created'], options: {} },
				credentials: { klivoApi: { id: String(cred.id), name: cred.name } },
			}),
		},
	};
}

function workflowB() {
	const webhookId = L.uuid();
	const hookPath = `bench-b-${webhookId.slice(0, 8)}`;
	return {
		webhookId,
		path: hookPath,
		body: {
			name: 'bench B: n8n Webhook node → NoOp',
			...withNoop({
				id: L.uuid(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId,
				parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'onReceived', options: {} },
			}),
		},
	};
}

function workflowC(typeVersion = 1.1) {
	const webhookId = L.uuid();
	return {
		webhookId,
		body: {
			name: `bench C: thin trigger (typeVersion ${typeVersion}) → NoOp`,
			...withNoop({
				id: L.uuid(),
				name: 'Thin Trigger',
				type: 'n8n-nodes-thin-trigger.thinTrigger',
				typeVersion,
				position: [0, 0],
				webhookId,
				parameters: {},
			}),
		},
	};
}

/**
 * The simulator (Chatwoot dialect: signed deliveries) and n8n with n8n-nodes-klivo and
 * n8n-nodes-thin-trigger installed. Resolves a bench environment; `restartWith(engine)` starts n8n
 * again on the same data with another expression engine.
 */
async function startBench({ tarballs, version = L.n8nVersion(), engine = 'default', say = () => undefined }) {
	const sim = await startSimulator({ dialect: 'chatwoot' });
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-bench-n8n-'));
	const port = await getFreePort();
	const baseEnv = {
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_PRUNE: 'false',
	};
	const env = { sim, version, userFolder, port, engine, n8n: null, cred: null, workflows: {}, say };
	const boot = async (eng, packages) => {
		const t0 = Date.now();
		env.n8n = await startN8n({
			version,
			port,
			userFolder,
			packageTarball: packages,
			env: { ...baseEnv, ...ENGINES[eng].env },
		});
		env.engine = eng;
		say(`n8n ${version} (${ENGINES[eng].label} expression engine) up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
	};
	await boot(engine, tarballs);
	const types = await env.n8n.listNodeTypes();
	for (const t of ['n8n-nodes-klivo.klivoTrigger', 'n8n-nodes-thin-trigger.thinTrigger']) {
		if (!types.includes(t)) throw new Error(`n8n did not load ${t}`);
	}
	env.cred = await env.n8n.createCredential({
		name: 'Klivo simulator (chatwoot)',
		type: 'klivoApi',
		data: { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: String(SIM_ACCOUNT), timeout: 20 },
	});
	env.restartWith = async (eng) => {
		await env.n8n.stop();
		await boot(eng, undefined);
	};
	env.stop = async () => {
		if (env.n8n) await env.n8n.stop().catch(() => undefined);
		await sim.close().catch(() => undefined);
		fs.rmSync(userFolder, { recursive: true, force: true });
	};
	return env;
}

/**
 * Creates and activates A, B and C (and, with experiments, A1 and C1: the same triggers as
 * typeVersion 1 nodes); resolves { key: { id, url, secret } }.
 */
async function createWorkflows(env, { experiments = false } = {}) {
	const { n8n, sim } = env;
	const defs = { A: workflowA(env.cred), B: workflowB(), C: workflowC() };
	if (experiments) {
		defs.A1 = workflowA(env.cred, 1);
		defs.C1 = workflowC(1);
	}
	const out = {};
	for (const [key, def] of Object.entries(defs)) {
		const wf = await n8n.api('POST', '/workflows', def.body);
		const activation = await n8n.activateWorkflow(wf.id);
		if (!activation.ok) throw new Error(`activating workflow ${key} failed: ${activation.message}`);
		out[key] = { id: wf.id, webhookId: def.webhookId };
	}
	for (const key of ['A', 'A1'].filter((k) => defs[k])) {
		const registered = sim.webhooks(SIM_ACCOUNT).find((w) => w.url.includes(defs[key].webhookId));
		if (!registered) throw new Error(`the Klivo Trigger of workflow ${key} registered no webhook with the simulator`);
		out[key].url = registered.url;
		out[key].secret = registered.secret;
	}
	out.B.url = n8n.webhook(defs.B.path);
	for (const key of ['C', 'C1'].filter((k) => defs[k])) out[key].url = n8n.webhook(`${defs[key].webhookId}/thin`);
	env.workflows = out;
	return out;
}

/** Per-request signature headers: a fresh delivery id, the signature of the current second. */
function signer(secret, raw) {
	let second = '';
	let signature = '';
	return () => {
		const now = String(Math.floor(Date.now() / 1000));
		if (now !== second) {
			second = now;
			signature = sign(secret, now, raw);
		}
		return { 'x-chatwoot-delivery': L.uuid(), 'x-chatwoot-timestamp': second, 'x-chatwoot-signature': signature };
	};
}

/**
 * One bounded load run: `amount` POSTs at `connections` concurrency, stopped after maxSeconds in any
 * case. Resolves { sent, answered, status: {code: n}, errors, timeouts, p50, p99, max, rps, seconds, truncated }.
 */
function fire({ url, raw, headers, connections, amount, maxSeconds = 300 }) {
	return new Promise((resolve, reject) => {
		const latencies = [];
		const status = {};
		let truncated = false;
		const t0 = process.hrtime.bigint();
		let tLast = t0;
		const instance = autocannon(
			{
				url,
				method: 'POST',
				connections,
				amount,
				pipelining: 1,
				timeout: 30,
				headers: { 'content-type': 'application/json', 'user-agent': 'Klivo-Webhook/1.0' },
				body: raw,
				requests: [
					{
						setupRequest: (req) => {
							req.headers = { ...req.headers, ...headers() };
							return req;
						},
					},
				],
			},
			(error, result) => {
				clearTimeout(timer);
				if (error) return reject(error);
				const seconds = Number(tLast - t0) / 1e9;
				resolve({
					sent: result.requests.sent,
					answered: latencies.length,
					status,
					ok2xx: result['2xx'],
					non2xx: result.non2xx,
					errors: result.errors,
					timeouts: result.timeouts,
					p50: L.percentile(latencies, 50),
					p99: L.percentile(latencies, 99),
					max: Math.max(...latencies),
					rps: latencies.length / seconds,
					seconds,
					truncated,
				});
			},
		);
		instance.on('response', (_client, code, _bytes, ms) => {
			latencies.push(ms);
			status[code] = (status[code] || 0) + 1;
			tLast = process.hrtime.bigint();
		});
		const timer = setTimeout(() => {
			truncated = true;
			instance.stop();
		}, maxSeconds * 1000);
	});
}

/**
 * CPU time (user + system, ms) used so far by n8n's process group (n8n and its task runner), from
 * /proc. Unlike latency, it does not depend on what else the machine is doing. null where /proc is
 * missing.
 */
function groupCpuMs(pgid) {
	if (!pgid || !fs.existsSync('/proc/self/stat')) return null;
	const tick = 10; // USER_HZ is 100 on Linux
	let total = 0;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue;
		}
		// fields after the command name (which may contain spaces): state ppid pgrp ... utime(14) stime(15)
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(rest[2]) !== pgid) continue;
		total += (Number(rest[11]) + Number(rest[12])) * tick;
	}
	return total;
}

/** The newest execution id of the whole instance (0 when none). */
async function latestExecutionId(n8n) {
	const r = await n8n.api('GET', '/executions?limit=1');
	return r.data && r.data[0] ? Number(r.data[0].id) : 0;
}

/** Executions of a workflow with an id above afterId, by status. */
async function executionsSince(n8n, workflowId, afterId) {
	let cursor = null;
	const byStatus = {};
	let count = 0;
	for (let page = 0; page < 200; page++) {
		const r = await n8n.api('GET', `/executions?workflowId=${workflowId}&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		for (const e of r.data || []) {
			if (Number(e.id) <= afterId) return { count, byStatus };
			count++;
			byStatus[e.status] = (byStatus[e.status] || 0) + 1;
		}
		if (!r.nextCursor) break;
		cursor = r.nextCursor;
	}
	return { count, byStatus };
}

/**
 * Waits until the executions started since afterId are all finished and their number stops changing
 * (bounded by timeoutMs). Resolves { count, byStatus, waitedMs }.
 */
async function settleExecutions(n8n, workflowId, afterId, expected, timeoutMs = 180000) {
	const t0 = Date.now();
	let last = -1;
	let stable = 0;
	for (;;) {
		const r = await executionsSince(n8n, workflowId, afterId);
		const unfinished = (r.byStatus.running || 0) + (r.byStatus.new || 0) + (r.byStatus.waiting || 0);
		stable = r.count === last ? stable + 1 : 0;
		last = r.count;
		if (unfinished === 0 && ((r.count >= expected && stable >= 1) || stable >= 5)) return { ...r, waitedMs: Date.now() - t0 };
		if (Date.now() - t0 > timeoutMs) return { ...r, waitedMs: Date.now() - t0, timedOut: true };
		await L.sleep(1000);
	}
}

/** One measured run against one workflow, executions counted afterwards. */
async function measuredRun(env, key, { raw, connections, amount, maxSeconds }) {
	// AF: workflow A, sent an agent's outgoing reply, which the default filters drop (no execution)
	const filtered = key === 'AF';
	const wf = env.workflows[filtered ? 'A' : key];
	const body = filtered ? L.wire(L.filteredPayload()) : raw;
	// every workflow gets the same signed request; A and A' each with their own webhook's secret
	const headers = signer(wf.secret || env.workflows.A.secret, body);
	const before = await latestExecutionId(env.n8n);
	const cpu0 = groupCpuMs(env.n8n.pid);
	const load = await fire({ url: wf.url, raw: body, headers, connections, amount, maxSeconds });
	const ok = load.status ? Object.entries(load.status).filter(([code]) => code >= 200 && code < 300).reduce((n, [, v]) => n + v, 0) : 0;
	const exec = await settleExecutions(env.n8n, wf.id, before, filtered ? 0 : ok);
	const cpu1 = groupCpuMs(env.n8n.pid);
	const success = exec.byStatus.success || 0;
	return {
		workflow: key,
		connections,
		amount,
		...load,
		ok,
		executions: exec.count,
		executionsSuccess: success,
		executionsByStatus: exec.byStatus,
		executionsWaitMs: exec.waitedMs,
		// n8n's CPU per answered delivery, its execution included (and the few API calls that count them)
		cpuMsPerRequest: cpu0 === null || cpu1 === null || !load.answered ? NaN : (cpu1 - cpu0) / load.answered,
		allAnswered2xx: ok === amount && load.errors === 0 && load.timeouts === 0 && !load.truncated,
		oneExecutionEach: filtered ? exec.count === 0 : exec.count === ok && success === ok,
	};
}

/** A short unmeasured run per workflow so that n8n's caches and V8's code are warm. */
async function warmUp(env, raw, amount = 300, keys = WORKFLOWS) {
	for (const key of keys) await measuredRun(env, key, { raw, connections: 10, amount, maxSeconds: 120 });
}

/**
 * Part 1 for one engine: `reps` repetitions of A, B, C (rotating order) at each concurrency.
 * Resolves { engine, runs: [...], summary: { [conc]: { A: {p50, p99, rps}, ... } } }.
 */
async function measureEngine(env, { raw, keys = WORKFLOWS, concurrencies = [1, 50], amount = 2000, reps = 3, maxSeconds = 300, say = () => undefined }) {
	await warmUp(env, raw, 300, keys);
	const runs = [];
	for (let rep = 0; rep < reps; rep++) {
		for (const connections of concurrencies) {
			const order = keys.map((_, i) => keys[(i + rep) % keys.length]);
			for (const key of order) {
				const r = await measuredRun(env, key, { raw, connections, amount, maxSeconds });
				runs.push({ rep, ...r });
				say(
					`${ENGINES[env.engine].label} c=${connections} ${key} rep ${rep + 1}/${reps}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.rps.toFixed(0)} req/s, 2xx ${r.ok}/${amount}, executions ${r.executions} (load ${L.loadNow()[0]})`,
				);
			}
		}
	}
	return { engine: env.engine, label: ENGINES[env.engine].label, amount, reps, keys, runs, summary: summarize(runs, concurrencies, keys) };
}

function summarize(runs, concurrencies, keys) {
	const summary = {};
	for (const connections of concurrencies) {
		summary[connections] = {};
		for (const key of keys) {
			const mine = runs.filter((r) => r.connections === connections && r.workflow === key);
			summary[connections][key] = {
				p50: L.median(mine.map((r) => r.p50)),
				p99: L.median(mine.map((r) => r.p99)),
				rps: L.median(mine.map((r) => r.rps)),
				cpu: L.median(mine.map((r) => r.cpuMsPerRequest)),
				requests: mine.reduce((n, r) => n + r.amount, 0),
				ok: mine.reduce((n, r) => n + r.ok, 0),
				executions: mine.reduce((n, r) => n + r.executions, 0),
				allAnswered2xx: mine.every((r) => r.allAnswered2xx),
				oneExecutionEach: mine.every((r) => r.oneExecutionEach),
			};
		}
	}
	return summary;
}

/** Rows for the end-to-end table of one engine; ratios are A over the reference (p50: lower is better). */
function rows(result) {
	const out = [];
	for (const [conc, byWf] of Object.entries(result.summary)) {
		for (const key of result.keys) {
			const s = byWf[key];
			out.push([result.label, conc, LABEL[key], s.p50, s.p99, s.rps, s.cpu, `${s.ok}/${s.requests}`, `${s.executions}`]);
		}
	}
	return out;
}

function ratioRows(result) {
	const ref = result.engine === 'legacy' ? 'B' : 'C';
	const out = [];
	for (const [conc, s] of Object.entries(result.summary)) {
		const p50 = L.ratio(s.A.p50, s[ref].p50);
		const rps = L.ratio(s.A.rps, s[ref].rps);
		const goal = p50 <= 1.05 && rps >= 0.95;
		out.push([
			result.label,
			conc,
			L.ratio(s.A.p50, s.C.p50),
			L.ratio(s.A.rps, s.C.rps),
			L.ratio(s.A.p50, s.B.p50),
			L.ratio(s.A.rps, s.B.rps),
			L.ratio(s.C.p50, s.B.p50),
			L.ratio(s.A.cpu, s.C.cpu),
			L.ratio(s.A.cpu, s.B.cpu),
			result.engine === 'lazy' ? '(no goal)' : `A vs ${ref}: p50 ≤ 1.05×, req/s ≥ 0.95×`,
			result.engine === 'lazy' ? '' : L.verdict(goal),
		]);
	}
	return out;
}

/** Rows comparing filtered-out deliveries (AF) with passing ones (A) of the same engine. */
function filteredRows(result, reference) {
	const out = [];
	for (const [conc, byWf] of Object.entries(result.summary)) {
		const f = byWf.AF;
		const a = reference && reference.summary[conc] && reference.summary[conc].A;
		out.push([result.label, conc, f.p50, f.p99, f.rps, f.cpu, `${f.ok}/${f.requests}`, `${f.executions}`, a ? L.ratio(f.p50, a.p50) : NaN, a ? L.ratio(f.cpu, a.cpu) : NaN]);
	}
	return out;
}

/**
 * Rows for experiments: each workflow against B of the same engine (`reference`: the summary that
 * holds B, when this result does not).
 */
function experimentRows(result, reference) {
	const out = [];
	for (const [conc, byWf] of Object.entries(result.summary)) {
		const b = byWf.B || (reference && reference.summary[conc] && reference.summary[conc].B);
		for (const key of result.keys) {
			const s = byWf[key];
			out.push([
				result.label,
				conc,
				LABEL[key],
				s.p50,
				s.p99,
				s.rps,
				s.cpu,
				`${s.ok}/${s.requests}`,
				`${s.executions}`,
				b ? L.ratio(s.p50, b.p50) : NaN,
				b ? L.ratio(s.rps, b.rps) : NaN,
				b ? L.ratio(s.cpu, b.cpu) : NaN,
			]);
		}
	}
	return out;
}

module.exports = {
	experimentRows,
	filteredRows,
	ENGINES,
	WORKFLOWS,
	EXPERIMENTS,
	LABEL,
	startBench,
	createWorkflows,
	signer,
	fire,
	latestExecutionId,
	groupCpuMs,
	executionsSince,
	settleExecutions,
	measuredRun,
	warmUp,
	measureEngine,
	rows,
	ratioRows,
	waitFor,
};
