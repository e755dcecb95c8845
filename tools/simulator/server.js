'use strict';

/**
 * Klivo simulator: an in-memory stand-in for Klivo Chat's webhook API (a rebranded Chatwoot).
 *
 * Klivo's documentation and Chatwoot's actual server code disagree on envelopes, events,
 * timeouts, failure handling and signing, and a real Klivo server may behave like either.
 * The simulator therefore speaks two "dialects" (see DIALECTS) so the nodes can be tested
 * against both. Everything else (errors, auth order, validation) is shared.
 *
 * No npm dependencies on purpose: n8n end-to-end tests and the CLI start it in plain Node.
 */

const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const MAX_BODY_BYTES = 1024 * 1024;
// Long-running simulators (CLI, e2e) must not grow without bound.
const MAX_LOG_ENTRIES = 10000;
const USER_AGENT = 'Klivo-Webhook/1.0';
const DEFAULT_FIXTURES_DIR = path.join(__dirname, 'payloads');

// Everybody's tests rely on these exact tokens: change them only with all test owners.
const SEED_ACCOUNTS = Object.freeze({
	1: Object.freeze({ admins: ['admin-token-1'], agents: ['agent-token-1'] }),
	2: Object.freeze({ admins: ['admin-token-2'], agents: [] }),
});

const ERRORS = Object.freeze({
	invalidToken: { status: 401, body: { error: 'Invalid Access Token' } },
	notAdmin: { status: 401, body: { error: 'You are not authorized to do this action' } },
	notInAccount: { status: 401, body: { error: 'You are not authorized to access this account' } },
	notFound: { status: 404, body: { error: 'Resource could not be found' } },
	invalidJson: { status: 400, body: { error: 'Invalid JSON' } },
	tooLarge: { status: 413, body: { error: 'Payload Too Large' } },
});

// Rails joins every failed validation into one 422 body, so these are parts, not whole bodies.
const VALIDATION = Object.freeze({
	urlTaken: { attribute: 'url', message: 'Url has already been taken' },
	urlInvalid: { attribute: 'url', message: 'Url is invalid' },
	subscriptionsInvalid: { attribute: 'subscriptions', message: 'Subscriptions Invalid events' },
});

const FAULT_BODIES = Object.freeze({
	401: ERRORS.invalidToken.body,
	404: ERRORS.notFound.body,
	422: { message: 'Unprocessable' },
	429: { error: 'Too Many Requests' },
	500: { error: 'Internal Server Error' },
});

const FAULT_ROUTES = ['list', 'create', 'update', 'delete', 'any'];

const DOCUMENTED_EVENTS = [
	'conversation_created',
	'conversation_updated',
	'conversation_resolved',
	'message_created',
	'contact_created',
	'contact_updated',
	'webwidget_triggered',
];
const UNDOCUMENTED_EVENTS = [
	'conversation_status_changed',
	'message_updated',
	'conversation_typing_on',
	'conversation_typing_off',
];
const KLIVO_EVENTS = [...DOCUMENTED_EVENTS, ...UNDOCUMENTED_EVENTS];
// Chatwoot never had a conversation_resolved event: resolution is a status change.
const CHATWOOT_EVENTS = KLIVO_EVENTS.filter((event) => event !== 'conversation_resolved');

const DIALECTS = Object.freeze({
	klivo: {
		events: KLIVO_EVENTS,
		timeoutMs: 10000,
		disablesFailingWebhooks: true,
		signsDeliveries: false,
		acceptsActive: true,
		present: (w) => ({
			id: w.id,
			url: w.url,
			subscriptions: [...w.subscriptions],
			...(w.name ? { name: w.name } : {}),
			active: w.active,
		}),
		list: (webhooks) => ({ data: webhooks }),
		single: (webhook) => webhook,
		deleted: () => ({ message: 'Webhook deleted' }),
		// Klivo documents conversation_resolved; it can only come from a status change.
		derivedEvents: (payload) =>
			payload.event === 'conversation_status_changed' && payload.status === 'resolved'
				? ['conversation_resolved']
				: [],
	},
	chatwoot: {
		events: CHATWOOT_EVENTS,
		timeoutMs: 5000,
		disablesFailingWebhooks: false,
		signsDeliveries: true,
		acceptsActive: false,
		present: (w) => ({
			id: w.id,
			name: w.name,
			url: w.url,
			account_id: w.accountId,
			subscriptions: [...w.subscriptions],
			secret: w.secret,
			inbox: null,
		}),
		list: (webhooks) => ({ payload: { webhooks } }),
		single: (webhook) => ({ payload: { webhook } }),
		// Rails `head :ok`: the client must cope with an empty body.
		deleted: () => undefined,
		derivedEvents: () => [],
	},
});

