#!/usr/bin/env node
'use strict';
/**
 * Proves tools/n8n/harness.js against real n8n versions (plain node script, not jest):
 *
 *   node tools/n8n/harness-smoke.js [--versions 2.41.1,1.123.81] [--fresh] [--keep] [--verbose]
 *
 * For each version: install (cold if --fresh, then warm), pack a tiny throw-away community
 * package (n8n-nodes-harness-smoke: one node + one credential with a test request), start n8n on a
 * free port with a fresh user folder and that package, check the node/credential types are
 * listed, test the credential (OK and Error) against a local HTTP server, create
 * "Webhook (POST /webhook/smoke) -> Harness Smoke -> Respond to Webhook" through the public API,
 * activate it, call it, check the execution was recorded with data, check how a failing
 * activation (Schedule Trigger with an invalid cron) surfaces, restart n8n, call the webhook
 * again, deactivate it, stop. Prints timings. Exit code 1 if anything failed.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');

const installer = require('../../scripts/n8n-install.js');
const { startN8n, waitFor } = require('./harness.js');

const DEFAULT_VERSIONS = ['2.41.1', '1.123.81'];

function parseArgs() {
	const a = process.argv.slice(2);
	const o = { versions: DEFAULT_VERSIONS, fresh: false, keep: false, verbose: false };
	for (let i = 0; i < a.length; i++) {
		if (a[i] === '--versions') o.versions = a[++i].split(',').filter(Boolean);
		else if (a[i] === '--fresh') o.fresh = true;
		else if (a[i] === '--keep') o.keep = true;
		else if (a[i] === '--verbose') o.verbose = true;
		else throw new Error(`unknown argument ${a[i]}`);
	}
	return o;
}

const sec = (ms) => `${(ms / 1000).toFixed(1)} s`;
function log(msg) {
	process.stdout.write(`[smoke] ${msg}\n`);
}
function assert(cond, msg, extra) {
	if (!cond) {
		const e = new Error(`assertion failed: ${msg}${extra !== undefined ? `\n${JSON.stringify(extra, null, 2).slice(0, 3000)}` : ''}`);
		throw e;
	}
}

/** A minimal community package, packed with npm pack. Returns the tarball path. */
function packSmokePackage(workDir) {
	const dir = path.join(workDir, 'n8n-nodes-harness-smoke');
	fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify(
			{
				name: 'n8n-nodes-harness-smoke',
				version: '0.0.1',
				description: 'throw-away package made by tools/n8n/harness-smoke.js',
				keywords: ['n8n-community-node-package'],
				license: 'MIT',
				main: 'index.js',
				files: ['dist', 'index.js'],
				n8n: {
					n8nNodesApiVersion: 1,
					nodes: ['dist/HarnessSmoke.node.js'],
					credentials: ['dist/HarnessSmokeApi.credentials.js'],
				},
				peerDependencies: { 'n8n-workflow': '*' },
			},
			null,
			2,
		),
	);
	fs.writeFileSync(path.join(dir, 'index.js'), 'module.exports = {};\n');
	fs.writeFileSync(
		path.join(dir, 'dist', 'HarnessSmoke.node.js'),
		`'use strict';
class HarnessSmoke {
	constructor() {
		this.description = {
			displayName: 'Harness Smoke',
			name: 'harnessSmoke',
			group: ['transform'],
			version: 1,
			description: 'Adds smoke: true to every item',
			defaults: { name: 'Harness Smoke' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'harnessSmokeApi', required: false }],
			properties: [{ displayName: 'Tag', name: 'tag', type: 'string', default: 'smoke' }],
		};
	}
	async execute() {
		const items = this.getInputData();
		return [items.map((item, i) => ({ json: { ...item.json, smoke: true, tag: this.getNodeParameter('tag', i) } }))];
	}
}
module.exports = { HarnessSmoke };
`,
	);
	fs.writeFileSync(
		path.join(dir, 'dist', 'HarnessSmokeApi.credentials.js'),
		`'use strict';
class HarnessSmokeApi {
	constructor() {
		this.name = 'harnessSmokeApi';
		this.displayName = 'Harness Smoke API';
		this.properties = [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
		];
		this.authenticate = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } } };
		this.test = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/check' } };
	}
}
module.exports = { HarnessSmokeApi };
`,
	);
	const res = spawnSync('npm', ['pack', '--pack-destination', workDir, '--loglevel=warn'], {
		cwd: dir,
		env: installer.cleanEnv(),
		encoding: 'utf8',
	});
	if (res.status !== 0) throw new Error(`npm pack failed: ${res.stderr}`);
	const tgz = path.join(workDir, res.stdout.trim().split('\n').pop());
	assert(fs.existsSync(tgz), `tarball ${tgz} exists`);
	return tgz;
}

