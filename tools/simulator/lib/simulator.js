'use strict';

/** The Simulator object tests hold: its server, its state and the methods of the README. */

const http = require('node:http');
const { ERRORS, SimulatorError, badRequest, send, accountKey, fail } = require('./http');
const { Webhooks, DIALECTS, copyWebhook } = require('../resources/webhooks');
const { Deliveries, DEFAULT_FIXTURES_DIR } = require('./deliveries');
const { normalizeFault, routeMatches } = require('./faults');
const { RateLimiter, normalizeLatency } = require('./limits');
const { Ids } = require('./model');
const { buildAccount } = require('./seed');
const render = require('./render');
const { handleApi, ROUTE_NAMES } = require('./api');
const { handleControl } = require('./control');
const { handlePage } = require('./page');

const SEED_ACCOUNTS = Object.freeze({
	1: Object.freeze({ admins: ['admin-token-1'], agents: ['agent-token-1'] }),
	2: Object.freeze({ admins: ['admin-token-2'], agents: [] }),
});

function copyRecord(record) {
	const { messages: _internal, data, ...rest } = record;
	const copy = structuredClone(rest);
	if (data) copy.data = Buffer.from(data);
	if (Array.isArray(copy.attachments)) copy.attachments = record.attachments.map(copyRecord);
	return copy;
}

class Simulator {
	#server;
	#sockets = new Set();
	#seed;
	#initialDialect;
	#demoData;
	#ids = new Ids();
	#displayIds = new Map();
	#core;

