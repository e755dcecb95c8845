import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createConversation, type ConversationStatus, type NewConversation } from '../../api/conversation';
import { contactRLC, inboxRLC } from '../common.descriptions';
import { AGENT_WORDS, CONTACT_WORDS, INBOX_WORDS, readId, readJsonObject, requireId, TEAM_WORDS } from '../helpers';

const properties: INodeProperties[] = [
	{ ...contactRLC, description: 'The contact to talk to. Klivo links the contact to the inbox when needed (a WhatsApp inbox needs the contact\'s phone number).' },
	{ ...inboxRLC, description: 'The inbox (channel) the conversation happens in' },
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: '',
		typeOptions: { rows: 3 },
		description: 'Optional first message, sent to the contact as an outgoing message from the token\'s user. Leave empty to start without a message. WhatsApp allows only a template outside its 24-hour window: use Message → Send WhatsApp Template then.',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Assignee Name or ID',
				name: 'assigneeId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getAgents' },
				default: '',
				description:
					'The agent the conversation is assigned to. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Custom Attributes',
				name: 'customAttributes',
				type: 'json',
				default: '{}',
				description: 'The conversation\'s custom attributes as a JSON object, e.g. {"order_id": "A-1029"}',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'open',
				options: [
					{ name: 'Open', value: 'open' },
					{ name: 'Pending', value: 'pending' },
					{ name: 'Resolved', value: 'resolved' },
					{ name: 'Snoozed', value: 'snoozed' },
				],
				description: 'Klivo sets Pending itself when the inbox has an active bot, and Resolved for a blocked contact',
			},
			{
				displayName: 'Team Name or ID',
				name: 'teamId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTeams' },
				default: '',
				description:
					'The team the conversation belongs to. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['create'] } }, properties);

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || String(value).trim() === '';
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const fields: NewConversation = {
		contactId: readId.call(this, 'contactId', CONTACT_WORDS, itemIndex),
		inboxId: readId.call(this, 'inboxId', INBOX_WORDS, itemIndex),
	};
	const content = String(this.getNodeParameter('message', itemIndex, '') ?? '');
	if (content.trim() !== '') fields.message = { content };
	const extra = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	if (!isBlank(extra.status)) fields.status = String(extra.status) as ConversationStatus;
	if (!isBlank(extra.assigneeId)) fields.assigneeId = requireId.call(this, extra.assigneeId, AGENT_WORDS, itemIndex);
	if (!isBlank(extra.teamId)) fields.teamId = requireId.call(this, extra.teamId, TEAM_WORDS, itemIndex);
	if (extra.customAttributes !== undefined) {
		const attributes = readJsonObject.call(this, extra.customAttributes, 'Custom Attributes', itemIndex);
		if (Object.keys(attributes).length > 0) fields.customAttributes = attributes;
	}
	return await createConversation.call(this, fields, itemIndex);
}
