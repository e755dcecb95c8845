'use strict';
/**
 * Bulk work at the server's speed (issue 15): the built node (dist/) on n8n-core's ExecuteContext, as
 * bench/api-cost.js runs it, against the simulator with a round-trip delay added to every request.
 *
 *   1. Return All of 10,000 contacts and of 5,000 conversations, pages 8 at a time (the node as built)
 *      and one after the other (the same code with PAGE_CONCURRENCY set to 1) in the same run: the
 *      ratio, and whether both gave the same records in the same order.
 *   2. 1,000 Add Labels items on 1,000 conversations (2 requests each) at the default Concurrency and
 *      at others, against 2,000 × delay ÷ concurrency; Concurrency 1 on a sample (the whole would take
 *      200 s) scaled to 1,000 items.
 *   3. The simulator's rate limiter at 1,000 requests a minute (Chatwoot's fixed one-minute windows,
 *      429 `Retry later`, no Retry-After): Return All of 20,000 contacts (1,334 pages), started just
 *      after a window began; every record once, and the time against what the limit allows.
 *
 *   node bench/bulk.js [--dist path/to/dist] [--latency 100] [--contacts 10000] [--conversations 5000]
 *                      [--items 1000] [--sample 100] [--limited 20000] [--per-minute 1000] [--skip-limit]
 *
 * Without --dist it builds the package in a temporary copy. `npm run bench` runs it as part 6
 * (`--only bulk`, about 5 minutes, most of it waiting for the rate limit's window and sequential pages).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork, spawnSync } = require('node:child_process');

const L = require('./lib.js');

/**
 * The simulator runs in a child process of its own, as a Klivo server runs on its own machine: in this
 * process its CPU (rendering pages) would queue behind the node's and count as the node's time. Calls
 * go over IPC: `await sim.call('addContacts', 1, n, 'contact')` (seeding takes a maker by name).
 */