// Events without an example payload of their own borrow the closest fixture.
const EVENT_FIXTURES = Object.freeze({
	conversation_created: 'conversation_created',
	conversation_updated: 'conversation_updated.assignee_changed',
	conversation_status_changed: 'conversation_status_changed.resolved',
	conversation_resolved: 'conversation_status_changed.resolved',
	message_created: 'message_created.incoming',
	message_updated: 'message_updated.status_read',
	contact_created: 'contact_created',
	contact_updated: 'contact_updated',
});

const SAMPLE_AGENT = { id: 4, name: 'Carlos Lima', email: 'carlos@klivo.marketing', type: 'user' };
const SAMPLE_ACCOUNT = { id: 7, name: 'Klivo Marketing' };

// Shapes follow Chatwoot's push/webhook_data serializers; values match the fixtures' story.
const BUILT_PAYLOADS = Object.freeze({
	conversation_typing_on: typingPayload,
	conversation_typing_off: typingPayload,
	webwidget_triggered: () => ({
		id: 5133,
		contact: {
			account: SAMPLE_ACCOUNT,
			additional_attributes: {},
			avatar: '',
			custom_attributes: {},
			email: null,
			id: 851,
			identifier: null,
			name: 'misty-forest-208',
			phone_number: null,
			thumbnail: '',
			blocked: false,
		},
		inbox: { id: 3, name: 'Site Klivo' },
		account: SAMPLE_ACCOUNT,
		current_conversation: null,
		source_id: 'b6c0e5f4-2a1d-4f4e-9d55-3c7a5b0e8a21',
		event: 'webwidget_triggered',
		event_info: {
			initiated_at: { timestamp: 'Thu May 28 2026 10:15:02 GMT-0300 (Horário Padrão de Brasília)' },
			referer: 'https://klivo.marketing/precos',
			widget_language: 'pt-BR',
			browser_language: 'pt-BR',
			browser: {
				browser_name: 'Chrome',
				browser_version: '124.0.0.0',
				device_name: 'Unknown',
				platform_name: 'Windows',
				platform_version: '10.0',
			},
		},
	}),
});

function typingPayload(event, fixturesDir) {
	const { event: _ignored, ...conversation } = loadFixture(fixturesDir, EVENT_FIXTURES.conversation_created);
	return { event, user: SAMPLE_AGENT, conversation, is_private: false };
}

class SimulatorError extends Error {
	constructor({ status, body }) {
		super(body.error || body.message);
		this.status = status;
		this.body = body;
	}
}

function fail(error) {
	throw new SimulatorError(error);
}

function badRequest(message) {
	return new SimulatorError({ status: 400, body: { error: message } });
}

/**
 * Rails' JSON encoder escapes these characters; receivers must verify the signature over the
 * raw bytes, and only a byte-identical body lets tests prove they do.
 */
