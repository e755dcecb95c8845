/**
 * The webhook endpoints' envelopes, in both dialects. Other resources have one envelope each and
 * read it in their own api/<resource>.ts; nothing here applies to them.
 */
import type { IDataObject } from 'n8n-workflow';

import { redactToken } from '../shared/webhookUrl';
import { SECRET_LIKE } from './output';
import type { KlivoWebhook, WebhookDialect } from './types';

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{data:[...]}` (Klivo's page), `{payload:{webhooks:[...]}}` (Chatwoot), or a bare array. */
export function unwrapList(body: unknown): { items: unknown[]; dialect: WebhookDialect } | undefined {
	if (Array.isArray(body)) return { items: body, dialect: 'unknown' };
	if (!isObject(body)) return undefined;
	if (Array.isArray(body.data)) return { items: body.data, dialect: 'klivo' };
	const payload = body.payload;
	if (isObject(payload) && Array.isArray(payload.webhooks)) return { items: payload.webhooks, dialect: 'chatwoot' };
	if (Array.isArray(payload)) return { items: payload, dialect: 'chatwoot' };
	if (Array.isArray(body.webhooks)) return { items: body.webhooks, dialect: 'unknown' };
	return undefined;
}

/** A bare webhook (Klivo's page) or `{payload:{webhook:{...}}}` (Chatwoot), and close variants. */
export function unwrapOne(body: unknown): unknown {
	if (!isObject(body)) return undefined;
	if (body.id !== undefined && body.url !== undefined) return body;
	for (const key of ['payload', 'data', 'webhook']) {
		const inner = body[key];
		if (isObject(inner)) {
			if (isObject(inner.webhook)) return inner.webhook;
			if (inner.id !== undefined) return inner;
		}
	}
	return undefined;
}

function isDisabled(raw: IDataObject): boolean {
	if (raw.active === false || raw.enabled === false || raw.disabled === true) return true;
	const status = typeof raw.status === 'string' ? raw.status.toLowerCase() : '';
	return status === 'disabled' || status === 'inactive';
}

export function toWebhook(value: unknown): KlivoWebhook | undefined {
	if (!isObject(value)) return undefined;
	const id = Number(value.id);
	if (!Number.isFinite(id) || typeof value.url !== 'string') return undefined;
	const { url, subscriptions, secret, name, id: _id, ...extra } = value;
	const events = Array.isArray(subscriptions) ? subscriptions.filter((e): e is string => typeof e === 'string') : [];
	return {
		id,
		url,
		name: typeof name === 'string' && name !== '' ? name : undefined,
		events,
		secret: typeof secret === 'string' && secret !== '' ? secret : undefined,
		disabled: isDisabled(value),
		extra,
	};
}

/** Fields the normalised shape already expresses (`active`), or that describe the same thing. */
const EXPRESSED = new Set(['active', 'enabled', 'disabled', 'status']);

/**
 * What a workflow sees: the same core keys in both dialects (id, url, events, name, active, hasSecret),
 * then whatever else the server sent (e.g. Chatwoot's `account_id`), but never the signing secret,
 * anything that looks like one, or a URL token.
 */
export function webhookToJson(webhook: KlivoWebhook): IDataObject {
	const json: IDataObject = { id: webhook.id, url: redactToken(webhook.url), events: [...webhook.events] };
	if (webhook.name !== undefined) json.name = webhook.name;
	json.active = !webhook.disabled;
	json.hasSecret = webhook.secret !== undefined;
	for (const [key, value] of Object.entries(webhook.extra)) {
		if (key in json || EXPRESSED.has(key) || SECRET_LIKE.test(key)) continue;
		json[key] = value;
	}
	return json;
}
