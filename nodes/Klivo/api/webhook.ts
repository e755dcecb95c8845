/**
 * The webhook resource: its calls, and its envelopes in both dialects (Klivo's documentation and
 * Chatwoot's server), detected from the list's shape. Other resources have one envelope each and read
 * it in their own api/<resource>.ts; nothing here applies to them.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { RESOLVED_EVENT, STATUS_CHANGED_EVENT } from '../shared/events';
import { redactToken } from '../shared/webhookUrl';
import { TOKEN_HINT, unexpectedFormat, type Failure, type RequestContext } from '../transport/errors';
import { SECRET_LIKE } from '../transport/output';
import { klivoRequest, type KlivoResponse } from '../transport/request';
import type { KlivoContext, KlivoWebhook, WebhookDialect, WebhookList } from '../transport/types';

export type { KlivoWebhook, WebhookDialect, WebhookList } from '../transport/types';

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

export interface WebhookFields {
	url?: string;
	events?: string[];
	name?: string;
	/** Re-enables a webhook that Klivo disabled after failed deliveries. */
	active?: boolean;
}

function unexpectedShape(context: KlivoContext, response: KlivoResponse, what: string, itemIndex?: number): NodeApiError {
	return unexpectedFormat(context.getNode(), response.subject.baseUrl, what, itemIndex);
}

/**
 * The webhook's own words for a failure: administrators only, one webhook per URL, and Chatwoot's
 * refusal of `conversation_resolved`. Anything else gets the generic words.
 */
function explainWebhookFailure(events: string[] | undefined) {
	return ({ status, text, subject }: Failure) => {
		const lower = text.toLowerCase();
		if (status === 401 || status === 403) {
			return {
				reason: 'agent' as const,
				message: 'This access token belongs to an agent: only administrators may manage webhooks',
				description: `Use an administrator's access token in the Klivo API credential. ${TOKEN_HINT} while logged in as an administrator of account ${subject.accountId}.`,
			};
		}
		if (status === 404 && subject.context?.id !== undefined) {
			return {
				reason: 'notFound' as const,
				message: `Webhook ${subject.context.id} does not exist in account ${subject.accountId}`,
				description:
					'It may have been deleted in Klivo, or the Account ID in the credential points at another account. Use Get Many to see the webhooks that exist, or Ensure to create it again.',
			};
		}
		if (status !== 422) return undefined;
		if (lower.includes('already been taken')) {
			return {
				reason: 'urlTaken' as const,
				message: 'A webhook with this URL already exists in this Klivo account',
				description: 'Klivo allows one webhook per URL. Use the Ensure operation, or Update the existing webhook.',
			};
		}
		if (lower.includes('url')) {
			return {
				reason: 'urlInvalid' as const,
				message: 'Klivo rejected the webhook URL',
				description: 'Use a full address such as https://n8n.example.com/webhook/klivo that Klivo can reach.',
			};
		}
		if (lower.includes('subscriptions') || lower.includes('event')) {
			if (events?.includes(RESOLVED_EVENT)) {
				return {
					reason: 'events' as const,
					message: `This Klivo server does not accept the event 'Conversation Resolved': subscribe to 'Conversation Status Changed' (${STATUS_CHANGED_EVENT}) instead`,
					description: `Replace 'Conversation Resolved' with 'Conversation Status Changed' (${STATUS_CHANGED_EVENT}) and check that the delivery's status is 'resolved'. The Klivo Trigger node does this for you.`,
				};
			}
			return {
				reason: 'events' as const,
				message: 'Klivo rejected the list of events',
				description: 'Pick at least one event from the list; this server may not support every event.',
			};
		}
		return undefined;
	};
}

function webhookContext(id?: number, events?: string[]): RequestContext {
	return { resource: 'webhook', id, explain: explainWebhookFailure(events) };
}

/** Request bodies use the flat form Klivo documents; Chatwoot accepts it too. */
function toBody(fields: WebhookFields): IDataObject {
	const body: IDataObject = {};
	if (fields.url !== undefined) body.url = fields.url;
	if (fields.events !== undefined) body.subscriptions = fields.events;
	if (fields.name !== undefined) body.name = fields.name;
	if (fields.active !== undefined) body.active = fields.active;
	return body;
}

export async function listWebhooks(this: KlivoContext, itemIndex?: number): Promise<WebhookList> {
	const response = await klivoRequest.call(this, { method: 'GET', path: '/webhooks', context: webhookContext(), itemIndex });
	const list = unwrapList(response.body);
	if (!list) throw unexpectedShape(this, response, 'list', itemIndex);
	const webhooks = list.items.map(toWebhook).filter((w): w is KlivoWebhook => w !== undefined);
	return { webhooks, dialect: list.dialect, accountId: response.subject.accountId };
}

function oneWebhook(context: KlivoContext, response: KlivoResponse, what: string, itemIndex?: number): KlivoWebhook {
	const webhook = toWebhook(unwrapOne(response.body));
	if (!webhook) throw unexpectedShape(context, response, what, itemIndex);
	return webhook;
}

export async function createWebhook(this: KlivoContext, fields: WebhookFields, itemIndex?: number): Promise<KlivoWebhook> {
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: '/webhooks',
		body: toBody(fields),
		context: webhookContext(undefined, fields.events),
		itemIndex,
	});
	return oneWebhook(this, response, 'create', itemIndex);
}

export async function updateWebhook(
	this: KlivoContext,
	id: number,
	fields: WebhookFields,
	itemIndex?: number,
): Promise<KlivoWebhook> {
	const response = await klivoRequest.call(this, {
		method: 'PATCH',
		path: `/webhooks/${id}`,
		body: toBody(fields),
		context: webhookContext(id, fields.events),
		itemIndex,
	});
	return oneWebhook(this, response, 'update', itemIndex);
}

/**
 * Resolves false when the webhook was already gone and `missingIsDone` is set: for a trigger that
 * cleans up, "already gone" is success; for an operator who asked to delete it, it is an error.
 */
export async function deleteWebhook(
	this: KlivoContext,
	id: number,
	options: { itemIndex?: number; missingIsDone?: boolean } = {},
): Promise<boolean> {
	const response = await klivoRequest.call(this, {
		method: 'DELETE',
		path: `/webhooks/${id}`,
		context: webhookContext(id),
		itemIndex: options.itemIndex,
		accept: options.missingIsDone ? [404] : undefined,
	});
	return response.status !== 404;
}