function toRailsJson(value) {
	return JSON.stringify(value).replace(
		/[<>&\u2028\u2029]/g,
		(ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

/** Chatwoot 4.12+ `X-Chatwoot-Signature` value for one delivery. */
function sign(secret, timestamp, rawBody) {
	const hmac = crypto.createHmac('sha256', secret);
	hmac.update(`${timestamp}.`);
	hmac.update(rawBody);
	return `sha256=${hmac.digest('hex')}`;
}

// Rails' has_secure_token alphabet (base58: no 0, O, I, l).
const SECRET_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function newSecret() {
	let secret = '';
	for (let i = 0; i < 24; i++) secret += SECRET_ALPHABET[crypto.randomInt(SECRET_ALPHABET.length)];
	return secret;
}

function isPlainObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isHttpUrl(value) {
	// The regex rejects scheme-relative tricks like "http:foo" that WHATWG URL would accept.
	if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/i.test(value)) return false;
	try {
		return new URL(value).hostname !== '';
	} catch {
		return false;
	}
}

// Numeric ids are numbers in payloads and logs, but map keys must not depend on the caller's type.
function accountKey(accountId) {
	return String(accountId);
}
function publicId(key) {
	return /^\d{1,15}$/.test(key) ? Number(key) : key;
}

function fixtureNames(dir) {
	try {
		return fs
			.readdirSync(dir)
			.filter((file) => file.endsWith('.json'))
			.map((file) => file.slice(0, -'.json'.length))
			.sort();
	} catch {
		return [];
	}
}

function loadFixture(dir, name) {
	// Names come from HTTP callers: never let them walk out of the fixtures directory.
	if (!/^[\w-][\w.-]*$/.test(name) || name.includes('..')) return null;
	const file = path.join(dir, `${name}.json`);
	if (!fs.existsSync(file)) return null;
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (error) {
		throw new SimulatorError({ status: 500, body: { error: `Fixture ${name} is not valid JSON: ${error.message}` } });
	}
}

function resolvePayload(source, fixturesDir) {
	if (isPlainObject(source)) return structuredClone(source);
	if (typeof source !== 'string' || source === '') {
		throw badRequest('Give an event name, a fixture name or a payload object');
	}
	const fixture = loadFixture(fixturesDir, source);
	if (fixture) return fixture;
	if (EVENT_FIXTURES[source]) {
		const base = loadFixture(fixturesDir, EVENT_FIXTURES[source]);
		if (!base) throw badRequest(`Fixture ${EVENT_FIXTURES[source]} for event ${source} is missing`);
		return { ...base, event: source };
	}
	if (BUILT_PAYLOADS[source]) return BUILT_PAYLOADS[source](source, fixturesDir);
	throw badRequest(
		`Unknown event or fixture "${source}". Events: ${KLIVO_EVENTS.join(', ')}. ` +
			`Fixtures: ${fixtureNames(fixturesDir).join(', ')}`,
	);
}

function readBody(req) {
	return new Promise((resolve) => {
		const chunks = [];
		let size = 0;
		const done = () =>
			resolve({ tooLarge: size > MAX_BODY_BYTES, text: Buffer.concat(chunks).toString('utf8') });
		req.on('data', (chunk) => {
			size += chunk.length;
			// Keep draining so the client can read our 413 instead of seeing a reset.
			if (size <= MAX_BODY_BYTES) chunks.push(chunk);
			else chunks.length = 0;
		});
		req.on('end', done);
		req.on('error', done);
		req.on('close', done);
	});
}

function parseJson(text) {
	if (text.trim() === '') return {};
	try {
		return JSON.parse(text);
	} catch {
		return fail(ERRORS.invalidJson);
	}
}

function send(res, status, body, headers = {}) {
	if (res.headersSent || res.destroyed) return;
	if (body === undefined) {
		res.writeHead(status, { 'Content-Length': 0, ...headers });
		res.end();
		return;
	}
	const text = typeof body === 'string' ? body : toRailsJson(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

function pushBounded(log, entry) {
	log.push(entry);
	if (log.length > MAX_LOG_ENTRIES) log.splice(0, log.length - MAX_LOG_ENTRIES);
}

// Rails' `wrap_parameters` means a flat body and `{"webhook":{...}}` land in the same place.
function webhookParams(body) {
	const source = isPlainObject(body) && isPlainObject(body.webhook) ? body.webhook : body;
	if (!isPlainObject(source)) return {};
	const params = {};
	for (const key of ['url', 'subscriptions', 'name', 'active']) {
		if (Object.prototype.hasOwnProperty.call(source, key)) params[key] = source[key];
	}
	return params;
}

function normalizeName(value) {
	if (value === null || value === '') return null;
	return ['string', 'number', 'boolean'].includes(typeof value) ? String(value) : undefined;
}

const API_PATH = /^\/api\/v1\/accounts\/([^/]+)\/webhooks(?:\/([^/]+))?\/?$/;

function routeOf(method, match) {
	if (!match) return 'other';
	const [, , id] = match;
	if (id === undefined) {
		if (method === 'GET') return 'list';
		if (method === 'POST') return 'create';
	} else {
		if (method === 'PATCH' || method === 'PUT') return 'update';
		if (method === 'DELETE') return 'delete';
	}
	return 'other';
}

function normalizeFault(options) {
	if (!isPlainObject(options)) throw badRequest('A fault needs an options object');
	const { route = 'any', status, body, retryAfter, delayMs, drop, times = 1 } = options;
	if (!FAULT_ROUTES.includes(route)) throw badRequest(`Fault route must be one of ${FAULT_ROUTES.join(', ')}`);
	if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
		throw badRequest('Fault status must be an HTTP status code');
	}
	if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) {
		throw badRequest('Fault delayMs must be a non-negative number');
	}
	if (!(Number.isInteger(times) && times > 0)) throw badRequest('Fault times must be a positive integer');
	if (status === undefined && !delayMs && !drop) throw badRequest('A fault needs status, delayMs or drop');
	const fault = { route, times, remaining: times };
	if (status !== undefined) {
		fault.status = status;
		fault.body = body !== undefined ? body : FAULT_BODIES[status] || { error: http.STATUS_CODES[status] || 'Error' };
	}
	if (status === 429 || retryAfter !== undefined) fault.retryAfter = retryAfter !== undefined ? retryAfter : 1;
	if (delayMs) fault.delayMs = delayMs;
	if (drop) fault.drop = true;
	return fault;
}

class Simulator {
	#server;
	#sockets = new Set();
	#sleeps = new Map();
	#inflight = new Set();
	#closing = null;
	#seed;
	#initialDialect;
	#accounts = new Map();
	#webhooks = new Map();
	#faults = [];
	#requests = [];
	#deliveries = [];
	#nextId = 1;
	#dialect;

	constructor({ dialect = 'klivo', accounts = SEED_ACCOUNTS, deliveryTimeoutMs, failuresToDisable = 3, fixturesDir } = {}) {
		this.#seed = accounts;
		this.#initialDialect = dialect;
		this.deliveryTimeoutMs = deliveryTimeoutMs;
		this.failuresToDisable = failuresToDisable;
		this.fixturesDir = fixturesDir || DEFAULT_FIXTURES_DIR;
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
		if (this.#closing) return this.#closing;
		// Wake delayed requests so their handlers finish instead of holding timers open.
		for (const [timer, wake] of this.#sleeps) {
			clearTimeout(timer);
			wake();
		}
		this.#sleeps.clear();
		for (const delivery of this.#inflight) delivery.abort('simulator closed');
		this.#closing = new Promise((resolve) => {
			this.#server.close(() => resolve());
			for (const socket of this.#sockets) socket.destroy();
		});
		return this.#closing;
	}

	get closed() {
		return this.#closing !== null;
	}

	// ---- state -------------------------------------------------------------------------------

	setDialect(dialect) {
		if (!Object.prototype.hasOwnProperty.call(DIALECTS, dialect)) {
			throw badRequest(`Unknown dialect "${dialect}": use ${Object.keys(DIALECTS).join(' or ')}`);
		}
		this.#dialect = dialect;
	}

	get dialect() {
		return this.#dialect;
	}

	set dialect(dialect) {
		this.setDialect(dialect);
	}

	/** Back to how the simulator started; webhook ids keep counting so stale ids stay unknown. */
	reset() {
		this.#dialect = this.#initialDialect;
		this.#seedAccounts();
		this.#faults = [];
		this.#requests = [];
		this.#deliveries = [];
	}

	#seedAccounts() {
		this.#accounts.clear();
		this.#webhooks.clear();
		for (const [id, { admins = [], agents = [] }] of Object.entries(this.#seed)) {
			const key = accountKey(id);
			this.#accounts.set(key, { admins: [...admins], agents: [...agents] });
			this.#webhooks.set(key, []);
		}
	}

	get accounts() {
		return Object.fromEntries(
			[...this.#accounts].map(([key, { admins, agents }]) => [key, { admins: [...admins], agents: [...agents] }]),
		);
	}

	webhooks(accountId) {
		return (this.#webhooks.get(accountKey(accountId)) || []).map(copyWebhook);
	}

	get requests() {
		return this.#requests.map((entry) => ({ ...entry }));
	}

	countRequests({ route, method, accountId } = {}) {
		return this.#requests.filter(
			(entry) =>
				(route === undefined || entry.route === route) &&
				(method === undefined || entry.method === String(method).toUpperCase()) &&
				(accountId === undefined || String(entry.accountId) === String(accountId)),
		).length;
	}

	clearRequests() {
		this.#requests = [];
	}

	get deliveries() {
		return this.#deliveries.map((entry) => ({ ...entry }));
	}

	clearDeliveries() {
		this.#deliveries = [];
	}

	get faults() {
		return this.#faults.map((fault) => ({ ...fault }));
	}

	injectFault(options) {
		const fault = normalizeFault(options);
		this.#faults.push(fault);
		return { ...fault };
	}

	clearFaults() {
		this.#faults = [];
	}

	state() {
		return {
			dialect: this.dialect,
			accounts: Object.fromEntries(
				Object.entries(this.accounts).map(([key, tokens]) => [key, { ...tokens, webhooks: this.webhooks(key) }]),
			),
			faults: this.faults,
			requestCount: this.#requests.length,
			deliveryCount: this.#deliveries.length,
		};
	}

	// ---- webhooks, as Klivo's UI or API would change them --------------------------------------

	#store(accountId) {
		const store = this.#webhooks.get(accountKey(accountId));
		if (!store) fail(ERRORS.notFound);
		return store;
	}

	#find(accountId, id) {
		const wanted = String(id);
		const webhook = this.#store(accountId).find((w) => String(w.id) === wanted);
		if (!webhook) fail(ERRORS.notFound);
		return webhook;
	}

	// Only the fields present are checked, so PATCH validates just what it changes.
	#validate(store, fields, self) {
		const problems = [];
		if ('url' in fields) {
			if (!isHttpUrl(fields.url)) problems.push(VALIDATION.urlInvalid);
			else if (store.some((w) => w !== self && w.url === fields.url)) problems.push(VALIDATION.urlTaken);
		}
		if ('subscriptions' in fields) {
			const { events } = DIALECTS[this.dialect];
			const valid =
				Array.isArray(fields.subscriptions) &&
				fields.subscriptions.length > 0 &&
				fields.subscriptions.every((event) => events.includes(event));
			if (!valid) problems.push(VALIDATION.subscriptionsInvalid);
		}
		if (problems.length > 0) {
			fail({
				status: 422,
				body: {
					message: problems.map((p) => p.message).join(', '),
					attributes: [...new Set(problems.map((p) => p.attribute))],
				},
			});
		}
	}

	#create(accountId, params) {
		const store = this.#store(accountId);
		this.#validate(store, { url: params.url, subscriptions: params.subscriptions });
		const now = new Date().toISOString();
		const webhook = {
			id: this.#nextId++,
			accountId: publicId(accountKey(accountId)),
			name: normalizeName(params.name) || null,
			url: params.url,
			subscriptions: [...params.subscriptions],
			// Made in both dialects so switching dialect mid-test keeps deliveries signable.
			secret: newSecret(),
			active: true,
			consecutiveFailures: 0,
			createdAt: now,
			updatedAt: now,
			disabledAt: null,
		};
		store.push(webhook);
		return webhook;
	}

	#update(webhook, params) {
		const store = this.#store(webhook.accountId);
		const fields = {};
		if ('url' in params) fields.url = params.url;
		if ('subscriptions' in params) fields.subscriptions = params.subscriptions;
		this.#validate(store, fields, webhook);
		if ('url' in fields) webhook.url = fields.url;
		if ('subscriptions' in fields) webhook.subscriptions = [...fields.subscriptions];
		if ('name' in params && normalizeName(params.name) !== undefined) webhook.name = normalizeName(params.name);
		if (DIALECTS[this.dialect].acceptsActive && typeof params.active === 'boolean') {
			if (params.active) this.#enable(webhook);
			else this.#disable(webhook);
		}
		webhook.updatedAt = new Date().toISOString();
		return webhook;
	}

	#remove(accountId, id) {
		const store = this.#store(accountId);
		const webhook = this.#find(accountId, id);
		store.splice(store.indexOf(webhook), 1);
		return webhook;
	}

	#enable(webhook) {
		webhook.active = true;
		webhook.consecutiveFailures = 0;
		webhook.disabledAt = null;
	}

	#disable(webhook) {
		if (!webhook.active) return;
		webhook.active = false;
		webhook.disabledAt = new Date().toISOString();
	}

	addWebhookDirect(accountId, { url, subscriptions, name } = {}) {
		return copyWebhook(this.#create(accountId, { url, subscriptions, name }));
	}

	deleteWebhookDirect(accountId, id) {
		return copyWebhook(this.#remove(accountId, id));
	}

	disableWebhookDirect(accountId, id) {
		const webhook = this.#find(accountId, id);
		this.#disable(webhook);
		return copyWebhook(webhook);
	}

	// ---- deliveries ----------------------------------------------------------------------------

	async emit(accountId, eventOrPayload, opts = {}) {
		const store = this.#store(accountId);
		const overrides = isPlainObject(opts.overrides) ? opts.overrides : {};
		const payload = { ...resolvePayload(eventOrPayload, this.fixturesDir), ...overrides };
		if (typeof payload.event !== 'string' || payload.event === '') {
			throw badRequest('The payload needs an "event" field');
		}
		const dialect = DIALECTS[this.dialect];
		const events = [payload.event, ...dialect.derivedEvents(payload)];
		const onlyId = opts.webhookId === undefined || opts.webhookId === null ? null : String(opts.webhookId);
		const jobs = [];
		for (const event of events) {
			for (const webhook of store) {
				if (!webhook.active || !webhook.subscriptions.includes(event)) continue;
				if (onlyId !== null && String(webhook.id) !== onlyId) continue;
				jobs.push(this.#deliver(webhook, event, { ...payload, event }, dialect));
			}
		}
		return Promise.all(jobs);
	}

	async #deliver(webhook, event, payload, dialect) {
		const body = toRailsJson(payload);
		const headers = {
			'Content-Type': 'application/json',
			'Content-Length': Buffer.byteLength(body),
			'User-Agent': USER_AGENT,
		};
		if (dialect.signsDeliveries && webhook.secret) {
			const timestamp = Math.floor(Date.now() / 1000);
			headers['X-Chatwoot-Delivery'] = crypto.randomUUID();
			headers['X-Chatwoot-Timestamp'] = String(timestamp);
			headers['X-Chatwoot-Signature'] = sign(webhook.secret, timestamp, body);
		}
		const timeoutMs = this.deliveryTimeoutMs ?? dialect.timeoutMs;
		const outcome = await this.#post(webhook.url, headers, body, timeoutMs);
		const result = { webhookId: webhook.id, url: webhook.url, event, ...outcome };

		if (result.ok) webhook.consecutiveFailures = 0;
		else webhook.consecutiveFailures += 1;
		const disables =
			dialect.disablesFailingWebhooks && webhook.active && webhook.consecutiveFailures >= this.failuresToDisable;
		if (disables) this.#disable(webhook);

		pushBounded(this.#deliveries, {
			...result,
			accountId: webhook.accountId,
			at: new Date().toISOString(),
			...(disables ? { disabledWebhook: true } : {}),
		});
		return result;
	}

	/** One POST; never rejects, so a bad receiver cannot break emit(). */
	#post(url, headers, body, timeoutMs) {
		return new Promise((resolve) => {
			const started = performance.now();
			let target;
			try {
				target = new URL(url);
			} catch {
				resolve({ status: null, ok: false, error: 'invalid URL', durationMs: 0 });
				return;
			}
			const transport = target.protocol === 'https:' ? https : http;
			let request;
			let timer;
			const delivery = {
				abort: (reason) => {
					finish(null, reason);
					request.destroy();
				},
			};
			const finish = (status, error) => {
				if (!this.#inflight.delete(delivery)) return;
				clearTimeout(timer);
				const ok = error === null && status >= 200 && status < 300;
				resolve({ status, ok, error, durationMs: Math.round(performance.now() - started) });
			};
			this.#inflight.add(delivery);
			try {
				// `agent: false` so no keep-alive socket outlives the delivery.
				request = transport.request(target, { method: 'POST', headers, agent: false }, (response) => {
					response.resume();
					response.on('end', () => finish(response.statusCode, null));
					response.on('close', () => finish(response.statusCode, response.complete ? null : 'response aborted'));
				});
			} catch (error) {
				finish(null, error.code || error.message);
				return;
			}
			request.on('error', (error) => finish(null, error.code || error.message));
			timer = setTimeout(() => delivery.abort(`timeout after ${timeoutMs} ms`), timeoutMs);
			request.end(body);
		});
	}

	// ---- HTTP ----------------------------------------------------------------------------------

	async #handle(req, res) {
		try {
			const url = new URL(req.url, 'http://simulator.invalid');
			if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) await this.#handleControl(req, res, url);
			else await this.#handleApi(req, res, url);
		} catch (error) {
			send(res, 500, { error: `Simulator error: ${error.message}` });
		}
	}

	async #handleApi(req, res, url) {
		const match = API_PATH.exec(url.pathname);
		const route = routeOf(req.method, match);
		const account = match ? safeDecode(match[1]) : null;
		const entry = {
			method: req.method,
			path: url.pathname,
			route,
			accountId: account === null ? null : publicId(account),
			status: null,
			at: new Date().toISOString(),
		};
		pushBounded(this.#requests, entry);
		const reply = (status, body, headers) => {
			entry.status = status;
			send(res, status, body, headers);
		};

		const { text, tooLarge } = await readBody(req);
		const fault = this.#takeFault(route);
		if (fault) {
			entry.fault = fault.drop ? 'drop' : fault.status ? String(fault.status) : 'delay';
			if (fault.delayMs) await this.#sleep(fault.delayMs);
			// A client that gave up still changed state, as on a slow real server: keep going.
			if (this.closed) return;
			if (fault.drop) {
				req.socket.destroy();
				return;
			}
			if (fault.status) {
				const headers = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
				reply(fault.status, fault.body, headers);
				return;
			}
		}
		if (tooLarge) {
			reply(ERRORS.tooLarge.status, ERRORS.tooLarge.body);
			return;
		}
		try {
			const { status = 200, body } = this.#routeApi(req, route, account, match && safeDecode(match[2]), text);
			reply(status, body);
		} catch (error) {
			if (!(error instanceof SimulatorError)) throw error;
			reply(error.status, error.body);
		}
	}

	#routeApi(req, route, account, id, text) {
		// Rails answers unknown routes (e.g. GET /webhooks/:id) before any authentication.
		if (route === 'other') fail(ERRORS.notFound);
		this.#authorize(req.headers.api_access_token, account);
		const dialect = DIALECTS[this.dialect];
		switch (route) {
			case 'list':
				return { body: dialect.list(this.#store(account).map(dialect.present)) };
			case 'create':
				return { body: dialect.single(dialect.present(this.#create(account, webhookParams(parseJson(text))))) };
			case 'update': {
				const webhook = this.#find(account, id);
				return { body: dialect.single(dialect.present(this.#update(webhook, webhookParams(parseJson(text))))) };
			}
			case 'delete':
				this.#remove(account, id);
				return { body: dialect.deleted() };
		}
		return fail(ERRORS.notFound);
	}

	// Order matters: clients tell "wrong token" from "wrong account" from "not an admin".
	#authorize(token, account) {
		const accounts = [...this.#accounts.values()];
		const known = typeof token === 'string' && accounts.some((a) => a.admins.includes(token) || a.agents.includes(token));
		if (!known) fail(ERRORS.invalidToken);
		const members = this.#accounts.get(account);
		if (!members) fail(ERRORS.notFound);
		if (members.admins.includes(token)) return;
		fail(members.agents.includes(token) ? ERRORS.notAdmin : ERRORS.notInAccount);
	}

	#takeFault(route) {
		const fault = this.#faults.find((f) => f.route === 'any' || f.route === route);
		if (!fault) return null;
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
		return fault;
	}

	#sleep(ms) {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.#sleeps.delete(timer);
				resolve();
			}, ms);
			this.#sleeps.set(timer, resolve);
		});
	}

	async #handleControl(req, res, url) {
		const { text, tooLarge } = await readBody(req);
		if (tooLarge) return send(res, ERRORS.tooLarge.status, ERRORS.tooLarge.body);
		for (const [method, pattern, action] of CONTROL_ROUTES) {
			const match = pattern.exec(url.pathname);
			if (!match || method !== req.method) continue;
			try {
				const body = method === 'POST' ? parseJson(text) : {};
				const result = await action(this, match.slice(1).map(safeDecode), isPlainObject(body) ? body : {});
				return send(res, 200, result === undefined ? { ok: true } : result);
			} catch (error) {
				if (error instanceof SimulatorError) return send(res, error.status, error.body);
				throw error;
			}
		}
		return send(res, 404, { error: `No control route ${req.method} ${url.pathname}` });
	}
}

