'use strict';
/**
 * A bounded burst of Klivo deliveries, and counting what n8n executed, for the queue-mode suite.
 * Node built-ins only: keep-alive HTTP with a fixed number of connections, every request built by
 * the caller (its own body and headers, so that each delivery can carry a marker and its own
 * signature), every answer counted.
 */
const fs = require('node:fs');
const http = require('node:http');

const { waitFor } = require('../../tools/n8n/harness.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(values, p) {
	const list = [...values].sort((a, b) => a - b);
	if (list.length === 0) return NaN;
	return list[Math.min(list.length - 1, Math.max(0, Math.ceil((p / 100) * list.length) - 1))];
}

function postOnce(agent, target, body, headers, timeoutMs) {
	return new Promise((resolve) => {
		const t0 = process.hrtime.bigint();
		const req = http.request(
			{
				agent,
				host: target.hostname,
				port: target.port,
				path: `${target.pathname}${target.search}`,
				method: 'POST',
				headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
				timeout: timeoutMs,
			},
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6, text: Buffer.concat(chunks).toString('utf8') }),
				);
				res.on('error', (e) => resolve({ status: 0, error: e.message, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
			},
		);
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (e) => resolve({ status: 0, error: e.message, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
		req.end(body);
	});
}

/**
 * Sends `count` POSTs to `url` over `concurrency` keep-alive connections; build(i) -> { body, headers }.
 * Stops sending after maxSeconds in any case. Resolves
 *   { count, sent, byStatus, ok2xx, errors, seconds, rps, p50, p99, max, startedAt, endedAt, samples }
 * (samples: the first non-2xx answers, for a failure message).
 */
async function fire({ url, count, concurrency = 20, build, timeoutMs = 30000, maxSeconds = 240 }) {
	const target = new URL(url);
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const byStatus = {};
	const latencies = [];
	const samples = [];
	let errors = 0;
	let next = 0;
	let sent = 0;
	const startedAt = Date.now();
	const deadline = startedAt + maxSeconds * 1000;
	const t0 = process.hrtime.bigint();
	async function lane() {
		for (;;) {
			const i = next++;
			if (i >= count || Date.now() > deadline) return;
			const { body, headers } = build(i);
			sent++;
			const r = await postOnce(agent, target, body, headers, timeoutMs);
			if (r.status === 0) errors++;
			byStatus[r.status] = (byStatus[r.status] || 0) + 1;
			latencies.push(r.ms);
			if ((r.status < 200 || r.status >= 300) && samples.length < 5) samples.push({ i, status: r.status, error: r.error, text: (r.text || '').slice(0, 300) });
		}
	}
	await Promise.all(Array.from({ length: concurrency }, lane));
	const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
	agent.destroy();
	const ok2xx = Object.entries(byStatus)
		.filter(([code]) => Number(code) >= 200 && Number(code) < 300)
		.reduce((n, [, v]) => n + v, 0);
	return {
		count,
		concurrency,
		sent,
		byStatus,
		ok2xx,
		errors,
		seconds,
		rps: latencies.length / seconds,
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		max: latencies.length ? Math.max(...latencies) : NaN,
		startedAt,
		endedAt: Date.now(),
		samples,
	};
}

/** The newest execution id of the whole instance (0 when none). */
async function latestExecutionId(n8n) {
	const r = await n8n.api('GET', '/executions?limit=1');
	return r.data && r.data[0] ? Number(r.data[0].id) : 0;
}

/**
 * Executions of a workflow with an id above afterId (newest first), through the public API.
 * includeData: with their run data (pages of 100), else pages of 250.
 */
async function executionsSince(n8n, workflowId, afterId, { includeData = false } = {}) {
	const out = [];
	let cursor = null;
	const limit = includeData ? 100 : 250;
	for (let page = 0; page < 500; page++) {
		const q = `workflowId=${workflowId}&limit=${limit}${includeData ? '&includeData=true' : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
		const r = await n8n.api('GET', `/executions?${q}`, null, { timeoutMs: 120000 });
		for (const e of r.data || []) {
			if (Number(e.id) <= afterId) return out;
			out.push(e);
		}
		if (!r.nextCursor) break;
		cursor = r.nextCursor;
	}
	return out;
}

const FINISHED = ['success', 'error', 'crashed', 'canceled'];

/**
 * Waits (bounded) until at least `expected` executions since afterId exist and all are finished,
 * then a little longer to see that no more appear. Resolves { executions, waitedMs, timedOut }.
 */
async function settle(n8n, workflowId, afterId, expected, { timeoutMs = 240000, quietMs = 1500 } = {}) {
	const t0 = Date.now();
	let list = [];
	try {
		list = await waitFor(
			async () => {
				const l = await executionsSince(n8n, workflowId, afterId);
				return l.length >= expected && l.every((e) => FINISHED.includes(e.status)) ? l : false;
			},
			{ timeoutMs, intervalMs: 1000, message: `${expected} finished executions of workflow ${workflowId}` },
		);
	} catch {
		return { executions: await executionsSince(n8n, workflowId, afterId), waitedMs: Date.now() - t0, timedOut: true };
	}
	await sleep(quietMs);
	const again = await executionsSince(n8n, workflowId, afterId);
	return { executions: again.length >= list.length ? again : list, waitedMs: Date.now() - t0, timedOut: false };
}

/** CLK_TCK: /proc reports CPU time in these units (100 on Linux x86-64 by default). */
const TICKS_PER_SECOND = 100;

function readProcStats() {
	const stats = new Map();
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const text = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
			// after "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
			stats.set(Number(name), { ppid: Number(rest[1]), cpu: Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]) });
		} catch {}
	}
	return stats;
}

/**
 * CPU time (ms, user + system, including reaped children) used so far by each process tree:
 * roots = { name: pid }. Resolves { name: ms }; a missing pid counts 0.
 */
function cpuByTree(roots) {
	const stats = readProcStats();
	const children = new Map();
	for (const [pid, s] of stats) {
		if (!children.has(s.ppid)) children.set(s.ppid, []);
		children.get(s.ppid).push(pid);
	}
	const out = {};
	for (const [name, root] of Object.entries(roots)) {
		let ticks = 0;
		const stack = root && stats.has(Number(root)) ? [Number(root)] : [];
		while (stack.length) {
			const pid = stack.pop();
			ticks += stats.get(pid).cpu;
			stack.push(...(children.get(pid) || []));
		}
		out[name] = (ticks * 1000) / TICKS_PER_SECOND;
	}
	return out;
}

function countBy(list, key) {
	const out = {};
	for (const x of list) out[key(x)] = (out[key(x)] || 0) + 1;
	return out;
}

module.exports = { cpuByTree, fire, latestExecutionId, executionsSince, settle, countBy, percentile, sleep };
