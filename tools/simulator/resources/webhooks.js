'use strict';

/**
 * Webhooks: the one resource whose shape depends on the dialect.
 *
 * Klivo's documentation and Chatwoot's actual server code disagree on envelopes, events,
 * timeouts, failure handling and signing, and a real Klivo server may behave like either.
 * The simulator therefore speaks two "dialects" (see DIALECTS) so the nodes can be tested
 * against both. Everything else (errors, auth order, validation) is shared.
 */

const { ERRORS, fail, invalid, isPlainObject, accountKey, publicId, newSecret } = require('../lib/http');

// Rails joins every failed validation into one 422 body, so these are parts, not whole bodies.
const VALIDATION = Object.freeze({
	urlTaken: { attribute: 'url', message: 'Url has already been taken' },
	urlInvalid: { attribute: 'url', message: 'Url is invalid' },
	subscriptionsInvalid: { attribute: 'subscriptions', message: 'Subscriptions Invalid events' },
});

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

const WEBHOOK_PATH = /^\/api\/v1\/accounts\/([^/]+)\/webhooks(?:\/([^/]+))?\/?$/;

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

function isHttpUrl(value) {
	// The regex rejects scheme-relative tricks like "http:foo" that WHATWG URL would accept.
	if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/i.test(value)) return false;
	try {
		return new URL(value).hostname !== '';
	} catch {
		return false;
	}
}

function copyWebhook(webhook) {
	return { ...webhook, subscriptions: [...webhook.subscriptions] };
}

/** Webhook state and rules over the simulator's shared core. */
class Webhooks {
	constructor(core) {
		this.core = core;
		this.byAccount = new Map();
		this.nextId = 1;
	}

	reset(accountKeys) {
		this.byAccount.clear();
		for (const key of accountKeys) this.byAccount.set(key, []);
	}

	store(accountId) {
		const store = this.byAccount.get(accountKey(accountId));
		if (!store) fail(ERRORS.notFound);
		return store;
	}

	list(accountId) {
		return this.byAccount.get(accountKey(accountId)) || [];
	}

	find(accountId, id) {
		const wanted = String(id);
		const webhook = this.store(accountId).find((w) => String(w.id) === wanted);
		if (!webhook) fail(ERRORS.notFound);
		return webhook;
	}

	// Only the fields present are checked, so PATCH validates just what it changes.
	validate(store, fields, self) {
		const problems = [];
		if ('url' in fields) {
			if (!isHttpUrl(fields.url)) problems.push(VALIDATION.urlInvalid);
			else if (store.some((w) => w !== self && w.url === fields.url)) problems.push(VALIDATION.urlTaken);
		}
		if ('subscriptions' in fields) {
			const { events } = DIALECTS[this.core.dialect];
			const valid =
				Array.isArray(fields.subscriptions) &&
				fields.subscriptions.length > 0 &&
				fields.subscriptions.every((event) => events.includes(event));
			if (!valid) problems.push(VALIDATION.subscriptionsInvalid);
		}
		if (problems.length > 0) invalid(problems);
	}

	create(accountId, params) {
		const store = this.store(accountId);
		this.validate(store, { url: params.url, subscriptions: params.subscriptions });
		const now = new Date().toISOString();
		const webhook = {
			id: this.nextId++,
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

	update(webhook, params) {
		const store = this.store(webhook.accountId);
		const fields = {};
		if ('url' in params) fields.url = params.url;
		if ('subscriptions' in params) fields.subscriptions = params.subscriptions;
		this.validate(store, fields, webhook);
		if ('url' in fields) webhook.url = fields.url;
		if ('subscriptions' in fields) webhook.subscriptions = [...fields.subscriptions];
		if ('name' in params && normalizeName(params.name) !== undefined) webhook.name = normalizeName(params.name);
		if (DIALECTS[this.core.dialect].acceptsActive && typeof params.active === 'boolean') {
			if (params.active) this.enable(webhook);
			else this.disable(webhook);
		}
		webhook.updatedAt = new Date().toISOString();
		return webhook;
	}

	remove(accountId, id) {
		const store = this.store(accountId);
		const webhook = this.find(accountId, id);
		store.splice(store.indexOf(webhook), 1);
		return webhook;
	}

	enable(webhook) {
		webhook.active = true;
		webhook.consecutiveFailures = 0;
		webhook.disabledAt = null;
	}

	disable(webhook) {
		if (!webhook.active) return;
		webhook.active = false;
		webhook.disabledAt = new Date().toISOString();
	}

	/** The HTTP API; `route` comes from routeOf and the caller has authorized an administrator. */
	answer(route, account, id, body) {
		const dialect = DIALECTS[this.core.dialect];
		switch (route) {
			case 'list':
				return { body: dialect.list(this.store(account).map(dialect.present)) };
			case 'create':
				return { body: dialect.single(dialect.present(this.create(account, webhookParams(body())))) };
			case 'update': {
				const webhook = this.find(account, id);
				return { body: dialect.single(dialect.present(this.update(webhook, webhookParams(body())))) };
			}
			case 'delete':
				this.remove(account, id);
				return { body: dialect.deleted() };
		}
		return fail(ERRORS.notFound);
	}
}

module.exports = { Webhooks, DIALECTS, KLIVO_EVENTS, CHATWOOT_EVENTS, WEBHOOK_PATH, routeOf, copyWebhook };
