'use strict';
/**
 * Where does n8n's time go per delivery? Starts n8n (both packages loaded) under `node --cpu-prof`,
 * sends a bounded burst to one workflow, stops n8n (which writes the profile) and prints the
 * functions with the most time, by self time and by inclusive time, grouped by package.
 *
 *   node bench/profile.js [--workflow A|B|C|A1|C1] [--engine default|legacy|lazy] [--requests 1000]
 *   (A1, C1: the two community triggers as typeVersion 1 nodes, as in workflows saved before 1.1)
 *                         [--connections 50] [--out /tmp/dir]
 *
 * Not part of `npm run bench`; it is how the figures in BENCHMARKS.md were explained.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const L = require('./lib.js');
const E = require('./e2e.js');

function args() {
	const list = process.argv.slice(2);
	const get = (name, fallback) => {
		const i = list.indexOf(`--${name}`);
		return i >= 0 ? list[i + 1] : fallback;
	};
	return {
		workflow: get('workflow', 'A'),
		engine: get('engine', 'default'),
		requests: Number(get('requests', 1000)),
		connections: Number(get('connections', 50)),
		out: get('out', fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-bench-prof-'))),
	};
}

function frameKey(frame) {
	const url = frame.url || '';
	const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
	const where = m ? `${m[1]}/${m[2].split('/').slice(-2).join('/')}` : url.split('/').slice(-2).join('/') || '(native)';
	return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
}

function packageOf(frame) {
	const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame.url || '');
	if (m) return m[1];
	if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
	return frame.url.startsWith('node:') ? 'node:internal' : frame.url.split('/').slice(-3).join('/');
}

/**
 * Self and inclusive milliseconds per function, and self milliseconds per package. `window`
 * { fromEndMs, toEndMs } keeps only the samples taken that long before the profile's last sample
 * (the burst, without n8n's start-up and shutdown).
 */
function summarizeProfile(file, top = 30, window = null) {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
	const selfTime = new Map();
	const stamps = [];
	let t = profile.startTime;
	for (const d of profile.timeDeltas) stamps.push((t += d));
	const end = stamps[stamps.length - 1];
	for (let i = 0; i < profile.samples.length; i++) {
		if (window && (stamps[i] < end - window.fromEndMs * 1000 || stamps[i] > end - window.toEndMs * 1000)) continue;
		selfTime.set(profile.samples[i], (selfTime.get(profile.samples[i]) || 0) + (profile.timeDeltas[i] || 0));
	}
	const self = new Map();
	const incl = new Map();
	const pkg = new Map();
	let total = 0;
	let idle = 0;
	const under = new Map(); // package -> inclusive µs of samples with a frame of that community package on the stack
	const watched = ['n8n-nodes-klivo', 'n8n-nodes-thin-trigger'];
	for (const [id, us] of selfTime) {
		total += us;
		const node = byId.get(id);
		const key = frameKey(node.callFrame);
		self.set(key, (self.get(key) || 0) + us);
		const p = packageOf(node.callFrame);
		pkg.set(p, (pkg.get(p) || 0) + us);
		if (node.callFrame.functionName === '(idle)') idle += us;
		const seen = new Set();
		const hit = new Set();
		for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
			const frame = byId.get(cur).callFrame;
			for (const w of watched) if ((frame.url || '').includes(`/node_modules/${w}/`)) hit.add(w);
			const k = frameKey(frame);
			if (seen.has(k)) continue;
			seen.add(k);
			incl.set(k, (incl.get(k) || 0) + us);
		}
		for (const w of hit) under.set(w, (under.get(w) || 0) + us);
	}
	const list = (m) =>
		[...m.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([k, v]) => `${(v / 1000).toFixed(0).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
			.join('\n');
	return {
		totalMs: total / 1000,
		busyMs: (total - idle) / 1000,
		community: Object.fromEntries(watched.map((w) => [w, (under.get(w) || 0) / 1000])),
		self: list(self),
		inclusive: list(incl),
		packages: list(pkg),
	};
}

async function main() {
	const a = args();
	const say = (l) => process.stderr.write(`[profile] ${l}\n`);
	const built = L.buildAndPack(say);
	const env = await E.startBench({ tarballs: [built.klivoTarball, built.thinTarball], engine: a.engine, say });
	try {
		await E.createWorkflows(env, { experiments: E.EXPERIMENTS.includes(a.workflow) });
		const raw = L.wire(L.typicalPayload());
		await E.warmUp(env, raw, 200);
		// restart under the profiler: only the measured burst (and start-up) are in the profile
		await env.n8n.stop();
		const { startN8n } = require('../tools/n8n/harness.js');
		env.n8n = await startN8n({
			version: env.version,
			port: env.port,
			userFolder: env.userFolder,
			env: {
				EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
				EXECUTIONS_DATA_PRUNE: 'false',
				...E.ENGINES[a.engine].env,
				NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${a.out}`,
			},
		});
		await E.warmUp(env, raw, 100);
		const t0 = Date.now();
		const r = await E.measuredRun(env, a.workflow, { raw, connections: a.connections, amount: a.requests });
		const t1 = Date.now(); // the executions have settled too
		say(`${a.workflow} c=${a.connections}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.rps.toFixed(0)} req/s, executions ${r.executions}`);
		await env.n8n.stop();
		const t2 = Date.now();
		env.n8n = null;
		const window = { fromEndMs: t2 - t0, toEndMs: t2 - t1 };
		const profiles = fs
			.readdirSync(a.out)
			.filter((f) => f.endsWith('.cpuprofile'))
			.map((f) => path.join(a.out, f))
			.sort((x, y) => fs.statSync(y).size - fs.statSync(x).size);
		if (profiles.length === 0) throw new Error(`no profile written to ${a.out}`);
		// the biggest profile is n8n's main process (the task runner's is small)
		const s = summarizeProfile(profiles[0], 40, window);
		const per = (ms) => `${ms.toFixed(0)} ms = ${(ms / r.answered).toFixed(3)} ms per delivery`;
		process.stdout.write(
			`busy (not idle): ${per(s.busyMs)}; inside the community node's own code (inclusive): ${Object.entries(s.community)
				.map(([k, v]) => `${k} ${per(v)}`)
				.join(', ')}\n` +
			`profile ${profiles[0]} (${s.totalMs.toFixed(0)} ms sampled during the burst of ${a.requests} requests to ${a.workflow}, ${E.ENGINES[a.engine].label} engine)\n\nby package (self):\n${s.packages}\n\nself:\n${s.self}\n\ninclusive:\n${s.inclusive}\n`,
		);
	} finally {
		await env.stop();
		fs.rmSync(built.dir, { recursive: true, force: true });
	}
}

module.exports = { summarizeProfile };

if (require.main === module) {
	main().catch((e) => {
		process.stderr.write(`${e.stack || e}\n`);
		process.exit(1);
	});
}
