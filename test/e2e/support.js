'use strict';
/**
 * Helpers for the end-to-end suite (test/e2e/klivo.e2e.test.js): pack the package as a user would
 * get it, build workflows, read executions, talk to n8n's webhook endpoints.
 *
 * Packing happens in a temporary COPY of the repository's sources (node_modules symlinked), so the
 * suite never cleans or rewrites the repository's own dist/ while other test files read it.
 * KLIVO_E2E_TARBALL=/path/to/n8n-nodes-klivo-x.y.z.tgz skips the build and uses that tarball.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const net = require('node:net');
const { spawnSync } = require('node:child_process');

const installer = require('../../scripts/n8n-install.js');
const { waitFor } = require('../../tools/n8n/harness.js');

const ROOT = path.resolve(__dirname, '..', '..');
// The newest pinned n8n and the OLDEST one the nodes support (README, "Installation in n8n"): n8n 1.85
// is the first whose n8n-workflow (1.83.0) exports NodeConnectionTypes, which both nodes use at run time.
// Other versions: KLIVO_E2E_VERSIONS=1.123.81 (or a comma-separated list).
const DEFAULT_VERSIONS = ['2.41.1', '1.85.3'];
const PACKAGE_NAME = 'n8n-nodes-klivo';
const ACTION_TYPE = `${PACKAGE_NAME}.klivo`;
const TRIGGER_TYPE = `${PACKAGE_NAME}.klivoTrigger`;

function versions() {
	const raw = process.env.KLIVO_E2E_VERSIONS;
	if (!raw || !raw.trim()) return DEFAULT_VERSIONS;
	return raw
		.split(/[\s,]+/)
		.map((v) => v.trim())
		.filter(Boolean);
}

function log(message) {
	if (process.env.KLIVO_E2E_QUIET) return;
	process.stderr.write(`[klivo-e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function run(cmd, args, cwd, what) {
	const res = spawnSync(cmd, args, { cwd, env: installer.cleanEnv(), encoding: 'utf8', timeout: 300000 });
	if (res.status !== 0) {
		throw new Error(`${what} failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
	}
	return res.stdout;
}

/**
 * Builds the package with `npx gulp build` and packs it with `npm pack`, in a copy of the sources
 * under workDir. Returns the tarball's path.
 */
function buildAndPack(workDir) {
	if (process.env.KLIVO_E2E_TARBALL) {
		const given = path.resolve(process.env.KLIVO_E2E_TARBALL);
		if (!fs.existsSync(given)) throw new Error(`KLIVO_E2E_TARBALL ${given} does not exist`);
		return given;
	}
	const src = path.join(workDir, 'src');
	fs.mkdirSync(src, { recursive: true });
	for (const entry of ['package.json', 'tsconfig.json', 'gulpfile.js', 'README.md', 'LICENSE', '.npmrc', 'nodes', 'credentials']) {
		const from = path.join(ROOT, entry);
		if (fs.existsSync(from)) fs.cpSync(from, path.join(src, entry), { recursive: true });
	}
	fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'), 'dir');
	run('npx', ['--no-install', 'gulp', 'build'], src, 'npx gulp build');
	const out = run('npm', ['pack', '--pack-destination', workDir, '--ignore-scripts', '--loglevel=warn'], src, 'npm pack');
	const tarball = path.join(workDir, out.trim().split('\n').pop().trim());
	if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${tarball}, which does not exist`);
	return tarball;
}

const uuid = () => crypto.randomUUID();

function credentialRef(cred) {
	return { klivoApi: { id: String(cred.id), name: cred.name } };
}

/** Klivo Trigger (typeVersion 1.1, what the editor adds today) -> No Operation. Returns { workflow, webhookId, triggerName }. */
function triggerWorkflow({ name, cred, events = ['message_created'], options = {}, webhookId = uuid(), typeVersion = 1.1 }) {
	const triggerName = 'Klivo Trigger';
	return {
		webhookId,
		triggerName,
		workflow: {
			name,
			nodes: [
				{
					id: uuid(),
					name: triggerName,
					type: TRIGGER_TYPE,
					typeVersion,
					position: [0, 0],
					webhookId,
					parameters: { events, options },
					credentials: credentialRef(cred),
				},
				{
					id: uuid(),
					name: 'No Operation, do nothing',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [260, 0],
					parameters: {},
				},
			],
			connections: {
				[triggerName]: { main: [[{ node: 'No Operation, do nothing', type: 'main', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		},
	};
}

/**
 * Webhook (POST /webhook/<path>, answers with all items of the last node) -> Klivo (one operation,
 * parameters usually expressions over the request body).
 */
function actionWorkflow({ name, path: hookPath, cred, parameters }) {
	return {
		name,
		nodes: [
			{
				id: uuid(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: uuid(),
				parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			{
				id: uuid(),
				name: 'Klivo',
				type: ACTION_TYPE,
				typeVersion: 1,
				position: [260, 0],
				parameters: { resource: 'webhook', ...parameters },
				credentials: credentialRef(cred),
			},
		],
		connections: { Webhook: { main: [[{ node: 'Klivo', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * The shipped watchdog example with its placeholders filled in, and its Schedule Trigger replaced
 * by a Webhook trigger (POST /webhook/<path>) so that a test can run it at once.
 */
function watchdogWorkflow({ url, events, cred, path: hookPath, name }) {
	const wf = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'klivo-watchdog.workflow.json'), 'utf8'));
	const schedule = wf.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
	const ensure = wf.nodes.find((n) => n.type === ACTION_TYPE);
	if (!schedule || !ensure) throw new Error('examples/klivo-watchdog.workflow.json no longer has a Schedule Trigger and a Klivo node');
	if (ensure.parameters.operation !== 'ensure' || !ensure.parameters.additionalFields || ensure.parameters.additionalFields.forTrigger !== true) {
		throw new Error(`the watchdog example's Klivo node is not "Ensure, For a Klivo Trigger URL": ${JSON.stringify(ensure.parameters)}`);
	}
	ensure.parameters.url = url;
	ensure.parameters.events = events;
	ensure.credentials = credentialRef(cred);
	const oldName = schedule.name;
	Object.assign(schedule, {
		name: 'Run now',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: uuid(),
		parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	});
	wf.connections = { 'Run now': wf.connections[oldName] };
	wf.name = name || wf.name;
	// the public API accepts only these keys
	return { name: wf.name, nodes: wf.nodes, connections: wf.connections, settings: wf.settings || {} };
}

