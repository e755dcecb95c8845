import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { toWebhook, unwrapList, unwrapOne } from './envelopes';
import { toNodeApiError } from './errors';
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
	return toNodeApiError(
		context.getNode(),
		{
			reason: 'format',
			message: `Klivo answered the ${what} request in an unknown format`,
			description: `Check that the Base URL (${response.subject.baseUrl}) points at a Klivo or Chatwoot server, not at a web page.`,
		},
		itemIndex,
	);
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
	const response = await klivoRequest.call(this, { method: 'GET', path: '/webhooks', itemIndex });
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
		events: fields.events,
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
		webhookId: id,
		events: fields.events,
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
		webhookId: id,
		itemIndex: options.itemIndex,
		accept: options.missingIsDone ? [404] : undefined,
	});
	return response.status !== 404;
}
