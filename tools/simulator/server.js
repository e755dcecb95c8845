'use strict';

/**
 * Klivo simulator: an in-memory stand-in for Klivo Chat (a rebranded Chatwoot) on loopback.
 * Webhooks in two dialects (resources/webhooks.js), the Application API's conversations,
 * messages, contacts, labels, inboxes, agents and teams (resources/), deliveries (lib/deliveries.js),
 * faults, latency and rate limits, and a control API (lib/control.js). See README.md.
 *
 * No npm dependencies on purpose: n8n end-to-end tests and the CLI start it in plain Node.
 */

const { Simulator, SEED_ACCOUNTS } = require('./lib/simulator');
const { SimulatorError, ERRORS, toRailsJson } = require('./lib/http');
const { sign, EVENT_FIXTURES, DEFAULT_FIXTURES_DIR } = require('./lib/deliveries');
const { KLIVO_EVENTS, CHATWOOT_EVENTS } = require('./resources/webhooks');
const { SEED } = require('./lib/seed');

/**
 * Start a simulator on loopback. Resolves once it listens; `port: 0` picks a free port.
 */
async function startSimulator({ port = 0, host = '127.0.0.1', ...options } = {}) {
	const simulator = new Simulator(options);
	return simulator.listen(port, host);
}

module.exports = {
	startSimulator,
	sign,
	toRailsJson,
	SimulatorError,
	SEED_ACCOUNTS,
	SEED,
	ERRORS,
	SUBSCRIBABLE_EVENTS: Object.freeze({ klivo: [...KLIVO_EVENTS], chatwoot: [...CHATWOOT_EVENTS] }),
	EVENT_FIXTURES,
	FIXTURES_DIR: DEFAULT_FIXTURES_DIR,
};
