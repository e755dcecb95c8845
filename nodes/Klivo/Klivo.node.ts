import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import * as contact from './actions/contact';
import * as conversation from './actions/conversation';
import * as label from './actions/label';
import * as message from './actions/message';
import * as webhook from './actions/webhook';
import { klivoApiCredentialTest } from './methods/credentialTest';
import { searchContacts } from './methods/listSearch/contact';
import { searchConversations } from './methods/listSearch/conversation';
import { getAgents, getInboxes, getTeams, searchAgents, searchInboxes, searchTeams } from './methods/listSearch/directory';
import { getLabels, searchLabels } from './methods/listSearch/label';
import { searchTemplates } from './methods/listSearch/template';
import { searchWebhooks } from './methods/listSearch/webhook';

export class Klivo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Klivo',
		name: 'klivo',
		icon: { light: 'file:klivo.svg', dark: 'file:klivo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Answer, hand off and organise Klivo Chat conversations, messages, contacts, labels and webhooks',
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
				options: [{ name: 'Contact', value: 'contact' }, { name: 'Conversation', value: 'conversation' }, { name: 'Label', value: 'label' }, { name: 'Message', value: 'message' }, { name: 'Webhook', value: 'webhook' }],
				default: 'webhook',
			},
			...contact.description,
			...conversation.description,
			...label.description,
			...message.description,
			...webhook.description,
		],
	};

	methods = {
		listSearch: {
			searchAgents,
			searchContacts,
			searchConversations,
			searchInboxes,
			searchLabels,
			searchTeams,
			searchTemplates,
			searchWebhooks,
		},
		loadOptions: { getAgents, getInboxes, getLabels, getTeams },
		credentialTest: { klivoApiCredentialTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
