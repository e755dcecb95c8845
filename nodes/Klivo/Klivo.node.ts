import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import * as webhook from './actions/webhook';
import { klivoApiCredentialTest } from './methods/credentialTest';
import { searchWebhooks } from './methods/listSearch/webhook';

export class Klivo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Klivo',
		name: 'klivo',
		icon: { light: 'file:klivo.svg', dark: 'file:klivo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Manage the webhooks of a Klivo Chat account',
		defaults: { name: 'Klivo' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'klivoApi', required: true, testedBy: 'klivoApiCredentialTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Webhook', value: 'webhook' }],
				default: 'webhook',
			},
			...webhook.description,
		],
	};

	methods = {
		listSearch: { searchWebhooks },
		credentialTest: { klivoApiCredentialTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
