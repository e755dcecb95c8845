import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { EVENT_OPTIONS } from './shared/events';
import { handleDelivery } from './trigger/delivery';
import { checkExists, create, remove } from './trigger/lifecycle';
import { triggerOptions } from './trigger/options';
import { ALL_EVENTS } from './trigger/state';

export class KlivoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Klivo Trigger',
		name: 'klivoTrigger',
		icon: { light: 'file:klivo.svg', dark: 'file:klivo.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when something happens in Klivo Chat',
		defaults: { name: 'Klivo Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'klivoApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: 'noData',
				path: 'klivo',
			},
		],
		properties: [
			{
				displayName:
					'Activating this workflow registers a webhook in Klivo, and deactivating removes it. Klivo disables a webhook after 3 failed deliveries: see "Events stopped?" in the package README.',
				name: 'lifecycleNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [{ name: 'All Events', value: ALL_EVENTS, description: 'Every event Klivo can send' }, ...EVENT_OPTIONS],
				default: ['message_created'],
				required: true,
				description: 'The Klivo events that start this workflow',
			},
			triggerOptions,
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await checkExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await create.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await remove.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleDelivery.call(this);
	}
}
