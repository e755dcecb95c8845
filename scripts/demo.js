'use strict';
/**
 * The demo set-up shared by `npm start` (scripts/start.js) and `npm run screenshots`
 * (scripts/screenshots.js): build and pack the package, make sure the pinned n8n is installed, start
 * the Klivo simulator (or use a real Klivo account) and n8n with the package loaded, create a Klivo API
 * credential and the demo workflows (tools/demo/workflows.js): the auto-reply (Klivo Trigger → Klivo Send
 * message), activated, and the AI support bot (Klivo Trigger → AI Agent with Klivo tools), inactive.
 *
 *   const { startDemo } = require('./demo.js');
 *   const stoppers = [];   // startDemo pushes a stop function for everything it starts, in order
 *   const demo = await startDemo({ n8nVersion: '2.41.1', port: 5678, simPort: 3789, dialect: 'klivo', say, stoppers });
 *   // demo: { tarball, sim, credentialData, n8n, credential, workflow (auto-reply), aiWorkflow }
 *   for (const stop of stoppers.reverse()) await stop();
 */
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const execFileAsync = promisify(execFile);
const installer = require('./n8n-install.js');
const { autoReplyWorkflow, aiSupportWorkflow } = require('../tools/demo/workflows.js');

const DEMO_OWNER = Object.freeze({ email: 'demo@klivo.local', firstName: 'Klivo', lastName: 'Demo', password: 'KlivoDemo2026' });

/**
 * `gulp build`, then `npm pack` into a new temp folder; resolves the tarball's path. Child processes
 * that do not block: the simulator, started first, keeps serving the chat page meanwhile.
 */
async function buildAndPack(say = () => undefined) {
	say('building the package (tsc + icons)');
	await execFileAsync(process.execPath, [path.join(root, 'node_modules', 'gulp', 'bin', 'gulp.js'), 'build'], { cwd: root });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-pack-'));
	const { stdout } = await execFileAsync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], {
		cwd: root,
		encoding: 'utf8',
	});
	return path.join(dir, JSON.parse(stdout)[0].filename);
}

/** The auto-reply demo (tools/demo/workflows.js): Klivo Trigger → Klivo Send message. */
function demoWorkflow(credential) {
	return autoReplyWorkflow({ credential });
}

/**
 * Builds, packs and starts everything; each started piece pushes its stop function onto `stoppers`
 * as soon as it runs, so the caller can stop what did start even when a later step throws.
 *
 * settings: { n8nVersion, port, simPort, dialect, klivoUrl, klivoToken, klivoAccount, webhookUrl,
 *             owner (default DEMO_OWNER), say(line), stoppers: [] }
 * klivoUrl '' (or absent) = the simulator.
 * Resolves { tarball, sim (null for a real account), credentialData, n8n, credential, workflow, aiWorkflow }.
 */
async function startDemo(settings) {
	const say = settings.say || (() => undefined);
	const stoppers = settings.stoppers;
	const useSimulator = !settings.klivoUrl;
	if (!useSimulator && (!settings.klivoToken || !settings.klivoAccount)) {
		throw new Error('--klivo-url needs --klivo-token and --klivo-account too');
	}

	let credentialData;
	let sim = null;
	if (useSimulator) {
		const { startSimulator } = require('../tools/simulator/server.js');
		sim = await startSimulator({ port: settings.simPort, dialect: settings.dialect });
		stoppers.push(() => sim.close());
		// First, before the slow build: the chat page answers at once, and n8n joins it when it is up.
		say(`chat page: ${sim.url}/  (Klivo simulator, ${settings.dialect} dialect)`);
		credentialData = { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: '1', timeout: 20 };
	} else {
		credentialData = {
			baseUrl: settings.klivoUrl,
			accessToken: settings.klivoToken,
			accountId: String(settings.klivoAccount),
			timeout: 20,
		};
	}

	const tarball = await buildAndPack(say);
	say(`packed ${path.basename(tarball)}`);

	say(`making sure n8n ${settings.n8nVersion} is installed (the first time takes a few minutes)`);
	await installer.ensureN8n(settings.n8nVersion, { log: (line) => say(`  ${line}`) });

	const { startN8n } = require('../tools/n8n/harness.js');
	// A fresh n8n database each run: the simulator starts empty too, so nothing stale stays "active".
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-demo-n8n-'));
	stoppers.push(async () => fs.rmSync(userFolder, { recursive: true, force: true }));
	say(`starting n8n ${settings.n8nVersion} on http://127.0.0.1:${settings.port} (data in ${userFolder})`);
	const n8n = await startN8n({
		version: settings.n8nVersion,
		port: settings.port,
		userFolder,
		webhookUrl: settings.webhookUrl || undefined,
		packageTarball: tarball,
		owner: { ...(settings.owner || DEMO_OWNER) },
		log: (line) => say(`  ${line}`),
		// n8n 2.x then builds an expression isolate only when an expression runs, so a delivery to a
		// typeVersion 1.1 Klivo Trigger needs none (BENCHMARKS.md); set the variable to override.
		env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: process.env.N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE ?? 'true' },
	});
	stoppers.push(() => n8n.stop());

	const types = await n8n.listNodeTypes();
	if (!types.includes('n8n-nodes-klivo.klivoTrigger')) throw new Error('n8n did not load n8n-nodes-klivo; see its log above');

	const credential = await n8n.createCredential({
		name: useSimulator ? `Klivo simulator (${settings.dialect})` : 'Klivo account',
		type: 'klivoApi',
		data: credentialData,
	});
	const workflow = await n8n.api('POST', '/workflows', demoWorkflow({ id: credential.id, name: credential.name }));
	if (useSimulator) {
		const activation = await n8n.activateWorkflow(workflow.id, { throwOnError: false });
		if (!activation.ok) throw new Error(`activating the demo workflow failed: ${activation.message}`);
		say('auto-reply workflow active: its Klivo Trigger registered a webhook');
	} else {
		// On a real account it would answer real customers: the user activates it when they mean to.
		say('auto-reply workflow imported (inactive: this is a real Klivo account)');
	}
	// Inactive: it needs the user's own OpenAI credential on its model node before it can run.
	const aiWorkflow = await n8n.api('POST', '/workflows', aiSupportWorkflow({ credential: { id: credential.id, name: credential.name } }));
	say('AI support-bot workflow imported (inactive)');

	return { tarball, sim, credentialData, n8n, credential, workflow, aiWorkflow };
}

/** `--name value`, `--name=value` and bare `--flag` (true). */
function parseArgs(argv) {
	const args = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) continue;
		const [key, inline] = arg.slice(2).split('=', 2);
		args[key] = inline !== undefined ? inline : argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
	}
	return args;
}

module.exports = { parseArgs, root, DEMO_OWNER, buildAndPack, demoWorkflow, startDemo };
