#!/usr/bin/env node
'use strict';

/**
 * Command line for the Klivo simulator. `start` runs one in this process; every other command
 * talks to a running one through its /_sim/ control API, so a second terminal can drive the
 * simulator an n8n instance is registered against.
 */

const path = require('node:path');
const fs = require('node:fs');
const { startSimulator, SEED_ACCOUNTS } = require('./server');

const DEFAULT_SIM_URL = 'http://127.0.0.1:3789';

const USAGE = `Klivo simulator

Usage: node tools/simulator/cli.js <command> [options]
       npm run simulator -- <command> [options]

  start [--port 3789] [--host 127.0.0.1] [--dialect klivo|chatwoot]
                                     run a simulator until Ctrl-C / SIGTERM
  emit <event-or-fixture> [--account 1] [--webhook ID] [--file payload.json]
       [--override key=value ...]    deliver an event to the account's webhooks
  list [--account 1]                 show stored webhooks (with secret, active, failures)
  add <url> [--events e1,e2] [--name NAME] [--account 1]
                                     add a webhook as a person in Klivo's UI would
  disable <id> [--account 1]         disable a webhook (as after 3 failed deliveries)
  delete <id> [--account 1]          delete a webhook behind the node's back
  dialect <klivo|chatwoot>           switch dialect
  fault <list|create|update|delete|any> [--status N] [--body JSON] [--retry-after S]
        [--delay MS] [--drop] [--times N]
                                     make the next matching API request(s) misbehave
  clear-faults                       remove pending faults
  reset                              forget webhooks, faults and logs
  state | requests | deliveries      print what the simulator holds
  customer-message <conversation> <text> [--account 1]
                                     the customer writes: stores an incoming message and
                                     delivers message_created
  conversations [--account 1]        list stored conversations
  messages <conversation> [--account 1]
                                     show a conversation with its messages
  contacts [--account 1]             list stored contacts
  latency <ms>                       add a round-trip delay to every API request (0 = off)
  rate-limit <per-minute|off> [--search N] [--window MS]
                                     Chatwoot's limiter: 429 "Retry later" in fixed windows

Every command but start takes --sim URL (default: $KLIVO_SIM_URL or ${DEFAULT_SIM_URL}).
`;

class UsageError extends Error {}

/** `--key value`, repeated keys collect into arrays, `--flag` alone is true. */
function parseArgs(argv) {
	const positional = [];
	const options = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) {
			positional.push(arg);
			continue;
		}
		const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
		const next = argv[i + 1];
		let value = true;
		if (inline !== undefined) value = inline;
		else if (next !== undefined && !next.startsWith('--')) value = argv[++i];
		if (key in options) options[key] = [].concat(options[key], value);
		else options[key] = value;
	}
	return { positional, options };
}

// Overrides come from a shell: `private=true` or `id=12` should not arrive as strings.
function parseOverrides(values) {
	const overrides = {};
	for (const pair of [].concat(values || [])) {
		const at = String(pair).indexOf('=');
		if (at < 1) throw new UsageError(`--override needs key=value, got "${pair}"`);
		const raw = pair.slice(at + 1);
		let value = raw;
		try {
			value = JSON.parse(raw);
		} catch {
			// Not JSON: keep it as the string the user typed.
		}
		overrides[pair.slice(0, at)] = value;
	}
	return overrides;
}

function integer(value, name) {
	const number = Number(value);
	if (value === undefined || value === true || !Number.isInteger(number)) {
		throw new UsageError(`${name} must be an integer`);
	}
	return number;
}

function required(value, what) {
	if (value === undefined) throw new UsageError(`missing ${what}`);
	return value;
}

