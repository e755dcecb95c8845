#!/usr/bin/env node
'use strict';
/**
 * `npm start`: try the package without a Klivo account. Builds and packs the package, installs a
 * pinned n8n once (cached outside the repo), starts the Klivo simulator and n8n on 127.0.0.1 with the
 * package loaded, creates a credential and a demo workflow, activates it, and prints what to do next.
 * Ctrl-C stops everything it started.
 *
 *   npm start                                   # simulator, Klivo's documented dialect
 *   npm start -- --dialect chatwoot             # simulator speaking Chatwoot's dialect (signed deliveries)
 *   npm start -- --n8n 1.123.81                 # another n8n (1.x runs on the machine's Node 20)
 *   npm start -- --klivo-url https://chat.klivo.marketing --klivo-token TOKEN --klivo-account 7 \
 *                --webhook-url https://n8n.example.com/   # a real Klivo account; n8n must be reachable
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const installer = require('./n8n-install.js');

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

const args = parseArgs(process.argv.slice(2));
const option = (name, envName, fallback) => args[name] ?? process.env[envName] ?? fallback;

const settings = {
	n8nVersion: option('n8n', 'KLIVO_N8N_VERSION', installer.DEFAULT_N8N_VERSION),
	port: Number(option('port', 'N8N_PORT', 5678)),
	simPort: Number(option('sim-port', 'KLIVO_SIM_PORT', 3789)),
	dialect: option('dialect', 'KLIVO_SIM_DIALECT', 'klivo'),
	klivoUrl: option('klivo-url', 'KLIVO_BASE_URL', ''),
	klivoToken: option('klivo-token', 'KLIVO_ACCESS_TOKEN', ''),
	klivoAccount: option('klivo-account', 'KLIVO_ACCOUNT_ID', ''),
	webhookUrl: option('webhook-url', 'WEBHOOK_URL', ''),
};
const useSimulator = settings.klivoUrl === '';

const started = Date.now();
const say = (line) => process.stdout.write(`[klivo ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

function buildAndPack() {
	say('building the package (tsc + icons)');
	execFileSync(process.execPath, [path.join(root, 'node_modules', 'gulp', 'bin', 'gulp.js'), 'build'], { cwd: root, stdio: 'ignore' });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-pack-'));
	const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], {
		cwd: root,
		encoding: 'utf8',
	});
	return path.join(dir, JSON.parse(out)[0].filename);
}

/** A reply-style demo: Klivo Trigger → "Compose reply" (what a bot would send back). */
function demoWorkflow(credential) {
	return {
		name: 'Klivo demo: reply to incoming messages',
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'Klivo Trigger',
				type: 'n8n-nodes-klivo.klivoTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: crypto.randomUUID(),
				parameters: { events: ['message_created', 'conversation_resolved'], options: {} },
				credentials: { klivoApi: credential },
			},
			{
				id: crypto.randomUUID(),
				name: 'Compose reply',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [260, 0],
				parameters: {
					assignments: {
						assignments: [
							{
								id: crypto.randomUUID(),
								name: 'reply',
								type: 'string',
								value:
									'={{ $json.klivo.event === "conversation_resolved" ? "Thanks, " + ($json.klivo.contact?.name ?? "there") + "! Your conversation is closed." : "Hi " + ($json.klivo.contact?.name ?? "there") + ", we got your message: " + $json.klivo.messageText }}',
							},
							{ id: crypto.randomUUID(), name: 'conversationId', type: 'number', value: '={{ $json.klivo.conversationId }}' },
						],
					},
					options: {},
				},
			},
		],
		connections: { 'Klivo Trigger': { main: [[{ node: 'Compose reply', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

async function main() {
	if (!useSimulator && (!settings.klivoToken || !settings.klivoAccount)) {
		throw new Error('--klivo-url needs --klivo-token and --klivo-account too');
	}
	const stoppers = [];
	let stopping = false;
	const stopAll = async (code) => {
		if (stopping) return;
		stopping = true;
		say('stopping…');
		for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
		process.exit(code);
	};
	process.on('SIGINT', () => void stopAll(0));
	process.on('SIGTERM', () => void stopAll(0));

	try {
		const tarball = buildAndPack();
		say(`packed ${path.basename(tarball)}`);

		say(`making sure n8n ${settings.n8nVersion} is installed (the first time takes a few minutes)`);
		await installer.ensureN8n(settings.n8nVersion, { log: (line) => say(`  ${line}`) });

		let credentialData;
		if (useSimulator) {
			const { startSimulator } = require('../test/simulator/server.js');
			const sim = await startSimulator({ port: settings.simPort, dialect: settings.dialect });
			stoppers.push(() => sim.close());
			say(`Klivo simulator (${settings.dialect} dialect) at ${sim.url}`);
			credentialData = { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: '1', timeout: 20 };
		} else {
			credentialData = {
				baseUrl: settings.klivoUrl,
				accessToken: settings.klivoToken,
				accountId: String(settings.klivoAccount),
				timeout: 20,
			};
		}

		const { startN8n } = require('../test/e2e/n8n-harness.js');
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
			owner: { email: 'demo@klivo.local', firstName: 'Klivo', lastName: 'Demo', password: 'KlivoDemo2026' },
			log: (line) => say(`  ${line}`),
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
		const activation = await n8n.activateWorkflow(workflow.id, { throwOnError: false });
		if (!activation.ok) throw new Error(`activating the demo workflow failed: ${activation.message}`);
		say('demo workflow active: its Klivo Trigger registered a webhook');

		const owner = n8n.owner;
		const lines = [
			'',
			'  n8n-nodes-klivo is running.',
			'',
			`  Editor:    ${n8n.url}/workflow/${workflow.id}`,
			`  Login:     ${owner.email} / ${owner.password}`,
		];
		if (useSimulator) {
			lines.push(
				`  Simulator: ${credentialData.baseUrl}  (token admin-token-1, account 1)`,
				'',
				'  Send a sample event (another terminal):',
				`    npm run simulator -- emit message_created --sim ${credentialData.baseUrl}`,
				`    npm run simulator -- emit conversation_resolved --sim ${credentialData.baseUrl}`,
				`    npm run simulator -- list --sim ${credentialData.baseUrl}`,
				'  then open Executions in the editor.',
			);
		}
		lines.push('', '  Ctrl-C stops n8n and the simulator.', '');
		process.stdout.write(`${lines.join('\n')}\n`);
		say(`ready after ${((Date.now() - started) / 1000).toFixed(0)} s`);
	} catch (error) {
		process.stderr.write(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
		await stopAll(1);
	}
}

void main();
