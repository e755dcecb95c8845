'use strict';

/** Webhook deliveries: payloads from fixtures or built, signed POSTs, failure counting. */

const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { SimulatorError, badRequest, isPlainObject, toRailsJson, pushBounded } = require('./http');
const { DIALECTS, KLIVO_EVENTS } = require('../resources/webhooks');

const USER_AGENT = 'Klivo-Webhook/1.0';
const DEFAULT_FIXTURES_DIR = path.join(__dirname, '..', 'payloads');

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

/** Chatwoot 4.12+ `X-Chatwoot-Signature` value for one delivery. */
function sign(secret, timestamp, rawBody) {
	const hmac = crypto.createHmac('sha256', secret);
	hmac.update(`${timestamp}.`);
	hmac.update(rawBody);
	return `sha256=${hmac.digest('hex')}`;
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

/** Sends payloads to the subscribed webhooks of an account, as Chatwoot's WebhookJob does. */
class Deliveries {
	constructor(core) {
		this.core = core;
		this.log = [];
		this.inflight = new Set();
		// Deliveries fired by API actions run after the answer; settle() waits for them.
		this.background = new Set();
	}

	async emit(accountId, eventOrPayload, opts = {}) {
		const store = this.core.webhooks.store(accountId);
		const overrides = isPlainObject(opts.overrides) ? opts.overrides : {};
		const payload = { ...resolvePayload(eventOrPayload, this.core.sim.fixturesDir), ...overrides };
		if (typeof payload.event !== 'string' || payload.event === '') {
			throw badRequest('The payload needs an "event" field');
		}
		const dialect = DIALECTS[this.core.dialect];
		const events = [payload.event, ...dialect.derivedEvents(payload)];
		const onlyId = opts.webhookId === undefined || opts.webhookId === null ? null : String(opts.webhookId);
		const jobs = [];
		for (const event of events) {
			for (const webhook of store) {
				if (!webhook.active || !webhook.subscriptions.includes(event)) continue;
				if (onlyId !== null && String(webhook.id) !== onlyId) continue;
				jobs.push(this.deliver(webhook, event, { ...payload, event }, dialect, opts.action));
			}
		}
		return Promise.all(jobs);
	}

	/** Fire and remember: the API answers first, as Chatwoot's background jobs deliver later. */
	fire(accountId, payload, action) {
		if (this.core.closed) return Promise.resolve([]);
		const job = this.emit(accountId, payload, { action }).catch(() => []);
		this.background.add(job);
		job.finally(() => this.background.delete(job));
		return job;
	}

	async settle() {
		while (this.background.size > 0) await Promise.all([...this.background]);
	}

	async deliver(webhook, event, payload, dialect, action) {
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
		const timeoutMs = this.core.sim.deliveryTimeoutMs ?? dialect.timeoutMs;
		const outcome = await this.post(webhook.url, headers, body, timeoutMs);
		const result = { webhookId: webhook.id, url: webhook.url, event, ...outcome };

		if (result.ok) webhook.consecutiveFailures = 0;
		else webhook.consecutiveFailures += 1;
		const disables =
			dialect.disablesFailingWebhooks &&
			webhook.active &&
			webhook.consecutiveFailures >= this.core.sim.failuresToDisable;
		if (disables) this.core.webhooks.disable(webhook);

		pushBounded(this.log, {
			...result,
			accountId: webhook.accountId,
			at: new Date().toISOString(),
			...(disables ? { disabledWebhook: true } : {}),
			...(action ? { action } : {}),
		});
		return result;
	}

	/** One POST; never rejects, so a bad receiver cannot break emit(). */
	post(url, headers, body, timeoutMs) {
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
				if (!this.inflight.delete(delivery)) return;
				clearTimeout(timer);
				const ok = error === null && status >= 200 && status < 300;
				resolve({ status, ok, error, durationMs: Math.round(performance.now() - started) });
			};
			this.inflight.add(delivery);
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

	abortAll(reason) {
		for (const delivery of this.inflight) delivery.abort(reason);
	}
}

module.exports = { Deliveries, sign, EVENT_FIXTURES, DEFAULT_FIXTURES_DIR, USER_AGENT };
