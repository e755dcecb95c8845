'use strict';
/**
 * Issue 15's last measurement, in a real n8n (the version `npm start` and the e2e suite use): Return All
 * of 10,000 contacts through the Klivo node, and through what an operator would build instead with
 * n8n's own HTTP Request node and its Pagination option, against the Klivo simulator with a round-trip
 * delay added to every request.
 *
 *   A  Webhook (GET, answers when the last node finishes, all its items) → Klivo: Contact › Get Many,
 *      Return All
 *   B  Webhook (the same) → HTTP Request 4.5 (GET {simulator}/api/v1/accounts/1/contacts, the Klivo API
 *      credential as a predefined credential type, Pagination: query parameter `page` =
 *      {{ $pageCount + 1 }}, complete when {{ $response.body.payload.length === 0 }}) → Split Out
 *      `payload` (one item per page would otherwise come out: the pages' bodies)
 *
 * "Response Is Empty", the Pagination option's default end, never holds here: an empty page is still
 * `{"meta":{...},"payload":[]}`, so the operator has to say which field ends it (hence "Other").
 *
 * Each run is one GET of the workflow's webhook, timed by this process from the request to the last
 * byte of the answer (the items of the last node: the contacts, from which ids are checked: every id
 * of the seeded 10,000 once). Also from the run: the simulator's request log (cleared before each
 * run), n8n's CPU time (its process group, /proc), and the workflow's nodes' own execution times
 * from the saved execution. First a run of each without the delay (n8n's and the simulator's CPU
 * alone, and warm caches), then `reps` runs of each with the delay, A and B alternating.
 *
 *   node bench/n8n-bulk.js [--tarball n8n-nodes-klivo-x.y.z.tgz] [--latency 100] [--contacts 10000] [--reps 1]
 *                          [--no-floor] [--json out.json]
 *
 * Without --tarball it builds and packs the package in a temporary copy (bench/lib.js). `npm run bench --
 * --only n8n-bulk` runs it as an optional part (not in the default run: about 3 minutes, most of it B's
 * 668 pages one after the other, and n8n's start).
 */
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const L = require('./lib.js');
const { startSimulator } = require('../tools/simulator/server.js');
const { startN8n } = require('../tools/n8n/harness.js');
const { groupCpuMs } = require('./e2e.js');

const ACCOUNT = 1;
const ADMIN = 'admin-token-1';
/** Chatwoot's page size for GET /contacts (reference §4.1): the HTTP Request node cannot change it. */
const PAGE_SIZE = 15;
/** What n8n 2.41.1's editor adds (the HTTP Request node's defaultVersion). */
const HTTP_REQUEST_VERSION = 4.5;
const LABEL = { A: 'A Klivo Get Many, Return All', B: 'B HTTP Request, Pagination → Split Out' };

