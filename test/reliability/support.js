'use strict';
/**
 * Helpers for the reliability and security suite (test/reliability/reliability.test.js): one real
 * n8n (2.41.1 by default) with the packed package, Klivo simulators in both dialects with random
 * access tokens, a registry of every secret the run handed out (for the final leak search), bounded
 * concurrency, execution counting, and the figures the suite measures (printed, and written as
 * Markdown when KLIVO_RELIABILITY_REPORT=<file> is set).
 *
 * Builds on test/e2e/support.js (packing, workflow builders, executions) and tools/n8n/harness.js.
 */
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const { startSimulator } = require('../../tools/simulator/server.js');
const { startN8n, waitFor } = require('../../tools/n8n/harness.js');
const E = require('../e2e/support.js');

const VERSION = process.env.KLIVO_RELIABILITY_N8N || '2.41.1';
const DIALECTS = ['klivo', 'chatwoot'];
const ACCOUNT = 1;
/** The node's own URL token parameter (nodes/Klivo/shared/webhookUrl.ts). */
const URL_TOKEN_PARAM = 'klivo_token';

function log(message) {
	if (process.env.KLIVO_E2E_QUIET) return;
	process.stderr.write(`[klivo-reliability ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A random access token: unguessable, and easy to find in a log if it ever leaked. */
function randomToken() {
	return `kr-${crypto.randomBytes(18).toString('base64url')}`;
}

/**
 * Every secret the run handed out or saw: access tokens, webhook signing secrets, URL tokens.
 * harvest(sim) is called after every step, so secrets of webhooks deleted later are known too.
 */
class Secrets {
	constructor() {
		this.map = new Map(); // value -> kind
	}

	add(value, kind) {
		if (typeof value === 'string' && value.length >= 8 && !this.map.has(value)) this.map.set(value, kind);
	}

	harvest(sim) {
		for (const account of Object.keys(sim.accounts || { [ACCOUNT]: true })) {
			let hooks = [];
			try {
				hooks = sim.webhooks(account);
			} catch {
				continue;
			}
			for (const w of hooks) {
				this.add(w.secret, 'webhook secret');
				this.add(tokenOf(w.url), 'URL token');
			}
		}
	}

	byKind() {
		const counts = {};
		for (const kind of this.map.values()) counts[kind] = (counts[kind] || 0) + 1;
		return counts;
	}

	/** [{ kind, value, where }] for every secret (or its first 12 characters) found in `text`. */
	findIn(text, where) {
		const found = [];
		for (const [value, kind] of this.map) {
			if (!text.includes(value.slice(0, 12))) continue;
			found.push({ kind, where, value: `${value.slice(0, 4)}…`, match: text.includes(value) ? 'whole' : 'first 12 characters' });
		}
		return found;
	}
}

function tokenOf(url) {
	try {
		return new URL(url).searchParams.get(URL_TOKEN_PARAM) || undefined;
	} catch {
		return undefined;
	}
}

function urlBase(url) {
	const u = new URL(url);
	return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/** Runs fn over items with at most `concurrency` in flight; resolves the results in order. */
async function pool(items, concurrency, fn) {
	const results = new Array(items.length);
	let next = 0;
	const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index], index);
		}
	});
	await Promise.all(workers);
	return results;
}

/** Pages through GET /api/v1/executions; yields each page's executions. */
async function* executionPages(n8n, { workflowId, includeData = false, limit = 250 } = {}) {
	let cursor;
	do {
		const query = [`limit=${limit}`, includeData ? 'includeData=true' : '', workflowId ? `workflowId=${workflowId}` : '', cursor ? `cursor=${encodeURIComponent(cursor)}` : '']
			.filter(Boolean)
			.join('&');
		const page = await n8n.api('GET', `/executions?${query}`, null, { timeoutMs: 120000 });
		yield (page && page.data) || [];
		cursor = page && page.nextCursor;
	} while (cursor);
}

/** { total, finished, byStatus, byMode } over all executions (of one workflow, if given). */
async function countExecutions(n8n, workflowId) {
	const counts = { total: 0, finished: 0, byStatus: {}, byMode: {} };
	for await (const page of executionPages(n8n, { workflowId })) {
		for (const e of page) {
			counts.total += 1;
			if (e.finished === true || ['success', 'error', 'crashed', 'canceled'].includes(e.status)) counts.finished += 1;
			counts.byStatus[e.status] = (counts.byStatus[e.status] || 0) + 1;
			counts.byMode[e.mode] = (counts.byMode[e.mode] || 0) + 1;
		}
	}
	return counts;
}

/** Waits until `count` executions of the workflow are finished; resolves the counts. */
async function waitForExecutionCount(n8n, workflowId, count, { timeoutMs = 60000, intervalMs = 1000 } = {}) {
	let last;
	try {
		return await waitFor(
			async () => {
				last = await countExecutions(n8n, workflowId);
				return last.finished >= count ? last : false;
			},
			{ timeoutMs, intervalMs, message: `${count} finished executions of workflow ${workflowId}` },
		);
	} catch (error) {
		error.message += ` (last seen: ${JSON.stringify(last)})`;
		throw error;
	}
}

/** Percentile of a sorted numeric array. */
function percentile(sorted, p) {
	if (sorted.length === 0) return null;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Markdown table from a header row and rows of cells. */
function table(header, rows) {
	const esc = (cell) => String(cell ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
	return [`| ${header.map(esc).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** The figures of one run, section by section, for the console and KLIVO_RELIABILITY_REPORT. */
class Report {
	constructor() {
		this.sections = [];
		this.startedAt = Date.now();
	}

	add(title, markdown) {
		this.sections.push({ title, markdown });
		log(`${title}\n${markdown}\n`);
	}

	write(extra = {}) {
		const file = process.env.KLIVO_RELIABILITY_REPORT;
		if (!file) return;
		const head = [
			`Reliability suite run of ${new Date(this.startedAt).toISOString()}, n8n ${VERSION}, ${require('node:os').cpus().length} cores, load average at the end ${require('node:os')
				.loadavg()
				.map((l) => l.toFixed(1))
				.join(' / ')}, ${((Date.now() - this.startedAt) / 1000).toFixed(0)} s in all.`,
			...Object.entries(extra).map(([k, v]) => `- ${k}: ${v}`),
		].join('\n');
		const body = this.sections.map((s) => `### ${s.title}\n\n${s.markdown}\n`).join('\n');
		fs.writeFileSync(path.resolve(file), `${head}\n\n${body}`);
		log(`figures written to ${file}`);
	}
}

/**
 * The shared environment: the package packed once, one simulator per dialect (random token, account
 * 1), n8n with the package and a credential per dialect. `extraEnv` goes to n8n.
 */
async function startEnvironment({ extraEnv = {}, secrets }) {
	const packDir = E.mkTemp('klivo-rel-pack-');
	const t0 = Date.now();
	const tarball = E.buildAndPack(packDir);
	log(`built and packed ${path.basename(tarball)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

	const sims = {};
	const tokens = {};
	for (const dialect of DIALECTS) {
		tokens[dialect] = randomToken();
		secrets.add(tokens[dialect], 'API token');
		sims[dialect] = await startSimulator({ dialect, accounts: { [ACCOUNT]: { admins: [tokens[dialect]], agents: [] } } });
	}
	const userFolder = E.mkTemp(`klivo-rel-n8n-${VERSION}-`);
	const t1 = Date.now();
	const n8n = await startN8n({ version: VERSION, userFolder, packageTarball: tarball, env: extraEnv });
	log(`n8n ${VERSION} up on ${n8n.url} in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

	const creds = {};
	for (const dialect of DIALECTS) {
		creds[dialect] = await n8n.createCredential({
			name: `Klivo ${dialect}`,
			type: 'klivoApi',
			data: { baseUrl: sims[dialect].url, accessToken: tokens[dialect], accountId: String(ACCOUNT), timeout: 10 },
		});
	}

	return {
		n8n,
		sims,
		tokens,
		creds,
		async stop() {
			await n8n.stop().catch(() => undefined);
			for (const sim of Object.values(sims)) await sim.close().catch(() => undefined);
			fs.rmSync(userFolder, { recursive: true, force: true });
			fs.rmSync(packDir, { recursive: true, force: true });
		},
	};
}

/** Server-side subscription for the trigger's chosen events (nodes/Klivo/shared/events.ts subscriptionFor). */
function serverEvents(dialect, events) {
	const set = new Set(events);
	if (dialect === 'chatwoot' && set.has('conversation_resolved')) {
		set.delete('conversation_resolved');
		set.add('conversation_status_changed');
	}
	return [...set].sort();
}

/**
 * n8n.activateWorkflow / deactivateWorkflow of the harness, polling the publication status twice a
 * second instead of four times (for the fault matrix, where a hundred activations run at once).
 * Resolves { ok, status, message, triggers }.
 */
async function activateQuietly(n8n, id, { timeoutMs = 180000 } = {}) {
	const r = await n8n.api('POST', `/workflows/${id}/activate`, {}, { raw: true });
	if (r.status !== 200) return { ok: false, status: `http-${r.status}`, message: r.body && r.body.message, triggers: [] };
	if (n8n.major < 2) return { ok: true, status: 'published', message: null, triggers: [] };
	const st = await waitFor(
		async () => {
			const s = await n8n.publicationStatus(id);
			return s.status !== 'in_progress' ? s : false;
		},
		{ timeoutMs, intervalMs: 500, message: `publication of workflow ${id}` },
	);
	const failed = (st.triggers || []).filter((t) => t.status === 'failed');
	return { ok: st.status === 'published', status: st.status, message: failed.map((t) => t.errorMessage).join('; ') || null, triggers: st.triggers || [] };
}

async function deactivateQuietly(n8n, id, { timeoutMs = 180000 } = {}) {
	await n8n.api('POST', `/workflows/${id}/deactivate`, {});
	if (n8n.major < 2) return;
	await waitFor(async () => (await n8n.publicationStatus(id)).status === 'not_published', { timeoutMs, intervalMs: 500, message: `workflow ${id} unpublished` });
}

/** Waits until n8n serves a trigger's production URL (an unauthenticated probe gets 401, not 404). */
async function waitServed(n8n, webhookIds, timeoutMs = 90000) {
	for (const id of webhookIds) {
		await waitFor(async () => (await E.postJson(n8n.webhook(`${id}/klivo`), { event: 'probe' })).status === 401, {
			timeoutMs,
			intervalMs: 300,
			message: `trigger URL of webhook ${id} served`,
		});
	}
}

module.exports = {
	VERSION,
	DIALECTS,
	ACCOUNT,
	URL_TOKEN_PARAM,
	E,
	log,
	sleep,
	randomToken,
	Secrets,
	Report,
	tokenOf,
	urlBase,
	pool,
	executionPages,
	countExecutions,
	waitForExecutionCount,
	percentile,
	table,
	startEnvironment,
	serverEvents,
	waitServed,
	activateQuietly,
	deactivateQuietly,
	waitFor,
	startSimulator,
};
