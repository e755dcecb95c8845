#!/usr/bin/env node
'use strict';
/**
 * `npm start`: try the package without a Klivo account. Builds and packs the package, installs a
 * pinned n8n once (cached outside the repo), starts the Klivo simulator and n8n on 127.0.0.1 with the
 * package loaded, creates a credential and the demo workflows (an active auto-reply, an inactive AI
 * support bot), and prints the chat page's address first, then what to do next.
 * Ctrl-C stops everything it started.
 *
 *   npm start                                   # simulator, Klivo's documented dialect
 *   npm start -- --dialect chatwoot             # simulator speaking Chatwoot's dialect (signed deliveries)
 *   npm start -- --n8n 1.123.81                 # another n8n (1.x runs on the machine's Node 20)
 *   npm start -- --klivo-url https://chat.klivo.marketing --klivo-token TOKEN --klivo-account 7 \
 *                --webhook-url https://n8n.example.com/   # a real Klivo account; n8n must be reachable
 */
const { DEMO_OWNER, parseArgs, startDemo } = require('./demo.js');
const installer = require('./n8n-install.js');

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
		const { n8n, workflow, aiWorkflow, credentialData } = await startDemo({ ...settings, owner: DEMO_OWNER, say, stoppers });

		const owner = n8n.owner;
		const lines = [''];
		if (useSimulator) {
			// The page comes first: it is where a person tries the workflows.
			lines.push(
				`  Chat page: ${credentialData.baseUrl}/   <- open it, pick a conversation and write as the customer`,
				'',
			);
		}
		lines.push(
			'  n8n-nodes-klivo is running.',
			'',
			`  Auto-reply workflow (${useSimulator ? 'active' : 'inactive'}): ${n8n.url}/workflow/${workflow.id}`,
			`  AI support bot (inactive):      ${n8n.url}/workflow/${aiWorkflow.id}`,
			'    to try it: open it, choose your OpenAI credential on "OpenAI Chat Model", deactivate the',
			'    auto-reply, activate the AI support bot, then write on the chat page (README, "AI support bot").',
			`  Login:     ${owner.email} / ${owner.password}`,
		);
		if (useSimulator) {
			lines.push(
				`  Simulator: ${credentialData.baseUrl}  (token admin-token-1, agent-bot token bot-token-1, account 1)`,
				'',
				'  Or send a sample event (another terminal):',
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
