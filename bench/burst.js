'use strict';
/**
 * Part 4, burst: 1,000 deliveries at concurrency 50 into one active workflow A (Klivo Trigger), and
 * the same burst into workflow C (thin community trigger), alternating, repeated. Per burst: p99 of
 * the acknowledgement time (the time until n8n answered the delivery, which is all Klivo waits for:
 * 10 s deadline, Chatwoot 5 s) and the executions recorded afterwards.
 *
 * Goals (issue 5): A's p99 within 1.05× of C's and under 2 s; all 1,000 deliveries recorded.
 */
const L = require('./lib.js');
const E = require('./e2e.js');

async function measure(env, { raw, amount = 1000, connections = 50, reps = 3, say = () => undefined }) {
	const runs = [];
	for (let rep = 0; rep < reps; rep++) {
		for (const key of rep % 2 ? ['C', 'A'] : ['A', 'C']) {
			const r = await E.measuredRun(env, key, { raw, connections, amount, maxSeconds: 300 });
			runs.push({ rep, ...r });
			say(`burst ${E.ENGINES[env.engine].label} ${key} ${rep + 1}/${reps}: p99 ${r.p99.toFixed(0)} ms, max ${r.max.toFixed(0)} ms, 2xx ${r.ok}/${amount}, executions ${r.executions} (load ${L.loadNow()[0]})`);
		}
	}
	const of = (key) => runs.filter((r) => r.workflow === key);
	const stats = (key) => ({
		p50: L.median(of(key).map((r) => r.p50)),
		p99: L.median(of(key).map((r) => r.p99)),
		max: Math.max(...of(key).map((r) => r.max)),
		rps: L.median(of(key).map((r) => r.rps)),
		ok: Math.min(...of(key).map((r) => r.ok)),
		executions: Math.min(...of(key).map((r) => r.executions)),
		allRecorded: of(key).every((r) => r.executions === amount && r.ok === amount),
	});
	const A = stats('A');
	const C = stats('C');
	const p99Ratio = L.ratio(A.p99, C.p99);
	return {
		engine: env.engine,
		label: E.ENGINES[env.engine].label,
		amount,
		connections,
		reps,
		runs,
		A,
		C,
		p99Ratio,
		goals: { p99VsC: p99Ratio <= 1.05, under2s: A.p99 < 2000, allRecorded: A.allRecorded },
	};
}

function rows(r) {
	return [
		[r.label, 'A Klivo Trigger', r.A.p99, r.A.max, r.A.rps, `${r.A.ok}/${r.amount}`, `${r.A.executions}/${r.amount}`, r.p99Ratio, L.verdict(r.goals.p99VsC && r.goals.under2s && r.goals.allRecorded)],
		[r.label, 'C thin community trigger', r.C.p99, r.C.max, r.C.rps, `${r.C.ok}/${r.amount}`, `${r.C.executions}/${r.amount}`, '', ''],
	];
}

module.exports = { measure, rows };