function webhookNode(hookPath) {
	return {
		id: L.uuid(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		webhookId: L.uuid(),
		parameters: { httpMethod: 'GET', path: hookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
}

function chain(name, hookPath, nodes) {
	const all = [webhookNode(hookPath), ...nodes];
	const connections = {};
	for (let i = 0; i < all.length - 1; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { name, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

function workflowA(cred, hookPath) {
	return chain('bench n8n-bulk A: Webhook → Klivo Contact Get Many (Return All)', hookPath, [
		{
			id: L.uuid(),
			name: 'Klivo',
			type: 'n8n-nodes-klivo.klivo',
			typeVersion: 1,
			position: [260, 0],
			parameters: { resource: 'contact', operation: 'getAll', returnAll: true, options: {} },
			credentials: { klivoApi: { id: String(cred.id), name: cred.name } },
		},
	]);
}

function workflowB(cred, hookPath, simUrl) {
	return chain('bench n8n-bulk B: Webhook → HTTP Request (Pagination) → Split Out', hookPath, [
		{
			id: L.uuid(),
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: HTTP_REQUEST_VERSION,
			position: [260, 0],
			parameters: {
				method: 'GET',
				url: `${simUrl}/api/v1/accounts/${ACCOUNT}/contacts`,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'klivoApi',
				options: {
					pagination: {
						pagination: {
							paginationMode: 'updateAParameterInEachRequest',
							parameters: { parameters: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }] },
							paginationCompleteWhen: 'other',
							completeExpression: '={{ $response.body.payload.length === 0 }}',
						},
					},
				},
			},
			credentials: { klivoApi: { id: String(cred.id), name: cred.name } },
		},
		{
			id: L.uuid(),
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [520, 0],
			parameters: { fieldToSplitOut: 'payload', include: 'noOtherFields', options: {} },
		},
	]);
}

/**
 * GET with node:http and no timeout of its own but `timeoutMs` (fetch's 300 s header timeout would cut
 * a slow B short). Resolves { status, ms, body (parsed), bytes }.
 */
function getJson(url, timeoutMs) {
	return new Promise((resolve, reject) => {
		const t0 = process.hrtime.bigint();
		const req = http.get(url, { headers: { accept: 'application/json' } }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const ms = Number(process.hrtime.bigint() - t0) / 1e6;
				const text = Buffer.concat(chunks).toString('utf8');
				let body = text;
				try {
					body = JSON.parse(text);
				} catch {}
				resolve({ status: res.statusCode, ms, body, bytes: Buffer.byteLength(text) });
			});
			res.on('error', reject);
		});
		req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
		req.on('error', reject);
	});
}

/** The workflow's newest saved execution, with its data: status, duration and each node's executionTime. */
async function lastExecution(n8n, workflowId) {
	const list = await n8n.api('GET', `/executions?workflowId=${workflowId}&limit=1&includeData=true`, null, { timeoutMs: 120000 });
	const e = list && list.data && list.data[0];
	if (!e) return null;
	const runData = (e.data && e.data.resultData && e.data.resultData.runData) || {};
	const nodes = {};
	for (const [name, runs] of Object.entries(runData)) nodes[name] = runs.reduce((n, r) => n + (r.executionTime || 0), 0);
	const ms = e.startedAt && e.stoppedAt ? new Date(e.stoppedAt) - new Date(e.startedAt) : NaN;
	return { id: e.id, status: e.status, ms, nodes };
}

async function runOnce(ctx, key, latencyMs) {
	const { n8n, sim, workflows, expected } = ctx;
	const wf = workflows[key];
	sim.setLatency(latencyMs);
	sim.clearRequests();
	const cpu0 = groupCpuMs(n8n.pid);
	const res = await getJson(n8n.webhook(wf.path), 15 * 60 * 1000);
	const cpu1 = groupCpuMs(n8n.pid);
	const log = sim.requests;
	sim.setLatency(0);
	if (res.status !== 200 || !Array.isArray(res.body)) {
		const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
		throw new Error(`workflow ${key} answered ${res.status}: ${text.slice(0, 500)}`);
	}
	const ids = res.body.map((item) => item && item.id);
	const distinct = new Set(ids);
	const exact = distinct.size === expected.size && ids.length === expected.size && [...distinct].every((id) => expected.has(id));
	const execution = await lastExecution(n8n, wf.id);
	return {
		workflow: key,
		latencyMs,
		ms: res.ms,
		bytes: res.bytes,
		items: ids.length,
		distinct: distinct.size,
		exact,
		requests: log.length,
		pages: log.filter((r) => r.route === 'contacts.list').length,
		non2xx: log.filter((r) => r.status < 200 || r.status >= 300).length,
		cpuMs: cpu0 === null || cpu1 === null ? NaN : cpu1 - cpu0,
		execution,
		load: L.loadNow(),
	};
}

/**
 * Starts the simulator (10,000 contacts) and n8n with the packed package, creates the credential and
 * both workflows, runs them. Resolves the figures for report().
 */
async function measure({ tarball, version = L.n8nVersion(), latencyMs = 100, contacts = 10000, reps = 1, floor = true, say = () => undefined }) {
	const sim = await startSimulator({ dialect: 'chatwoot', demoData: false });
	let n8n = null;
	const result = { version, latencyMs, contacts, reps, pageSize: PAGE_SIZE, cores: os.cpus().length, loadBefore: L.loadNow(), runs: [] };
	try {
		const seeded = sim.addContacts(ACCOUNT, contacts, (i) => ({ name: `Cliente ${i}`, email: `cliente${i}@example.com` }));
		const expected = new Set(seeded.map((c) => c.id));
		const t0 = Date.now();
		n8n = await startN8n({
			version,
			packageTarball: tarball,
			env: { EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all', EXECUTIONS_DATA_SAVE_ON_ERROR: 'all', EXECUTIONS_DATA_PRUNE: 'false' },
		});
		say(`n8n-bulk: n8n ${version} up in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${contacts} contacts in the simulator`);
		const types = await n8n.listNodeTypes();
		if (!types.includes('n8n-nodes-klivo.klivo')) throw new Error('n8n did not load n8n-nodes-klivo.klivo');
		const cred = await n8n.createCredential({
			name: 'Klivo simulator',
			type: 'klivoApi',
			data: { baseUrl: sim.url, accessToken: ADMIN, tokenType: 'user', accountId: String(ACCOUNT), timeout: 30 },
		});
		const workflows = {};
		for (const [key, make] of Object.entries({ A: workflowA, B: workflowB })) {
			const hookPath = `bench-bulk-${key.toLowerCase()}-${L.uuid().slice(0, 8)}`;
			const wf = await n8n.api('POST', '/workflows', make(cred, hookPath, sim.url));
			const activation = await n8n.activateWorkflow(wf.id);
			if (!activation.ok) throw new Error(`activating workflow ${key} failed: ${activation.message}`);
			workflows[key] = { id: wf.id, path: hookPath };
		}
		const ctx = { n8n, sim, workflows, expected };
		const report = (r) =>
			say(
				`n8n-bulk: ${r.workflow} (${r.latencyMs} ms per request): ${(r.ms / 1000).toFixed(1)} s, ${r.items} items (${r.distinct} distinct${r.exact ? ', exactly the seeded ids' : ', NOT the seeded ids'}), ${r.pages} pages of ${r.requests} requests, n8n CPU ${(r.cpuMs / 1000).toFixed(1)} s (load ${r.load[0]})`,
			);
		if (floor) {
			for (const key of ['A', 'B']) {
				const r = await runOnce(ctx, key, 0);
				report(r);
				result.runs.push({ rep: 'floor', ...r });
			}
		}
		for (let rep = 0; rep < reps; rep++) {
			for (const key of rep % 2 ? ['B', 'A'] : ['A', 'B']) {
				const r = await runOnce(ctx, key, latencyMs);
				report(r);
				result.runs.push({ rep, ...r });
			}
		}
	} finally {
		if (n8n) await n8n.dispose().catch(() => undefined);
		await sim.close().catch(() => undefined);
	}
	result.loadAfter = L.loadNow();
	result.summary = summarize(result);
	return result;
}

function summarize(result) {
	const pick = (key, delayed) => result.runs.filter((r) => r.workflow === key && (delayed ? r.rep !== 'floor' : r.rep === 'floor'));
	const summary = {};
	for (const key of ['A', 'B']) {
		const runs = pick(key, true);
		const floor = pick(key, false);
		summary[key] = {
			ms: L.median(runs.map((r) => r.ms)),
			executionMs: L.median(runs.map((r) => r.execution && r.execution.ms)),
			cpuMs: L.median(runs.map((r) => r.cpuMs)),
			floorMs: floor.length ? L.median(floor.map((r) => r.ms)) : NaN,
			requests: runs.map((r) => r.requests),
			pages: runs.map((r) => r.pages),
			items: runs.map((r) => r.items),
			distinct: runs.map((r) => r.distinct),
			exact: runs.length > 0 && [...runs, ...floor].every((r) => r.exact),
			nodes: Object.fromEntries(
				Object.keys((runs[0] && runs[0].execution && runs[0].execution.nodes) || {}).map((name) => [name, L.median(runs.map((r) => r.execution && r.execution.nodes[name]))]),
			),
		};
	}
	summary.ratio = L.ratio(summary.B.ms, summary.A.ms);
	summary.pages = Math.ceil(result.contacts / result.pageSize);
	return summary;
}

function report(r) {
	const s = r.summary;
	const sec = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '-');
	const nodes = (n) =>
		Object.entries(n)
			.filter(([name]) => name !== 'Webhook')
			.map(([name, ms]) => `${name} ${sec(ms)}`)
			.join(', ');
	const row = (key) => {
		const x = s[key];
		return [LABEL[key], sec(x.ms), sec(x.executionMs), nodes(x.nodes), sec(x.cpuMs), sec(x.floorMs), x.requests.join(', '), `${x.items.join(', ')} (${x.distinct.join(', ')})`, x.exact ? 'yes' : 'NO'];
	};
	return [
		`Bulk in a real n8n ${r.version} (issue 15): Return All of ${r.contacts.toLocaleString('en')} contacts (${s.pages} pages of ${r.pageSize}) through a Webhook that answers with the last node's items, ` +
			`simulator with ${r.latencyMs} ms per request; ${r.reps} run(s) each (medians), load average ${r.loadBefore.join(' ')} before, ${r.loadAfter.join(' ')} after, ${r.cores} cores`,
		L.table(
			['workflow', 'webhook answered', 'execution', 'nodes', 'n8n CPU', 'no delay', 'requests to Klivo', 'items (distinct)', 'exactly the seeded ids'],
			[row('A'), row('B')],
		),
		`B / A: ${Number.isFinite(s.ratio) ? s.ratio.toFixed(1) : 'n/a'}× (the HTTP Request node's Pagination asks for one page after the other and must read an empty page to stop)`,
	].join('\n');
}

// ---- standalone ---------------------------------------------------------------------------------

if (require.main === module) {
	const args = {};
	const argv = process.argv.slice(2);
	for (let i = 0; i < argv.length; i++) {
		if (!argv[i].startsWith('--')) continue;
		args[argv[i].slice(2)] = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
	}
	const started = Date.now();
	const say = (line) => process.stderr.write(`[n8n-bulk ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
	let built = null;
	(async () => {
		let tarball = args.tarball ? path.resolve(args.tarball) : null;
		if (!tarball) {
			built = L.buildAndPack(say);
			tarball = built.klivoTarball;
		}
		const result = await measure({
			tarball,
			latencyMs: Number(args.latency ?? 100),
			contacts: Number(args.contacts || 10000),
			reps: Number(args.reps || 1),
			floor: args['no-floor'] !== 'true',
			say,
		});
		process.stdout.write(`${report(result)}\n`);
		if (args.json) fs.writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
	})()
		.catch((e) => {
			process.stderr.write(`n8n-bulk failed: ${e.stack || e}\n`);
			process.exitCode = 1;
		})
		.finally(() => {
			if (built) fs.rmSync(built.dir, { recursive: true, force: true });
		});
}

module.exports = { measure, report, summarize };
