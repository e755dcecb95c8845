import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { klivoApiCredentialTest } from './methods/credentialTest';
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
		// 1.1 behaves exactly like 1. It exists for n8n's sake: for a typeVersion 1 start node n8n
		// evaluates an expression on every delivery, and on n8n 2.x's isolated expression engine that
		// costs an isolate per delivery (BENCHMARKS.md). New nodes get 1.1; saved ones keep working.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when something happens in Klivo Chat',
		defaults: { name: 'Klivo Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'klivoApi', required: true, testedBy: 'klivoApiCredentialTest' }],
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

	methods = {
		credentialTest: { klivoApiCredentialTest },
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