async function control(simUrl, method, route, body) {
	let response;
	try {
		response = await fetch(new URL(route, simUrl), {
			method,
			headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	} catch (error) {
		throw new Error(
			`No simulator answers at ${simUrl} (${error.cause?.code || error.cause?.errors?.[0]?.code || error.message}). ` +
				'Start one with `node tools/simulator/cli.js start` or pass --sim URL.',
		);
	}
	const text = await response.text();
	const data = text ? JSON.parse(text) : null;
	if (!response.ok) throw new Error(`Simulator refused (${response.status}): ${data?.error || data?.message || text}`);
	return data;
}

function print(value) {
	process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function start(options) {
	const port = options.port === undefined ? 3789 : integer(options.port, '--port');
	const sim = await startSimulator({
		port,
		host: options.host === undefined ? '127.0.0.1' : String(options.host),
		dialect: options.dialect === undefined ? 'klivo' : String(options.dialect),
	});
	const lines = [`Klivo simulator (${sim.dialect} dialect) listening on ${sim.url}`, `  API base URL: ${sim.url}`];
	for (const [account, { admins, agents }] of Object.entries(SEED_ACCOUNTS)) {
		lines.push(`  account ${account}: admin token ${admins.join(', ')}${agents.length ? `; agent token ${agents.join(', ')}` : ''}`);
	}
	lines.push('  account 1: agent-bot token bot-token-1; demo inbox with 4 conversations (try: customer-message 2 Olá)');
	lines.push(`  control API: ${sim.url}/_sim/state`, 'Ctrl-C to stop.');
	process.stdout.write(`${lines.join('\n')}\n`);

	await new Promise((resolve) => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
	await sim.close();
	process.stdout.write('Klivo simulator stopped.\n');
}

const COMMANDS = {
	start: ({ options }) => start(options),
	emit: async ({ positional: [name], options }, sim) => {
		const body = {
			accountId: integer(options.account ?? 1, '--account'),
			overrides: parseOverrides(options.override),
		};
		if (options.webhook !== undefined) body.webhookId = integer(options.webhook, '--webhook');
		if (options.file !== undefined) body.payload = JSON.parse(fs.readFileSync(path.resolve(String(options.file)), 'utf8'));
		else body.event = required(name, 'event or fixture name (e.g. message_created)');
		const results = await control(sim, 'POST', '/_sim/emit', body);
		if (results.length === 0) process.stdout.write('No active webhook is subscribed to that event.\n');
		print(results);
	},
	list: async ({ options }, sim) => print(await control(sim, 'GET', `/_sim/accounts/${options.account ?? 1}/webhooks`)),
	add: async ({ positional: [url], options }, sim) =>
		print(
			await control(sim, 'POST', `/_sim/accounts/${options.account ?? 1}/webhooks`, {
				url: required(url, 'webhook URL'),
				subscriptions: String(options.events ?? 'message_created').split(',').filter(Boolean),
				...(options.name !== undefined ? { name: String(options.name) } : {}),
			}),
		),
	disable: async ({ positional: [id], options }, sim) =>
		print(await control(sim, 'POST', `/_sim/accounts/${options.account ?? 1}/webhooks/${integer(id, 'webhook id')}/disable`)),
	delete: async ({ positional: [id], options }, sim) =>
		print(await control(sim, 'DELETE', `/_sim/accounts/${options.account ?? 1}/webhooks/${integer(id, 'webhook id')}`)),
	dialect: async ({ positional: [dialect] }, sim) =>
		print(await control(sim, 'POST', '/_sim/dialect', { dialect: required(dialect, 'dialect (klivo or chatwoot)') })),
	fault: async ({ positional: [route], options }, sim) => {
		const fault = { route: required(route, 'route (list, create, update, delete or any)') };
		if (options.status !== undefined) fault.status = integer(options.status, '--status');
		if (options.body !== undefined) fault.body = parseOverrides([`body=${options.body}`]).body;
		if (options['retry-after'] !== undefined) fault.retryAfter = integer(options['retry-after'], '--retry-after');
		if (options.delay !== undefined) fault.delayMs = integer(options.delay, '--delay');
		if (options.drop) fault.drop = true;
		if (options.times !== undefined) fault.times = integer(options.times, '--times');
		print(await control(sim, 'POST', '/_sim/faults', fault));
	},
	'clear-faults': async (_, sim) => print(await control(sim, 'DELETE', '/_sim/faults')),
	reset: async (_, sim) => print(await control(sim, 'POST', '/_sim/reset')),
	state: async (_, sim) => print(await control(sim, 'GET', '/_sim/state')),
	requests: async (_, sim) => print(await control(sim, 'GET', '/_sim/requests')),
	deliveries: async (_, sim) => print(await control(sim, 'GET', '/_sim/deliveries')),
	'customer-message': async ({ positional: [conversation, ...words], options }, sim) => {
		const id = integer(conversation, 'conversation number');
		const content = required(words.join(' ') || undefined, 'message text');
		print(await control(sim, 'POST', `/_sim/accounts/${options.account ?? 1}/conversations/${id}/customer-message`, { content }));
	},
	conversations: async ({ options }, sim) => print(await control(sim, 'GET', `/_sim/accounts/${options.account ?? 1}/conversations`)),
	messages: async ({ positional: [conversation], options }, sim) =>
		print(await control(sim, 'GET', `/_sim/accounts/${options.account ?? 1}/conversations/${integer(conversation, 'conversation number')}`)),
	contacts: async ({ options }, sim) => print(await control(sim, 'GET', `/_sim/accounts/${options.account ?? 1}/contacts`)),
	latency: async ({ positional: [ms] }, sim) => print(await control(sim, 'POST', '/_sim/latency', { ms: integer(ms, 'latency in ms') })),
	'rate-limit': async ({ positional: [perMinute], options }, sim) => {
		const value = required(perMinute, 'requests per minute, or off');
		const body = value === 'off' ? {} : { perMinute: integer(value, 'requests per minute') };
		if (value !== 'off' && options.search !== undefined) body.contactSearchPerMinute = integer(options.search, '--search');
		if (value !== 'off' && options.window !== undefined) body.windowMs = integer(options.window, '--window');
		print(await control(sim, 'POST', '/_sim/rate-limit', body));
	},
};

async function main(argv) {
	const [command, ...rest] = argv;
	if (!command || command === 'help' || command === '--help' || command === '-h') {
		process.stdout.write(USAGE);
		return 0;
	}
	const run = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : null;
	if (!run) {
		process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
		return 2;
	}
	const args = parseArgs(rest);
	const sim = String(args.options.sim ?? process.env.KLIVO_SIM_URL ?? DEFAULT_SIM_URL);
	try {
		await run(args, sim);
		return 0;
	} catch (error) {
		process.stderr.write(`${error instanceof UsageError ? 'Usage error' : 'Error'}: ${error.message}\n`);
		return error instanceof UsageError ? 2 : 1;
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).then((code) => {
		process.exitCode = code;
	});
}

module.exports = { main, parseArgs, parseOverrides };
