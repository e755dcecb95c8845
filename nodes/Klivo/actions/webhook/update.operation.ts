import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { EVENT_OPTIONS } from '../../shared/events';
import { updateWebhook, type WebhookFields, webhookToJson } from '../../api/webhook';
import { nameOption, readEvents, readUrl, readWebhookId, webhookIdField } from './fields';

export const description: INodeProperties[] = [
	webhookIdField('update', 'The webhook to update'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Only the fields you add here change',
		displayOptions: { show: { resource: ['webhook'], operation: ['update'] } },
		options: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: EVENT_OPTIONS,
				default: [],
				description: 'The new list of events; it replaces the old one',
			},
			nameOption,
			{
				displayName: 'URL',
				name: 'url',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook/klivo',
				description: 'The new address Klivo posts events to',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readWebhookId.call(this, itemIndex);
	const input = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const changes: WebhookFields = {};
	if (input.url !== undefined) changes.url = readUrl.call(this, input.url, itemIndex);
	if (input.events !== undefined) changes.events = readEvents.call(this, input.events, itemIndex);
	if (input.name !== undefined) changes.name = String(input.name).trim();
	if (Object.keys(changes).length === 0) {
		throw new NodeOperationError(this.getNode(), 'Nothing to update', {
			itemIndex,
			description: "Add at least one field under 'Update Fields' (URL, Events or Name).",
		});
	}
	const webhook = await updateWebhook.call(this, id, changes, itemIndex);
	return webhookToJson(webhook);
}