async function postJson(url, body, { headers = {}, raw } = {}) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: raw !== undefined ? raw : JSON.stringify(body),
		signal: AbortSignal.timeout(30000),
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json, headers: res.headers };
}

/**
 * n8n before 1.9x (e.g. 1.85.3, the oldest supported) leaves `status` out of the public API's
 * execution list; derive it from the fields it does give.
 */
function withStatus(e) {
	if (!e || e.status) return e;
	const status = e.finished ? 'success' : e.waitTill ? 'waiting' : e.stoppedAt ? 'error' : 'running';
	return { ...e, status };
}

/** Executions of a workflow, newest first, with data. */
async function executions(n8n, workflowId) {
	const r = await n8n.api('GET', `/executions?workflowId=${workflowId}&includeData=true&limit=100`);
	return ((r && r.data) || []).map(withStatus);
}

/** Waits until the workflow has `count` executions that are no longer running; resolves them (newest first). */
async function waitForExecutions(n8n, workflowId, count, timeoutMs = 30000) {
	return waitFor(
		async () => {
			const list = await executions(n8n, workflowId);
			if (list.length < count) return false;
			const done = list.every((e) => e.finished === true || ['success', 'error', 'crashed', 'canceled'].includes(e.status));
			return done ? list : false;
		},
		{ timeoutMs, intervalMs: 250, message: `${count} finished execution(s) of workflow ${workflowId}` },
	);
}

/** The json of the first output item of a node in an execution (with includeData). */
function nodeOutput(execution, nodeName) {
	const runData = execution && execution.data && execution.data.resultData && execution.data.resultData.runData;
	const runs = runData && runData[nodeName];
	if (!runs || !runs[0]) return undefined;
	const main = runs[0].data && runs[0].data.main;
	return main && main[0] ? main[0].map((i) => i.json) : undefined;
}

/** The error an execution failed with: { message, description, node }. */
function executionError(execution) {
	const rd = execution && execution.data && execution.data.resultData;
	if (!rd) return undefined;
	if (rd.error) {
		return { message: rd.error.message, description: rd.error.description, node: rd.error.node && rd.error.node.name };
	}
	for (const [node, runs] of Object.entries(rd.runData || {})) {
		for (const r of runs || []) if (r.error) return { message: r.error.message, description: r.error.description, node };
	}
	return undefined;
}

/**
 * A TCP forwarder 127.0.0.1:<own port> -> 127.0.0.1:targetPort. Used as n8n's WEBHOOK_URL so that the
 * webhook address differs from n8n's own address (as behind a reverse proxy) and a test can tell
 * which one a node registered. Resolves { port, url, close() }.
 */
function startTcpProxy(targetPort) {
	const sockets = new Set();
	const server = net.createServer((client) => {
		const upstream = net.connect(targetPort, '127.0.0.1');
		for (const s of [client, upstream]) {
			sockets.add(s);
			s.on('close', () => sockets.delete(s));
		}
		client.on('error', () => upstream.destroy());
		upstream.on('error', () => client.destroy());
		client.on('close', () => upstream.destroy());
		upstream.on('close', () => client.destroy());
		client.pipe(upstream);
		upstream.pipe(client);
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			resolve({
				port,
				url: `http://127.0.0.1:${port}/`,
				close: () =>
					new Promise((done) => {
						for (const s of sockets) s.destroy();
						server.close(() => done());
					}),
			});
		});
	});
}

function mkTemp(prefix) {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = {
	ROOT,
	DEFAULT_VERSIONS,
	ACTION_TYPE,
	TRIGGER_TYPE,
	versions,
	log,
	buildAndPack,
	triggerWorkflow,
	actionWorkflow,
	watchdogWorkflow,
	postJson,
	executions,
	waitForExecutions,
	nodeOutput,
	executionError,
	mkTemp,
	sleep,
	startTcpProxy,
	uuid,
};
