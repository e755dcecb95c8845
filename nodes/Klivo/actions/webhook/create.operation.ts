import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { createOrAdopt, planWebhook } from '../../shared/reconcile';
import { createWebhook, listWebhooks, updateWebhook, type WebhookFields, webhookToJson } from '../../api/webhook';
import type { KlivoWebhook } from '../../transport/types';
import { eventsField, nameOption, optionalName, readEvents, readUrl, urlField } from './fields';

export const description: INodeProperties[] = [
	urlField('create'),
	eventsField('create'),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: { resource: ['webhook'], operation: ['create'] } },
		options: [nameOption],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const url = readUrl.call(this, this.getNodeParameter('url', itemIndex), itemIndex);
	const events = readEvents.call(this, this.getNodeParameter('events', itemIndex), itemIndex);
	const fields = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const name = optionalName(fields);
	const steps = {
		create: async () => await createWebhook.call(this, { url, events, name }, itemIndex),
		list: async () => (await listWebhooks.call(this, itemIndex)).webhooks,
		// The same URL was registered meanwhile (a parallel run): it becomes what this Create asked for.
		adopt: async (existing: KlivoWebhook) => {
			const plan = planWebhook([existing], { url, events });
			const changes: WebhookFields = plan.action === 'update' ? { ...plan.changes } : {};
			if (name !== undefined && name !== existing.name) changes.name = name;
			if (Object.keys(changes).length === 0) return existing;
			return await updateWebhook.call(this, existing.id, changes, itemIndex);
		},
	};
	return webhookToJson(await createOrAdopt(this.getNode(), url, steps, itemIndex));
}