	constructor({
		dialect = 'klivo',
		accounts = SEED_ACCOUNTS,
		deliveryTimeoutMs,
		failuresToDisable = 3,
		fixturesDir,
		demoData = true,
		latencyMs = 0,
		rateLimit = null,
		now = () => Date.now(),
	} = {}) {
		this.#seed = accounts;
		this.#initialDialect = dialect;
		this.#demoData = demoData;
		this.deliveryTimeoutMs = deliveryTimeoutMs;
		this.failuresToDisable = failuresToDisable;
		this.fixturesDir = fixturesDir || DEFAULT_FIXTURES_DIR;
		const sleeps = new Map();
		const core = {
			sim: this,
			dialect,
			accounts: new Map(),
			data: new Map(),
			faults: [],
			requests: [],
			closed: false,
			latencyMs: normalizeLatency(latencyMs),
			limiter: new RateLimiter(now),
			sleeps,
			sleep: (ms) =>
				new Promise((resolve) => {
					const timer = setTimeout(() => {
						sleeps.delete(timer);
						resolve();
					}, ms);
					// A pending delay must not keep a test process alive on its own.
					timer.unref();
					sleeps.set(timer, resolve);
				}),
		};
		core.webhooks = new Webhooks(core);
		core.deliveries = new Deliveries(core);
		this.#core = core;
		core.limiter.set(rateLimit);
		this.setDialect(dialect);
		this.#seedAccounts();
		this.#server = http.createServer((req, res) => this.#handle(req, res));
		this.#server.on('connection', (socket) => {
			this.#sockets.add(socket);
			socket.on('close', () => this.#sockets.delete(socket));
		});
	}

	listen(port, host) {
		return new Promise((resolve, reject) => {
			this.#server.once('error', reject);
			this.#server.listen(port, host, () => {
				this.#server.off('error', reject);
				const address = this.#server.address();
				this.port = address.port;
				const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
				this.url = `http://${hostPart}:${address.port}`;
				resolve(this);
			});
		});
	}

	close() {
		const core = this.#core;
		if (core.closing) return core.closing;
		core.closed = true;
		// Wake delayed requests so their handlers finish instead of holding timers open.
		for (const [timer, wake] of core.sleeps) {
			clearTimeout(timer);
			wake();
		}
		core.sleeps.clear();
		core.deliveries.abortAll('simulator closed');
		core.closing = new Promise((resolve) => {
			this.#server.close(() => resolve());
			for (const socket of this.#sockets) socket.destroy();
		});
		return core.closing;
	}

	get closed() {
		return this.#core.closed;
	}

	// ---- state -------------------------------------------------------------------------------

	setDialect(dialect) {
		if (!Object.prototype.hasOwnProperty.call(DIALECTS, dialect)) {
			throw badRequest(`Unknown dialect "${dialect}": use ${Object.keys(DIALECTS).join(' or ')}`);
		}
		this.#core.dialect = dialect;
	}

	get dialect() {
		return this.#core.dialect;
	}

	set dialect(dialect) {
		this.setDialect(dialect);
	}

	/** Back to how the simulator started; ids keep counting so stale ids stay unknown. */
	reset() {
		this.#core.dialect = this.#initialDialect;
		this.#seedAccounts();
		this.#core.faults = [];
		this.#core.requests = [];
		this.#core.deliveries.log = [];
	}

	#seedAccounts() {
		const core = this.#core;
		core.accounts.clear();
		core.data.clear();
		const demo = this.#seed === SEED_ACCOUNTS;
		for (const [id, tokens] of Object.entries(this.#seed)) {
			const key = accountKey(id);
			const { admins = [], agents = [] } = tokens;
			core.accounts.set(key, { admins: [...admins], agents: [...agents] });
			core.data.set(key, buildAccount(key, tokens, { ids: this.#ids, displayIds: this.#displayIds, demo, demoData: this.#demoData }));
		}
		core.webhooks.reset(core.accounts.keys());
	}

	get accounts() {
		return Object.fromEntries(
			[...this.#core.accounts].map(([key, { admins, agents }]) => [key, { admins: [...admins], agents: [...agents] }]),
		);
	}

	webhooks(accountId) {
		return this.#core.webhooks.list(accountId).map(copyWebhook);
	}

	get requests() {
		return this.#core.requests.map((entry) => ({ ...entry }));
	}

	countRequests({ route, method, accountId } = {}) {
		return this.#core.requests.filter(
			(entry) =>
				(route === undefined || entry.route === route || (route.endsWith('.*') && routeMatches(route, entry.route))) &&
				(method === undefined || entry.method === String(method).toUpperCase()) &&
				(accountId === undefined || String(entry.accountId) === String(accountId)),
		).length;
	}

	clearRequests() {
		this.#core.requests = [];
	}

	get deliveries() {
		return this.#core.deliveries.log.map((entry) => ({ ...entry }));
	}

	clearDeliveries() {
		this.#core.deliveries.log = [];
	}

	get faults() {
		return this.#core.faults.map((fault) => ({ ...fault }));
	}

	injectFault(options) {
		const fault = normalizeFault(options, ROUTE_NAMES);
		this.#core.faults.push(fault);
		return { ...fault };
	}

	clearFaults() {
		this.#core.faults = [];
	}

	state() {
		return {
			dialect: this.dialect,
			accounts: Object.fromEntries(
				Object.entries(this.accounts).map(([key, tokens]) => [key, { ...tokens, webhooks: this.webhooks(key) }]),
			),
			faults: this.faults,
			requestCount: this.#core.requests.length,
			deliveryCount: this.#core.deliveries.log.length,
		};
	}

	// ---- webhooks, as Klivo's UI would change them ---------------------------------------------

	addWebhookDirect(accountId, { url, subscriptions, name } = {}) {
		return copyWebhook(this.#core.webhooks.create(accountId, { url, subscriptions, name }));
	}

	deleteWebhookDirect(accountId, id) {
		return copyWebhook(this.#core.webhooks.remove(accountId, id));
	}

	disableWebhookDirect(accountId, id) {
		const webhook = this.#core.webhooks.find(accountId, id);
		this.#core.webhooks.disable(webhook);
		return copyWebhook(webhook);
	}

	emit(accountId, eventOrPayload, opts = {}) {
		return this.#core.deliveries.emit(accountId, eventOrPayload, opts);
	}

	/** Resolves once every delivery fired by an API action so far has finished. */
	settle() {
		return this.#core.deliveries.settle();
	}

	// ---- latency and rate limits --------------------------------------------------------------

	get latencyMs() {
		return this.#core.latencyMs;
	}

	setLatency(ms) {
		this.#core.latencyMs = normalizeLatency(ms);
	}

	setRateLimit(options) {
		this.#core.limiter.set(options);
	}

	limits() {
		return { latencyMs: this.#core.latencyMs, ...this.#core.limiter.state() };
	}

	// ---- resources: seed and inspect ----------------------------------------------------------

	#account(accountId) {
		const acct = this.#core.data.get(accountKey(accountId));
		if (!acct) fail(ERRORS.notFound);
		return acct;
	}

	addContact(accountId, fields = {}) {
		return copyRecord(this.#account(accountId).addContact(fields));
	}

	addContacts(accountId, count, make = (i) => ({ name: `Contact ${i + 1}`, email: `contact${i + 1}@bulk.example` })) {
		const acct = this.#account(accountId);
		const out = [];
		for (let i = 0; i < count; i++) out.push(acct.addContact(make(i)));
		return out.map(copyRecord);
	}

	addConversation(accountId, fields = {}) {
		return copyRecord(this.#account(accountId).addConversation(fields));
	}

	addConversations(accountId, count, make) {
		const acct = this.#account(accountId);
		const out = [];
		for (let i = 0; i < count; i++) out.push(acct.addConversation(make(i)));
		return out.map(copyRecord);
	}

	addMessage(accountId, displayId, fields = {}) {
		const acct = this.#account(accountId);
		return copyRecord(acct.addMessage(acct.mustFind(acct.conversation(displayId)), fields));
	}

	/** A customer writes: an incoming message from the conversation's contact, delivered as message_created. */
	async customerMessage(accountId, displayId, content, { attachments = [] } = {}) {
		const acct = this.#account(accountId);
		const conversation = acct.mustFind(acct.conversation(displayId));
		const message = acct.addMessage(conversation, { content, message_type: 'incoming', attachments });
		// A resolved conversation reopens when the customer writes again.
		if (conversation.status === 'resolved') conversation.status = 'open';
		const deliveries = await this.#core.deliveries.emit(
			acct.key,
			render.messageWebhook(acct, this.url, message, 'message_created'),
			{ action: 'customer-message' },
		);
		return { message: copyRecord(message), deliveries };
	}

	addLabel(accountId, fields) {
		return copyRecord(this.#account(accountId).addLabel(fields));
	}
	addInbox(accountId, fields) {
		return copyRecord(this.#account(accountId).addInbox(fields));
	}
	addAgent(accountId, fields) {
		return copyRecord(this.#account(accountId).addUser(fields));
	}
	addTeam(accountId, fields) {
		return copyRecord(this.#account(accountId).addTeam(fields));
	}
	addAgentBot(accountId, fields) {
		return copyRecord(this.#account(accountId).addBot(fields));
	}

	#maybe(accountId) {
		return this.#core.data.get(accountKey(accountId)) || null;
	}

	conversation(accountId, displayId) {
		const acct = this.#maybe(accountId);
		const record = acct && acct.conversation(displayId);
		return record ? copyRecord(record) : null;
	}
	conversations(accountId) {
		const acct = this.#maybe(accountId);
		return acct ? acct.conversations.map(copyRecord) : [];
	}
	messages(accountId, displayId) {
		const acct = this.#maybe(accountId);
		const record = acct && acct.conversation(displayId);
		return record ? record.messages.map(copyRecord) : [];
	}
	message(accountId, messageId) {
		const acct = this.#maybe(accountId);
		const record = acct && acct.messagesById.get(Number(messageId));
		return record ? copyRecord(record) : null;
	}
	contact(accountId, id) {
		const acct = this.#maybe(accountId);
		const record = acct && acct.contact(id);
		return record ? copyRecord(record) : null;
	}
	contacts(accountId) {
		const acct = this.#maybe(accountId);
		return acct ? acct.contacts.map(copyRecord) : [];
	}
	labels(accountId) {
		const acct = this.#maybe(accountId);
		return acct ? acct.labels.map(copyRecord) : [];
	}
	inboxes(accountId) {
		const acct = this.#maybe(accountId);
		return acct ? acct.inboxes.map(copyRecord) : [];
	}
	agents(accountId) {
		const acct = this.#maybe(accountId);
		return acct
			? acct.users.map((u) => ({ ...copyRecord(u), inbox_ids: acct.userInboxIds(u), team_ids: acct.userTeamIds(u) }))
			: [];
	}
	teams(accountId) {
		const acct = this.#maybe(accountId);
		return acct ? acct.teams.map(copyRecord) : [];
	}
	agentBots(accountId) {
		const acct = this.#maybe(accountId);
		return acct ? acct.bots.map(copyRecord) : [];
	}
	attachments(accountId, displayId) {
		const acct = this.#maybe(accountId);
		if (!acct) return [];
		const all = displayId === undefined ? acct.attachments : acct.attachments.filter((a) => {
			const message = acct.messagesById.get(a.message_id);
			return message && message.conversation_id === Number(displayId);
		});
		return all.map(copyRecord);
	}

	// ---- HTTP ----------------------------------------------------------------------------------

	async #handle(req, res) {
		try {
			const url = new URL(req.url, 'http://simulator.invalid');
			if (handlePage(req, res, url)) return;
			if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) await handleControl(this, req, res, url);
			else await handleApi(this.#core, req, res, url);
		} catch (error) {
			send(res, 500, { error: `Simulator error: ${error.message}` });
		}
	}
}

module.exports = { Simulator, SEED_ACCOUNTS, SimulatorError };
