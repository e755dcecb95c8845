'use strict';
/**
 * Shared pieces of the benchmarks: the machine, statistics, payloads, building and packing the two
 * packages (in temporary copies: the repository's own dist/ is never touched), and the table.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const { toRailsJson, FIXTURES_DIR } = require('../tools/simulator/server.js');

// ---- statistics -------------------------------------------------------------------------------

function median(values) {
	const list = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
	if (list.length === 0) return NaN;
	const mid = Math.floor(list.length / 2);
	return list.length % 2 ? list[mid] : (list[mid - 1] + list[mid]) / 2;
}

/** Nearest-rank percentile of an unsorted list. */
function percentile(values, p) {
	const list = [...values].sort((a, b) => a - b);
	if (list.length === 0) return NaN;
	const rank = Math.min(list.length - 1, Math.max(0, Math.ceil((p / 100) * list.length) - 1));
	return list[rank];
}

function ratio(a, b) {
	return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

// ---- formatting ---------------------------------------------------------------------------------

function fmt(value, digits = 2) {
	if (value === undefined || value === null) return '-';
	if (typeof value === 'string') return value;
	if (!Number.isFinite(value)) return 'n/a';
	if (Math.abs(value) >= 1000) return value.toFixed(0);
	if (Math.abs(value) >= 100) return value.toFixed(Math.min(digits, 1));
	return value.toFixed(digits);
}

/** A markdown table (also readable in a terminal). */
function table(headers, rows) {
	const cells = [headers, ...rows].map((row) => row.map((c) => (typeof c === 'string' ? c : fmt(c))));
	const widths = headers.map((_, i) => Math.max(...cells.map((row) => String(row[i] ?? '').length)));
	const line = (row) => `| ${row.map((c, i) => String(c ?? '').padEnd(widths[i])).join(' | ')} |`;
	return [line(cells[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

function verdict(ok) {
	return ok === undefined ? '' : ok ? 'met' : 'MISSED';
}

// ---- the machine ----------------------------------------------------------------------------------

function machine(extra = {}) {
	const cpus = os.cpus();
	return {
		cores: cpus.length,
		cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
		memoryGiB: Math.round(os.totalmem() / 2 ** 30),
		benchNode: process.version,
		load: os.loadavg().map((l) => Number(l.toFixed(2))),
		...extra,
	};
}

function loadNow() {
	return os.loadavg().map((l) => Number(l.toFixed(2)));
}

/**
 * Waits (at most maxWaitMs) until the 1-minute load average is below `below`, so that a measurement
 * does not start while another job is using the CPU. Resolves the load seen at the end.
 */
async function waitForQuiet({ below = 0.7, maxWaitMs = 0, say = () => undefined } = {}) {
	const deadline = Date.now() + maxWaitMs;
	let said = false;
	while (os.loadavg()[0] >= below && Date.now() < deadline) {
		if (!said) say(`waiting up to ${Math.round(maxWaitMs / 1000)} s for the load average (${os.loadavg()[0].toFixed(2)}) to fall below ${below}`);
		said = true;
		await sleep(5000);
	}
	return loadNow();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- payloads ------------------------------------------------------------------------------------

function fixture(name) {
	return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8'));
}

/** A typical incoming WhatsApp message_created, as Klivo puts it on the wire (Rails JSON). */
function typicalPayload() {
	return fixture('message_created.incoming');
}

/**
 * A ~200 KB message_created: an incoming e-mail whose text and HTML body are large (the biggest
 * deliveries Klivo sends are e-mails with long quoted threads), Rails-escaped like the real thing.
 */
function largePayload(targetBytes = 200 * 1024) {
	const base = typicalPayload();
	const paragraph =
		'Olá, equipe Klivo! Seguem os detalhes do pedido & as dúvidas sobre a fatura <#4471> do plano Pro. ' +
		'Podemos migrar as 12 caixas de entrada até sexta-feira? Obrigado, Maria. ';
	const html = (n) => `<div class="gmail_quote"><p>${paragraph.repeat(n)}</p><blockquote>${paragraph.repeat(n)}</blockquote></div>`;
	const build = (n) => {
		const text = paragraph.repeat(n * 2);
		const payload = {
			...base,
			content: text,
			content_type: 'text',
			content_attributes: { email: { subject: 'Re: Fatura #4471', html_content: { full: html(n), reply: html(1), quoted: html(n) }, text_content: { full: text } } },
		};
		payload.conversation = { ...base.conversation, messages: [{ ...base.conversation.messages[0], content: text, processed_message_content: text }] };
		return payload;
	};
	let n = 1;
	while (Buffer.byteLength(toRailsJson(build(n * 2))) < targetBytes) n *= 2;
	let lo = n;
	let hi = n * 2;
	while (hi - lo > 1) {
		const mid = (lo + hi) >> 1;
		if (Buffer.byteLength(toRailsJson(build(mid))) < targetBytes) lo = mid;
		else hi = mid;
	}
	return build(hi);
}

/** The incoming message as an agent's outgoing reply: dropped by the default filters (incoming only). */
function filteredPayload() {
	return fixture('message_created.outgoing_agent');
}

function wire(payload) {
	return Buffer.from(toRailsJson(payload), 'utf8');
}

// ---- build and pack -------------------------------------------------------------------------------

function run(cmd, args, cwd, what) {
	const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300000, env: { ...process.env, npm_config_update_notifier: 'false' } });
	if (res.status !== 0) throw new Error(`${what} failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
	return res.stdout;
}

/**
 * Builds n8n-nodes-klivo (`gulp build`) in a temporary copy of the sources (node_modules symlinked)
 * and packs it; packs bench/thin-trigger too. Resolves { dir, klivoDist, klivoTarball, thinTarball }.

 */
function buildAndPack(say = () => undefined) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-bench-'));
	const src = path.join(dir, 'src');
	fs.mkdirSync(src);
	for (const entry of ['package.json', 'tsconfig.json', 'gulpfile.js', 'README.md', 'LICENSE', '.npmrc', 'nodes', 'credentials']) {
		const from = path.join(ROOT, entry);
		if (fs.existsSync(from)) fs.cpSync(from, path.join(src, entry), { recursive: true });
	}
	fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'), 'dir');
	say('building n8n-nodes-klivo (gulp build, in a temporary copy)');
	run(process.execPath, [path.join(ROOT, 'node_modules', 'gulp', 'bin', 'gulp.js'), 'build'], src, 'gulp build');
	const pack = (cwd) => {
		const out = run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json', '--loglevel=warn'], cwd, `npm pack in ${cwd}`);
		return path.join(dir, JSON.parse(out)[0].filename);
	};
	const klivoTarball = pack(src);
	const thinTarball = pack(path.join(__dirname, 'thin-trigger'));
	say(`packed ${path.basename(klivoTarball)} and ${path.basename(thinTarball)}`);
	return { dir, klivoDist: path.join(src, 'dist'), klivoTarball, thinTarball };
}

function n8nVersion() {
	return process.env.KLIVO_N8N_VERSION || require('../scripts/n8n-install.js').DEFAULT_N8N_VERSION;
}

const uuid = () => crypto.randomUUID();

// ---- the built node in-process --------------------------------------------------------------------

/** Applies the credential type's generic `authenticate` as n8n's CredentialsHelper does, expressions included. */
function credentialsHelper(credentialType, data) {
	return {
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		async authenticate(credentials, _typeName, requestOptions, workflow, node) {
			const headers = { ...(requestOptions.headers || {}) };
			for (const [key, value] of Object.entries(credentialType.authenticate.properties.headers || {})) {
				const text = String(value);
				headers[key] = text.startsWith('=')
					? String(workflow.expression.getSimpleParameterValue(node, text, 'internal', { $credentials: credentials }, undefined, ''))
					: text;
			}
			return { ...requestOptions, headers };
		},
		preAuthentication: async () => undefined,
		runPreAuthentication: async () => undefined,
		getCredentials: async () => {
			throw new Error('not used by these nodes');
		},
		getDecrypted: async () => ({ ...data }),
		updateCredentials: async () => undefined,
		updateCredentialsOauthTokenData: async () => undefined,
		getCredentialsProperties: () => credentialType.properties,
	};
}

/**
 * Runs the built Klivo node's execute() on `items` through a fresh n8n-core ExecuteContext, as a manual
 * execution would (bench/api-cost.js, bench/bulk.js).
 */
async function runKlivoNode(loaded, credentials, parameters, items = [{ json: {} }], workflowName = 'Bench') {
	const { ExecuteContext } = require('n8n-core');
	const { Workflow } = require('n8n-workflow');
	const nodeType = loaded.node;
	const node = {
		id: 'node-1',
		name: 'Klivo',
		type: 'n8n-nodes-klivo.klivo',
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { klivoApi: { id: 'cred-1', name: 'Klivo account' } },
	};
	const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
	const workflow = new Workflow({ id: 'wf-1', name: workflowName, nodes: [node], connections: {}, active: false, nodeTypes });
	const base = 'http://127.0.0.1:5678';
	const additionalData = {
		credentialsHelper: credentialsHelper(loaded.credential, credentials),
		webhookBaseUrl: `${base}/webhook`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		formBaseUrl: '',
		formTestBaseUrl: '',
		formWaitingBaseUrl: '',
		restApiUrl: '',
		instanceBaseUrl: `${base}/`,
		currentNodeExecutionIndex: 0,
		variables: {},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => undefined,
	};
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'manual',
		{ resultData: { runData: {} } },
		0,
		items,
		{ main: [items] },
		{ node, data: { main: [items] }, source: null },
		[],
	);
	return await nodeType.execute.call(context);
}

module.exports = {
	runKlivoNode,
	ROOT,
	median,
	percentile,
	ratio,
	fmt,
	table,
	verdict,
	machine,
	loadNow,
	waitForQuiet,
	sleep,
	typicalPayload,
	largePayload,
	filteredPayload,
	wire,
	buildAndPack,
	n8nVersion,
	uuid,
};
