#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: all four benchmarks of issue 5 in one run, printed as tables.
 *
 *   1. end to end in a real n8n: A Klivo Trigger, B n8n's Webhook node, C thin community trigger,
 *      each → No Operation; concurrency 1 and 50; n8n's default expression engine, the legacy one,
 *      and the default one with lazy isolate acquisition (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true)
 *   2. in process: webhook() per delivery against JSON.parse + HMAC-SHA256 of the same bytes
 *   3. API economy: requests to Klivo per activation, deactivation, test-listen, restart
 *   4. burst: 1,000 deliveries at concurrency 50 into A and into C
 *   5. API cost: requests to Klivo per call of each action operation, and Return All of 1,000 contacts
 *      (bench/api-cost.js: the built node on n8n-core's ExecuteContext against the simulator, ~10 s)
 *   6. bulk: Return All pages at once vs one by one, 1,000 Add Labels items, 20,000 contacts under a
 *      1,000-a-minute rate limit, with 100 ms per request (bench/bulk.js, ~5 min; --quick: small counts)
 *   7. optional, only with --only n8n-bulk: Return All of 10,000 contacts in a real n8n through the Klivo
 *      node and through n8n's HTTP Request node with its Pagination option, 100 ms per request
 *      (bench/n8n-bulk.js, ~3 min)
 *   experiments: the two community triggers saved as typeVersion 1 nodes (workflows made before
 *      version 1.1), on the default and the lazy engine (see BENCHMARKS.md)
 *
 * Everything runs on 127.0.0.1 (n8n, the Klivo simulator, the load generator); every load run is
 * bounded in requests and in time. Figures are medians over repeated runs.
 *
 *   npm run bench                                  # the full run (about 30-40 minutes on 2 idle cores)
 *   npm run bench -- --quick                       # a smoke run: small counts, 1 repetition
 *   npm run bench -- --reps 5 --requests 2000      # more repetitions / requests per run (default
 *                                                  # 3 × 700: 2,100 requests per workflow and concurrency)
 *   npm run bench -- --engines default             # the main comparison on one engine only
 *   npm run bench -- --no-experiments              # skip the typeVersion 1 experiments
 *   npm run bench -- --experiment-reps 3           # repetitions of each experiment cell (default 1)
 *   npm run bench -- --experiment-requests 300     # deliveries per experiment run (default 700)
 *   npm run bench -- --only inprocess              # one part: inprocess | e2e | api | burst | cost | bulk | n8n-bulk (comma list;
 *                                                  # n8n-bulk runs only when named)
 *   npm run bench -- --json results.json           # also write every raw figure as JSON
 *   npm run bench -- --report report.txt           # rewrite the tables to a file after every part
 *   npm run bench -- --quiet-load 0.5 --quiet-wait 600  # wait (≤ 600 s) for the 1-min load < 0.5 first
 */
const fs = require('node:fs');

const L = require('./lib.js');

function parseArgs(argv) {
	const args = {};
	for (let i = 0; i < argv.length; i++) {
		if (!argv[i].startsWith('--')) continue;
		const [key, inline] = argv[i].slice(2).split('=', 2);
		args[key] = inline !== undefined ? inline : argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
	}
	return args;
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const quick = args.quick === 'true';
	const settings = {
		reps: Number(args.reps || (quick ? 1 : 3)),
		requests: Number(args.requests || (quick ? 100 : 700)),
		burst: Number(args.burst || (quick ? 100 : 1000)),
		burstReps: Number(args['burst-reps'] || (quick ? 1 : 3)),
		inprocessRounds: Number(args.rounds || (quick ? 5 : 15)),
		engines: String(args.engines || 'default,legacy,lazy').split(','),
		experiments: args['no-experiments'] !== 'true',
		experimentReps: Number(args['experiment-reps'] || 1),
		experimentRequests: Number(args['experiment-requests'] || (quick ? 100 : 700)),
		only: new Set(String(args.only || 'inprocess,cost,bulk,e2e,api,burst').split(',')),
		quietLoad: Number(args['quiet-load'] || 0.7),
		quietWaitMs: Number(args['quiet-wait'] || 0) * 1000,
	};
	const started = Date.now();
	const say = (line) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
	const version = L.n8nVersion();
	const installer = require('../scripts/n8n-install.js');
	say(`making sure n8n ${version} is installed`);
	const inst = await installer.ensureN8n(version, { log: (l) => say(`  ${l}`) });
	const results = { settings, startedAt: new Date().toISOString() };
	results.loadAtStart = await L.waitForQuiet({ below: settings.quietLoad, maxWaitMs: settings.quietWaitMs, say });
	results.machine = L.machine({ n8n: version, n8nNode: inst.nodeVersion });
	say(`machine: ${results.machine.cores} cores (${results.machine.cpu}), load ${results.loadAtStart.join(' ')}`);

	const built = L.buildAndPack(say);
	const E = require('./e2e.js');
	const B = require('./burst.js');
	const inprocess = require('./inprocess.js');
	const economy = require('./api-economy.js');
	const cost = require('./api-cost.js');
	const bulk = require('./bulk.js');
	const n8nBulk = require('./n8n-bulk.js');

	/** The report so far: written to --report / --json after every part, printed at the end. */
	const assemble = () => {
		const parts = [];
		if (results.e2e && results.e2e.length) {
			parts.push(
				[
					`End to end in n8n ${version}: signed message_created deliveries, ${settings.reps} run(s) × ${settings.requests} = ${settings.reps * settings.requests} per cell, A, B, C alternating; medians over the runs`,
					L.table(['engine', 'conc.', 'workflow', 'p50 ms', 'p99 ms', 'req/s', 'n8n CPU ms/req', '2xx', 'executions'], results.e2e.flatMap(E.rows)),
					'',
					'Ratios (A = Klivo Trigger, B = n8n Webhook node, C = thin community trigger; p50 and CPU: lower is better, req/s: higher is better)',
					L.table(['engine', 'conc.', 'p50 A/C', 'req/s A/C', 'p50 A/B', 'req/s A/B', 'p50 C/B', 'CPU A/C', 'CPU A/B', 'goal', ''], results.e2e.flatMap(E.ratioRows)),
				].join('\n'),
			);
		}
		if (results.burst && results.burst.length) {
			parts.push(
				[
					`Burst: ${settings.burst} deliveries at concurrency 50 into one active workflow, medians of ${settings.burstReps} burst(s); goal: A's p99 ≤ 1.05× C's and < 2 s, every delivery recorded`,
					L.table(['engine', 'workflow', 'p99 ack ms', 'max ms', 'req/s', '2xx', 'executions', 'p99 A/C', ''], results.burst.flatMap(B.rows)),
				].join('\n'),
			);
		}
		if (results.inprocess) parts.push(inprocess.report(results.inprocess));
		if (results.filtered) {
			parts.push(
				[
					`Filtered-out deliveries end to end (an agent's reply, dropped by the default filters: answered 200, no execution), ${settings.experimentReps} run(s) × ${settings.experimentRequests}`,
					L.table(['engine', 'conc.', 'p50 ms', 'p99 ms', 'req/s', 'n8n CPU ms/req', '2xx', 'executions', 'p50 / passing A', 'CPU / passing A'], E.filteredRows(results.filtered, results.filtered.reference)),
				].join('\n'),
			);
		}
		if (results.api) parts.push(economy.report(results.api));
		if (results.cost) parts.push(cost.report(results.cost));
		if (results.bulk) parts.push(bulk.report(results.bulk));
		if (results.n8nBulk) parts.push(n8nBulk.report(results.n8nBulk));
		if (results.experiments && results.experiments.length) {
			parts.push(
				[
					`Experiments: workflows saved before version 1.1 (A1, C1: the same triggers as typeVersion 1 nodes), ${settings.experimentReps} run(s) × ${settings.experimentRequests} per cell; lazy: N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true`,
					L.table(
						['engine', 'conc.', 'workflow', 'p50 ms', 'p99 ms', 'req/s', 'n8n CPU ms/req', '2xx', 'executions', 'p50 / B', 'req/s / B', 'CPU / B'],
						results.experiments.flatMap((r) => E.experimentRows(r, r.reference)),
					),
				].join('\n'),
			);
		}
		const m = results.machine;
		const header = [
			`n8n-nodes-klivo benchmarks (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${Math.round((Date.now() - started) / 1000)} s)`,
			`machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB; n8n ${m.n8n} on Node ${m.n8nNode}; load generator and in-process bench on Node ${m.benchNode}`,
			`load average (1/5/15 min) at start ${results.loadAtStart.join(' / ')}, now ${L.loadNow().join(' / ')}`,
			'all figures are medians of repeated runs; everything on 127.0.0.1',
		].join('\n');
		return `${header}\n\n${parts.join('\n\n')}\n`;
	};
	const publish = () => {
		if (args.report) fs.writeFileSync(args.report, assemble());
		if (args.json) fs.writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
	};

	let env = null;
	try {
		if (settings.only.has('inprocess')) {
			say('part 2: in process');
			results.inprocess = await inprocess.measure({ dist: built.klivoDist, rounds: settings.inprocessRounds, say });
			publish();
		}
		if (settings.only.has('cost')) {
			say('part 5: API cost of each operation');
			results.cost = await cost.measure({ dist: built.klivoDist, reps: quick ? 1 : 5, say });
			publish();
		}
		if (settings.only.has('bulk')) {
			say('part 6: bulk (Return All, many items, rate limit)');
			const small = quick ? { contacts: 600, conversations: 300, items: 100, sample: 20, skipLimit: true } : {};
			results.bulk = await bulk.measure({ dist: built.klivoDist, say, ...small });
			publish();
		}
		if (settings.only.has('n8n-bulk')) {
			say('part 7: bulk in a real n8n (Klivo Get Many vs HTTP Request pagination)');
			const small = quick ? { contacts: 1000, latencyMs: 0, floor: false } : {};
			results.n8nBulk = await n8nBulk.measure({ tarball: built.klivoTarball, version, say, ...small });
			publish();
		}
		if (['e2e', 'api', 'burst'].some((p) => settings.only.has(p))) {
			const raw = L.wire(L.typicalPayload());
			env = await E.startBench({ tarballs: [built.klivoTarball, built.thinTarball], version, engine: settings.engines[0], say });
			if (settings.only.has('api')) {
				say('part 3: API economy');
				results.api = await economy.measure(env, { say });
				publish();
			}
			if (settings.only.has('e2e') || settings.only.has('burst')) {
				await E.createWorkflows(env, { experiments: settings.experiments });
				results.e2e = [];
				results.burst = [];
				results.experiments = [];
				// the goals first (main engines), the experiments last: a run cut short keeps what matters
				for (const [i, engine] of settings.engines.entries()) {
					if (env.engine !== engine) await env.restartWith(engine);
					const label = E.ENGINES[engine].label;
					if (settings.only.has('e2e')) {
						say(`part 1: end to end, ${label} expression engine`);
						results.e2e.push(await E.measureEngine(env, { raw, amount: settings.requests, reps: settings.reps, say }));
						publish();
					} else {
						await E.warmUp(env, raw);
					}
					if (settings.only.has('burst')) {
						say(`part 4: burst, ${label} expression engine`);
						results.burst.push(await B.measure(env, { raw, amount: settings.burst, reps: settings.burstReps, say }));
						publish();
					}
					if (i === 0 && settings.only.has('e2e')) {
						say(`part 2, end to end: filtered-out deliveries, ${label} expression engine`);
						const r = await E.measureEngine(env, { raw, keys: ['AF'], amount: settings.experimentRequests, reps: settings.experimentReps, say });
						Object.defineProperty(r, 'reference', { value: results.e2e[results.e2e.length - 1], enumerable: false });
						results.filtered = r;
						publish();
					}
				}
				if (settings.experiments && settings.only.has('e2e')) {
					for (const engine of ['default', 'lazy']) {
						if (env.engine !== engine) await env.restartWith(engine);
						const keys = results.e2e.some((x) => x.engine === engine) ? E.EXPERIMENTS : [...E.WORKFLOWS, ...E.EXPERIMENTS];
						say(`experiment: ${keys.join(', ')} on the ${E.ENGINES[engine].label} expression engine`);
						const r = await E.measureEngine(env, { raw, keys, amount: settings.experimentRequests, reps: settings.experimentReps, say });
						Object.defineProperty(r, 'reference', { value: results.e2e.find((x) => x.engine === engine) || null, enumerable: false });
						results.experiments.push(r);
						publish();
					}
				}
			}
		}
	} finally {
		if (env) await env.stop();
		fs.rmSync(built.dir, { recursive: true, force: true });
	}
	results.loadAtEnd = L.loadNow();
	results.seconds = Math.round((Date.now() - started) / 1000);
	publish();
	process.stdout.write(`\n${assemble()}`);
	if (args.json) say(`raw figures written to ${args.json}`);
}

main().catch((e) => {
	process.stderr.write(`\nbench failed: ${e.stack || e}\n`);
	process.exit(1);
});
