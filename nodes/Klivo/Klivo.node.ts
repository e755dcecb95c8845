import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import * as contact from './actions/contact';
import * as label from './actions/label';
import * as message from './actions/message';
import * as webhook from './actions/webhook';
import { searchContacts } from './methods/listSearch/contact';
import { getLabels, searchLabels } from './methods/listSearch/label';
import { searchTemplates } from './methods/listSearch/template';
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
				options: [{ name: 'Contact', value: 'contact' }, { name: 'Label', value: 'label' }, { name: 'Message', value: 'message' }, { name: 'Webhook', value: 'webhook' }],
				default: 'webhook',
			},
			...contact.description,
			...label.description,
			...message.description,
			...webhook.description,
		],
	};

	methods = {
		listSearch: { searchContacts, searchLabels, searchTemplates, searchWebhooks },
		loadOptions: { getLabels },
		credentialTest: { klivoApiCredentialTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
