import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { RESOLVED_EVENT, STATUS_CHANGED_EVENT } from '../shared/events';
import { toWebhook, unwrapList, unwrapOne } from './envelopes';
import { TOKEN_HINT, unexpectedFormat, type Failure, type RequestContext } from './errors';
import { klivoRequest, type KlivoResponse } from './request';
import type { KlivoContext, KlivoWebhook, WebhookList } from './types';

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
