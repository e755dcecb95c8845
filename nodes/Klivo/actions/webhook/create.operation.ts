import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { webhookToJson } from '../../transport/envelopes';
import { createWebhook } from '../../transport/webhooks';
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
	const webhook = await createWebhook.call(this, { url, events, name: optionalName(fields) }, itemIndex);
	return webhookToJson(webhook);
}