/** Local API for the credential test: 200 for "Bearer good-token", 401 otherwise. */
function startCheckServer() {
	return new Promise((resolve) => {
		const hits = [];
		const srv = http.createServer((req, res) => {
			hits.push({ url: req.url, auth: req.headers.authorization });
			if (req.url === '/check' && req.headers.authorization === 'Bearer good-token') {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end('{"ok":true}');
			} else {
				res.writeHead(401, { 'content-type': 'application/json' });
				res.end('{"message":"bad token"}');
			}
		});
		srv.listen(0, '127.0.0.1', () => resolve({ srv, hits, url: `http://127.0.0.1:${srv.address().port}` }));
	});
}

async function postJson(url, body) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(30000),
	});
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {}
	return { status: res.status, text, json };
}

function webhookWorkflow(pathName) {
	return {
		name: `harness smoke webhook ${pathName}`,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: crypto.randomUUID(),
				parameters: { httpMethod: 'POST', path: pathName, responseMode: 'responseNode', options: {} },
			},
			{
				id: crypto.randomUUID(),
				name: 'Harness Smoke',
				type: 'n8n-nodes-harness-smoke.harnessSmoke',
				typeVersion: 1,
				position: [250, 0],
				parameters: { tag: 'from-smoke' },
			},
			{
				id: crypto.randomUUID(),
				name: 'Respond to Webhook',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.1,
				position: [500, 0],
				parameters: {
					respondWith: 'json',
					responseBody: '={{ JSON.stringify({ ok: true, smoke: $json.smoke, tag: $json.tag, echo: $json.body }) }}',
					options: {},
				},
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Harness Smoke', type: 'main', index: 0 }]] },
			'Harness Smoke': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

function badScheduleWorkflow() {
	return {
		name: 'harness smoke bad schedule',
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'Schedule Trigger',
				type: 'n8n-nodes-base.scheduleTrigger',
				typeVersion: 1.2,
				position: [0, 0],
				parameters: { rule: { interval: [{ field: 'cronExpression', expression: 'this is not cron' }] } },
			},
			{
				id: crypto.randomUUID(),
				name: 'No Operation, do nothing',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [250, 0],
				parameters: {},
			},
		],
		connections: {
			'Schedule Trigger': { main: [[{ node: 'No Operation, do nothing', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

async function executionsOf(n8n, workflowId) {
	const r = await n8n.api('GET', `/executions?workflowId=${workflowId}&includeData=true&limit=50`);
	return r.data || [];
}

async function smokeVersion(version, opts, checkSrv) {
	const t = { version };
	const L = installer.layout(version);
	if (opts.fresh) {
		log(`${version}: --fresh: removing ${L.dir}`);
		fs.rmSync(L.dir, { recursive: true, force: true });
	}
	const hadMarker = installer.isInstalled(version);
	let t0 = Date.now();
	const inst = await installer.ensureN8n(version, { log: (l) => log(`install: ${l}`) });
	t[hadMarker ? 'installWarm' : 'installCold'] = Date.now() - t0;
	t0 = Date.now();
	await installer.ensureN8n(version, { log: false });
	t.installWarm = Math.max(t.installWarm || 0, Date.now() - t0);
	log(`${version}: n8n at ${inst.n8nBin} on ${inst.nodeVersion}`);

	const work = fs.mkdtempSync(path.join(os.tmpdir(), `klivo-smoke-${version}-`));
	const tarball = packSmokePackage(work);
	const userFolder = path.join(work, 'user');
	let n8n;
	try {
		t0 = Date.now();
		n8n = await startN8n({
			version,
			userFolder,
			packageTarball: tarball,
			log: opts.verbose ? true : undefined,
		});
		t.start = Date.now() - t0;
		log(`${version}: started on ${n8n.url} in ${sec(t.start)} (pid ${n8n.pid}, api key ${n8n.apiKey.slice(0, 6)}…)`);

		// node + credential types
		const nodeTypes = await n8n.listNodeTypes();
		assert(nodeTypes.includes('n8n-nodes-harness-smoke.harnessSmoke'), 'community node listed', nodeTypes.filter((n) => !n.startsWith('n8n-nodes-base.') && !n.startsWith('@n8n/')));
		assert(nodeTypes.includes('n8n-nodes-base.webhook'), 'webhook node listed');
		const credTypes = await n8n.listCredentialTypes();
		assert(credTypes.includes('harnessSmokeApi'), 'community credential listed');
		log(`${version}: ${nodeTypes.length} node types loaded, incl. n8n-nodes-harness-smoke.harnessSmoke; credential harnessSmokeApi listed`);
		const nt = await n8n.rest('POST', '/node-types', { nodeInfos: [{ name: 'n8n-nodes-harness-smoke.harnessSmoke', version: 1 }] });
		assert(Array.isArray(nt) && nt[0] && nt[0].displayName === 'Harness Smoke', 'POST /rest/node-types describes it', nt);
		const pkgs = await n8n.rest('GET', '/community-packages', null, { raw: true });
		log(`${version}: GET /rest/community-packages -> ${pkgs.status} ${JSON.stringify(pkgs.body).slice(0, 200)}`);

		// credential create + test
		const data = { baseUrl: checkSrv.url, token: 'good-token' };
		const cred = await n8n.createCredential({ name: 'smoke cred', type: 'harnessSmokeApi', data });
		assert(cred && cred.id, 'credential created', cred);
		const good = await n8n.testCredential({ id: cred.id, name: cred.name, type: 'harnessSmokeApi', data });
		assert(good && good.status === 'OK', 'credential test OK', good);
		const bad = await n8n.testCredential({ id: cred.id, name: cred.name, type: 'harnessSmokeApi', data: { ...data, token: 'nope' } });
		assert(bad && bad.status === 'Error', 'credential test Error for a bad token', bad);
		log(`${version}: credential test OK=${JSON.stringify(good)} bad=${JSON.stringify(bad)}`);
		if (n8n.major >= 2) {
			const pub = await n8n.api('POST', `/credentials/${cred.id}/test`, {}, { raw: true });
			log(`${version}: public POST /api/v1/credentials/:id/test -> ${pub.status} ${JSON.stringify(pub.body)}`);
		}

		// webhook workflow
		const wf = await n8n.api('POST', '/workflows', webhookWorkflow('smoke'));
		assert(wf && wf.id, 'workflow created', wf);
		t0 = Date.now();
		const act = await n8n.activateWorkflow(wf.id);
		assert(act.ok, 'webhook workflow activated', act);
		const hook = n8n.webhook('smoke');
		const first = await waitFor(
			async () => {
				const r = await postJson(hook, { hello: 'world' });
				return r.status === 200 ? r : false;
			},
			{ timeoutMs: 60000, intervalMs: 200, message: `webhook ${hook} live` },
		);
		t.activateToLive = Date.now() - t0;
		assert(first.json && first.json.ok === true && first.json.smoke === true && first.json.tag === 'from-smoke', 'webhook response', first);
		assert(first.json.echo && first.json.echo.hello === 'world', 'webhook echoed the body', first.json);
		log(`${version}: activation -> webhook live in ${sec(t.activateToLive)}; response ${first.text}`);

		const execs = await waitFor(
			async () => {
				const list = await executionsOf(n8n, wf.id);
				return list.length >= 1 && list.every((e) => e.finished || e.status === 'success') ? list : false;
			},
			{ timeoutMs: 30000, message: 'execution recorded' },
		);
		const e0 = execs[0];
		assert(e0.status === 'success' || e0.finished === true, 'execution succeeded', e0);
		const runData = e0.data && e0.data.resultData && e0.data.resultData.runData;
		assert(runData && runData['Harness Smoke'], 'execution data includes the community node', Object.keys(runData || {}));
		log(`${version}: execution ${e0.id} recorded (status ${e0.status}, mode ${e0.mode}, nodes ${Object.keys(runData).join(', ')})`);

		// a failing activation
		const badWf = await n8n.api('POST', '/workflows', badScheduleWorkflow());
		const badAct = await n8n.activateWorkflow(badWf.id);
		log(`${version}: activating a Schedule Trigger with an invalid cron -> ${JSON.stringify({ ok: badAct.ok, status: badAct.status, message: badAct.message, triggers: badAct.triggers })}`);
		assert(!badAct.ok && badAct.message, 'invalid cron activation reported as failed with a message', badAct);
		const badGet = await n8n.api('GET', `/workflows/${badWf.id}`);
		log(`${version}: GET /api/v1/workflows/:id of it -> active=${badGet.active}`);
		const actErr = await n8n.rest('GET', `/active-workflows/error/${badWf.id}`, null, { raw: true });
		log(`${version}: GET /rest/active-workflows/error/:id -> ${actErr.status} ${JSON.stringify(actErr.body).slice(0, 300)}`);
		await n8n.deactivateWorkflow(badWf.id).catch((e) => log(`${version}: deactivate bad workflow: ${e.message}`));

		// restart
		t0 = Date.now();
		await n8n.restart();
		t.restart = Date.now() - t0;
		log(`${version}: restarted in ${sec(t.restart)} (n8n boot ${sec(n8n.lastStartMs)})`);
		t0 = Date.now();
		const again = await waitFor(
			async () => {
				const r = await postJson(hook, { hello: 'again' });
				return r.status === 200 ? r : false;
			},
			{ timeoutMs: 60000, intervalMs: 200, message: 'webhook live after restart' },
		);
		t.liveAfterRestart = Date.now() - t0;
		assert(again.json && again.json.echo && again.json.echo.hello === 'again', 'webhook after restart', again);
		const execs2 = await waitFor(
			async () => {
				const l = await executionsOf(n8n, wf.id);
				return l.length >= 2 ? l : false;
			},
			{ timeoutMs: 30000, message: 'second execution recorded' },
		);
		log(`${version}: webhook answers after restart (+${sec(t.liveAfterRestart)}); ${execs2.length} executions`);

		// deactivate
		await n8n.deactivateWorkflow(wf.id);
		const gone = await waitFor(
			async () => {
				const r = await postJson(hook, { hello: 'gone' });
				return r.status === 404 ? r : false;
			},
			{ timeoutMs: 30000, message: 'webhook gone after deactivation' },
		);
		log(`${version}: after deactivation the webhook answers ${gone.status}`);

		const pid = n8n.pid;
		t0 = Date.now();
		const ex = await n8n.stop();
		t.stop = Date.now() - t0;
		let alive = true;
		try {
			process.kill(pid, 0);
		} catch {
			alive = false;
		}
		assert(!alive, 'n8n process gone after stop');
		log(`${version}: stopped in ${sec(t.stop)} (${JSON.stringify(ex)})`);
		const netLines = n8n
			.logs()
			.split('\n')
			.filter((l) => /ENOTFOUND|EAI_AGAIN|getaddrinfo|ECONNREFUSED|ETIMEDOUT|fetch failed|ECONNRESET/i.test(l));
		log(`${version}: n8n output lines hinting at network calls: ${netLines.length}${netLines.length ? `\n  ${netLines.slice(0, 10).join('\n  ')}` : ''}`);
		const errLines = n8n
			.logs()
			.split('\n')
			.filter((l) => /\berror\b/i.test(l) && !/Invalid cron expression|problem activating/i.test(l));
		log(`${version}: other n8n output lines mentioning "error": ${errLines.length}${errLines.length ? `\n  ${errLines.slice(0, 10).join('\n  ')}` : ''}`);
		t.ok = true;
	} catch (e) {
		t.ok = false;
		t.error = e.message;
		log(`${version}: FAILED: ${e.stack || e.message}`);
		if (n8n) log(`${version}: last n8n output:\n${n8n.logs().slice(-5000)}`);
	} finally {
		if (n8n) await n8n.stop().catch(() => {});
		if (opts.keep) log(`${version}: kept ${work}`);
		else fs.rmSync(work, { recursive: true, force: true });
	}
	return t;
}

async function main() {
	const opts = parseArgs();
	const checkSrv = await startCheckServer();
	const results = [];
	try {
		for (const v of opts.versions) results.push(await smokeVersion(v, opts, checkSrv));
	} finally {
		checkSrv.srv.close();
	}
	log('summary:');
	for (const r of results) {
		const f = (k) => (r[k] === undefined ? '-' : sec(r[k]));
		log(
			`  n8n ${r.version}: ${r.ok ? 'PASS' : 'FAIL'} | install cold ${f('installCold')}, warm ${f('installWarm')} | start ${f('start')} | activate->live ${f('activateToLive')} | restart ${f('restart')} | stop ${f('stop')}${r.error ? ` | ${r.error.split('\n')[0]}` : ''}`,
		);
	}
	const passed = results.filter((r) => r.ok).length;
	console.log(`${passed} passed, ${results.length - passed} failed`);
	process.exit(passed === results.length ? 0 : 1);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
