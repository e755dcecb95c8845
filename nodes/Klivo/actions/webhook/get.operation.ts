import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { listWebhooks, webhookToJson } from '../../api/webhook';
import { webhookNotFound } from '../../transport/errors';
import { readWebhookId, webhookIdField } from './fields';

export const description: INodeProperties[] = [webhookIdField('get', 'The webhook to get')];

/** Klivo has no GET by ID: the list is the only source, so pick from it. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readWebhookId.call(this, itemIndex);
	const { webhooks, accountId } = await listWebhooks.call(this, itemIndex);
	const webhook = webhooks.find((w) => w.id === id);
	if (!webhook) throw webhookNotFound(this.getNode(), accountId, id, itemIndex);
	return webhookToJson(webhook);
}