function safeDecode(value) {
	if (value === undefined || value === null) return value;
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

function copyWebhook(webhook) {
	return { ...webhook, subscriptions: [...webhook.subscriptions] };
}

function emitSource(body) {
	if (body.payload !== undefined) return body.payload;
	if (body.fixture !== undefined) return body.fixture;
	return body.event;
}

const CONTROL_ROUTES = [
	['GET', /^\/_sim\/state\/?$/, (sim) => sim.state()],
	['POST', /^\/_sim\/reset\/?$/, (sim) => sim.reset()],
	[
		'POST',
		/^\/_sim\/dialect\/?$/,
		(sim, _, body) => {
			sim.setDialect(body.dialect);
			return { dialect: sim.dialect };
		},
	],
	['GET', /^\/_sim\/requests\/?$/, (sim) => sim.requests],
	['DELETE', /^\/_sim\/requests\/?$/, (sim) => sim.clearRequests()],
	['GET', /^\/_sim\/deliveries\/?$/, (sim) => sim.deliveries],
	['DELETE', /^\/_sim\/deliveries\/?$/, (sim) => sim.clearDeliveries()],
	['GET', /^\/_sim\/faults\/?$/, (sim) => sim.faults],
	['POST', /^\/_sim\/faults\/?$/, (sim, _, body) => sim.injectFault(body)],
	['DELETE', /^\/_sim\/faults\/?$/, (sim) => sim.clearFaults()],
	[
		'POST',
		/^\/_sim\/emit\/?$/,
		(sim, _, body) =>
			sim.emit(body.accountId ?? 1, emitSource(body), { webhookId: body.webhookId, overrides: body.overrides }),
	],
	['GET', /^\/_sim\/accounts\/([^/]+)\/webhooks\/?$/, (sim, [account]) => sim.webhooks(account)],
	['POST', /^\/_sim\/accounts\/([^/]+)\/webhooks\/?$/, (sim, [account], body) => sim.addWebhookDirect(account, body)],
	['DELETE', /^\/_sim\/accounts\/([^/]+)\/webhooks\/([^/]+)\/?$/, (sim, [account, id]) => sim.deleteWebhookDirect(account, id)],
	[
		'POST',
		/^\/_sim\/accounts\/([^/]+)\/webhooks\/([^/]+)\/disable\/?$/,
		(sim, [account, id]) => sim.disableWebhookDirect(account, id),
	],
];

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
	ERRORS,
	SUBSCRIBABLE_EVENTS: Object.freeze({ klivo: [...KLIVO_EVENTS], chatwoot: [...CHATWOOT_EVENTS] }),
	EVENT_FIXTURES,
	FIXTURES_DIR: DEFAULT_FIXTURES_DIR,
};