async function startSimulator(options) {
	const child = fork(__filename, ['--simulator-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	let next = 0;
	const pending = new Map();
	child.on('message', (message) => {
		const waiting = pending.get(message.id);
		if (!waiting) return;
		pending.delete(message.id);
		if (message.error) waiting.reject(new Error(message.error));
		else waiting.resolve(message.value);
	});
	const call = (name, ...args) =>
		new Promise((resolve, reject) => {
			const id = next++;
			pending.set(id, { resolve, reject });
			child.send({ id, name, args });
		});
	const url = await call('start', options);
	return {
		url,
		call,
		close: async () => {
			await call('close');
			child.disconnect();
		},
	};
}

/** Record makers for the child's bulk seeding (functions do not cross IPC). */
const MAKERS = {
	contact: (i) => ({ name: `Cliente ${i}`, email: `cliente${i}@example.com` }),
	conversation: (ids) => (i) => ({ inbox_id: i % 2 ? 1 : 3, contact_id: ids[i % ids.length], status: i % 4 ? 'open' : 'resolved', labels: ['lead'] }),
};

function simulatorChild() {
	const { startSimulator: start } = require('../tools/simulator/server.js');
	let sim = null;
	process.on('message', async ({ id, name, args }) => {
		try {
			let value;
			if (name === 'start') {
				sim = await start({ port: 0, ...args[0] });
				value = sim.url;
			} else if (name === 'close') {
				await sim.close();
			} else if (name === 'addContacts') {
				value = sim.addContacts(args[0], args[1], MAKERS.contact).map((c) => c.id);
			} else if (name === 'addConversations') {
				value = sim.addConversations(args[0], args[1], MAKERS.conversation(args[2])).map((c) => c.id);
			} else if (name === 'requests') {
				value = sim.requests.map((r) => ({ route: r.route, status: r.status }));
			} else if (name === 'labelled') {
				const [account, ids, label] = args;
				value = ids.filter((conversation) => (sim.conversation(account, conversation).labels || []).includes(label)).length;
			} else {
				value = sim[name](...args);
			}
			process.send({ id, value });
		} catch (error) {
			process.send({ id, error: String(error && error.stack ? error.stack : error) });
		}
	});
}

const ADMIN = 'admin-token-1';
const ACCOUNT = 1;

// ---- the built node on n8n-core's ExecuteContext (as bench/api-cost.js) ---------------------------

function loadNode(dist) {
	const { Klivo } = require(path.join(dist, 'nodes', 'Klivo', 'Klivo.node.js'));
	const { KlivoApi } = require(path.join(dist, 'credentials', 'KlivoApi.credentials.js'));
	const pagination = require(path.join(dist, 'nodes', 'Klivo', 'transport', 'pagination.js'));
	const concurrency = require(path.join(dist, 'nodes', 'Klivo', 'actions', 'concurrency.js'));
	return { node: new Klivo(), credential: new KlivoApi(), pagination, defaultConcurrency: concurrency.DEFAULT_CONCURRENCY };
}

async function runNode(loaded, credentials, parameters, items) {
	const t0 = process.hrtime.bigint();
	const out = await L.runKlivoNode(loaded, credentials, parameters, items, 'Bench: bulk');
	return { out: out[0], ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

const sameList = (a, b) => a.length === b.length && a.every((id, i) => id === b[i]);
const idsOf = (out) => out.map((item) => item.json.id);
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ---- 1. Return All: pages 8 at a time vs one after the other --------------------------------------

async function returnAll(loaded, { latencyMs, contacts, conversations, say }) {
	const sim = await startSimulator({ dialect: 'chatwoot', demoData: false });
	const credentials = { baseUrl: sim.url, accessToken: ADMIN, accountId: String(ACCOUNT), timeout: 30 };
	const rows = [];
	try {
		const people = await sim.call('addContacts', ACCOUNT, contacts);
		await sim.call('addConversations', ACCOUNT, conversations, people);
		const cases = [
			{ what: `${contacts.toLocaleString('en')} contacts`, parameters: { resource: 'contact', operation: 'getAll', returnAll: true, options: {} }, pageSize: 15, count: contacts },
			{ what: `${conversations.toLocaleString('en')} conversations`, parameters: { resource: 'conversation', operation: 'getAll', returnAll: true, filters: {} }, pageSize: 25, count: conversations },
		];
		const pagesInFlight = loaded.pagination.PAGE_CONCURRENCY;
		// Without any delay the time is all CPU (the node's and n8n's request path): the floor on this machine.
		const floors = [];
		for (const c of cases) floors.push((await runNode(loaded, credentials, c.parameters)).ms);
		await sim.call('setLatency', latencyMs);
		for (const [n, c] of cases.entries()) {
			await sim.call('clearRequests');
			const concurrent = await runNode(loaded, credentials, c.parameters);
			const concurrentRequests = (await sim.call('requests')).length;
			say(`bulk: Return All of ${c.what}, ${pagesInFlight} pages at a time: ${s(concurrent.ms)}, ${concurrent.out.length} items, ${concurrentRequests} requests`);
			loaded.pagination.PAGE_CONCURRENCY = 1;
			await sim.call('clearRequests');
			let sequential;
			try {
				sequential = await runNode(loaded, credentials, c.parameters);
			} finally {
				loaded.pagination.PAGE_CONCURRENCY = pagesInFlight;
			}
			const sequentialRequests = (await sim.call('requests')).length;
			say(`bulk: the same one page after the other: ${s(sequential.ms)}, ${sequential.out.length} items, ${sequentialRequests} requests`);
			const a = idsOf(concurrent.out);
			const b = idsOf(sequential.out);
			rows.push({
				what: c.what,
				pages: Math.ceil(c.count / c.pageSize),
				concurrentMs: concurrent.ms,
				sequentialMs: sequential.ms,
				ratio: sequential.ms / concurrent.ms,
				items: a.length,
				distinct: new Set(a).size,
				same: sameList(a, b),
				concurrentRequests,
				sequentialRequests,
				pagesInFlight,
				noDelayMs: floors[n],
				idealMs: Math.ceil((Math.ceil(c.count / c.pageSize) - 1) / pagesInFlight + 1) * latencyMs,
			});
		}
	} finally {
		await sim.close();
	}
	return rows;
}

// ---- 2. many Add Labels items ------------------------------------------------------------------------

async function addLabels(loaded, { latencyMs, items, sample, say }) {
	const sim = await startSimulator({ dialect: 'chatwoot', demoData: false });
	const credentials = { baseUrl: sim.url, accessToken: ADMIN, accountId: String(ACCOUNT), timeout: 30 };
	const rows = [];
	try {
		const people = await sim.call('addContacts', ACCOUNT, items);
		const ids = await sim.call('addConversations', ACCOUNT, items, people);
		const input = ids.map((id) => ({ json: { id } }));
		const parameters = (label, concurrency) => ({
			resource: 'conversation',
			operation: 'addLabels',
			conversationId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
			labels: [label],
			createMissing: false,
			options: concurrency === undefined ? {} : { concurrency },
		});
		await runNode(loaded, credentials, parameters('warm', 1), input.slice(0, 5));
		await sim.call('setLatency', latencyMs);
		const settings = [
			{ concurrency: 1, items: sample },
			{ concurrency: undefined, items },
			{ concurrency: 10, items },
		];
		for (const [n, setting] of settings.entries()) {
			const label = `bulk-${n}`;
			const run = input.slice(0, setting.items);
			await sim.call('clearRequests');
			const { out, ms } = await runNode(loaded, credentials, parameters(label, setting.concurrency), run);
			const concurrency = setting.concurrency ?? loaded.defaultConcurrency;
			const requests = (await sim.call('requests')).length;
			const labelled = await sim.call('labelled', ACCOUNT, run.map(({ json }) => json.id), label);
			const inOrder = out.every((item, i) => item.json.conversation_id === run[i].json.id && item.pairedItem.item === i);
			const ideal = (run.length * 2 * latencyMs) / concurrency;
			rows.push({ concurrency, isDefault: setting.concurrency === undefined, items: run.length, ms, ideal, ratio: ms / ideal, requests, labelled, inOrder, perThousand: (ms * 1000) / run.length });
			say(`bulk: ${run.length} Add Labels items at concurrency ${concurrency}: ${s(ms)} (ideal ${s(ideal)}), ${requests} requests, ${labelled} labelled, in order: ${inOrder}`);
		}
	} finally {
		await sim.close();
	}
	return rows;
}

// ---- 3. under the rate limiter --------------------------------------------------------------------------

async function limited(loaded, { latencyMs, contacts, perMinute, say }) {
	const sim = await startSimulator({ dialect: 'chatwoot', demoData: false });
	const credentials = { baseUrl: sim.url, accessToken: ADMIN, accountId: String(ACCOUNT), timeout: 30 };
	try {
		await sim.call('addContacts', ACCOUNT, contacts);
		await runNode(loaded, credentials, { resource: 'contact', operation: 'getAll', returnAll: false, limit: 10, options: {} });
		await sim.call('setLatency', latencyMs);
		// Start just after a window begins, so the figure does not depend on where in a minute the run fell.
		const intoWindow = Date.now() % 60000;
		say(`bulk: waiting ${s(60000 - intoWindow + 200)} for the next one-minute window to start`);
		await new Promise((resolve) => setTimeout(resolve, 60000 - intoWindow + 200));
		await sim.call('setRateLimit', { perMinute });
		await sim.call('clearRequests');
		const { out, ms } = await runNode(loaded, credentials, { resource: 'contact', operation: 'getAll', returnAll: true, options: {} });
		const pages = Math.ceil(contacts / 15);
		const log = await sim.call('requests');
		const refused = log.filter((r) => r.status === 429).length;
		const answered = log.filter((r) => r.route === 'contacts.list' && r.status === 200).length;
		const ids = idsOf(out);
		const windows = Math.ceil(pages / perMinute);
		// The limit lets `perMinute` through a window: the last window's share still takes its round trips.
		const pagesInFlight = loaded.pagination.PAGE_CONCURRENCY;
		const floor = (windows - 1) * 60000 + Math.ceil((pages - (windows - 1) * perMinute) / pagesInFlight) * latencyMs;
		const row = { contacts, pages, perMinute, ms, items: ids.length, distinct: new Set(ids).size, refused, answered, windows, allowedMs: windows * 60000, floorMs: floor };
		say(`bulk: Return All of ${contacts} contacts at ${perMinute}/min: ${s(ms)}, ${row.items} items (${row.distinct} distinct), ${answered} pages answered, ${refused} refused`);
		return row;
	} finally {
		await sim.close();
	}
}

async function measure({ dist, latencyMs = 100, contacts = 10000, conversations = 5000, items = 1000, sample = 100, limitedContacts = 20000, perMinute = 1000, skipLimit = false, say = () => undefined }) {
	const loaded = loadNode(dist);
	const load = os.loadavg().map((x) => x.toFixed(2));
	const pages = await returnAll(loaded, { latencyMs, contacts, conversations, say });
	const writes = await addLabels(loaded, { latencyMs, items, sample, say });
	const limit = skipLimit ? null : await limited(loaded, { latencyMs, contacts: limitedContacts, perMinute, say });
	return { latencyMs, load, loadAfter: os.loadavg().map((x) => x.toFixed(2)), cores: os.cpus().length, pages, writes, limit };
}

function report(r) {
	const lines = [
		`Bulk (issue 15): the built node against the simulator with ${r.latencyMs} ms added to every request; load average ${r.load.join(' ')} before, ${r.loadAfter.join(' ')} after, ${r.cores} cores`,
		L.table(
			['Return All', 'pages', `${r.pages[0]?.pagesInFlight ?? 8} at a time`, 'one by one', 'ratio', 'items (distinct)', 'same records, same order', 'requests', 'no delay (CPU floor)', 'delay floor'],
			r.pages.map((p) => [p.what, String(p.pages), s(p.concurrentMs), s(p.sequentialMs), `${p.ratio.toFixed(1)}×`, `${p.items} (${p.distinct})`, p.same ? 'yes' : 'NO', `${p.concurrentRequests} / ${p.sequentialRequests}`, s(p.noDelayMs), s(p.idealMs)]),
		),
		'',
		L.table(
			['Add Labels items', 'concurrency', 'time', `2 × items × ${r.latencyMs} ms ÷ concurrency`, 'ratio', 'per 1,000 items', 'requests', 'labelled', 'output in order'],
			r.writes.map((w) => [String(w.items), `${w.concurrency}${w.isDefault ? ' (default)' : ''}`, s(w.ms), s(w.ideal), `${w.ratio.toFixed(2)}×`, s(w.perThousand), String(w.requests), String(w.labelled), w.inOrder ? 'yes' : 'NO']),
		),
	];
	if (r.limit) {
		const l = r.limit;
		lines.push(
			'',
			`Rate limit ${l.perMinute} requests a minute (fixed windows, 429 Retry later, no Retry-After), Return All of ${l.contacts.toLocaleString('en')} contacts (${l.pages} pages), started just after a window began: ` +
				`${s(l.ms)}, ${l.items} items (${l.distinct} distinct), ${l.answered} pages answered once each, ${l.refused} requests refused and sent again; ` +
				`the limit allows it in ${l.windows} windows (${s(l.allowedMs)}): ${(l.ms / l.allowedMs).toFixed(2)}× that; the fastest it could be (${l.windows - 1} full window(s) + the rest at full speed) is ${s(l.floorMs)}: ${(l.ms / l.floorMs).toFixed(2)}×`,
		);
	}
	return lines.join('\n');
}

// ---- standalone ---------------------------------------------------------------------------------

function buildTemporary(say) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-bulk-'));
	for (const entry of ['package.json', 'tsconfig.json', 'gulpfile.js', 'nodes', 'credentials']) {
		fs.cpSync(path.join(L.ROOT, entry), path.join(dir, entry), { recursive: true });
	}
	fs.symlinkSync(path.join(L.ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	say('building n8n-nodes-klivo (gulp build, in a temporary copy)');
	const res = spawnSync(process.execPath, [path.join(L.ROOT, 'node_modules', 'gulp', 'bin', 'gulp.js'), 'build'], { cwd: dir, encoding: 'utf8', timeout: 300000 });
	if (res.status !== 0) throw new Error(`gulp build failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
	return dir;
}

if (require.main === module && process.argv.includes('--simulator-child')) {
	simulatorChild();
} else if (require.main === module) {
	const args = {};
	const argv = process.argv.slice(2);
	for (let i = 0; i < argv.length; i++) {
		if (!argv[i].startsWith('--')) continue;
		args[argv[i].slice(2)] = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
	}
	const started = Date.now();
	const say = (line) => process.stderr.write(`[bulk ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
	let temp = null;
	(async () => {
		let dist = args.dist ? path.resolve(args.dist) : null;
		if (!dist) {
			temp = buildTemporary(say);
			dist = path.join(temp, 'dist');
		}
		const result = await measure({
			dist,
			latencyMs: Number(args.latency || 100),
			contacts: Number(args.contacts || 10000),
			conversations: Number(args.conversations || 5000),
			items: Number(args.items || 1000),
			sample: Number(args.sample || 100),
			limitedContacts: Number(args.limited || 20000),
			perMinute: Number(args['per-minute'] || 1000),
			skipLimit: args['skip-limit'] === 'true',
			say,
		});
		process.stdout.write(`${report(result)}\n`);
		if (args.json) fs.writeFileSync(args.json, JSON.stringify(result, null, 2));
	})()
		.catch((e) => {
			process.stderr.write(`bulk failed: ${e.stack || e}\n`);
			process.exitCode = 1;
		})
		.finally(() => {
			if (temp) fs.rmSync(temp, { recursive: true, force: true });
		});
}

module.exports = { measure, report };
