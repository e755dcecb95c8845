import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createConversation, type ConversationStatus, type NewConversation } from '../../api/conversation';
import { listInboxes } from '../../api/directory';
import { parseTemplateRef, templatesOfInbox } from '../../api/message';
import { concurrencyOptions } from '../concurrency';
import { contactRLC, inboxRLC } from '../common.descriptions';
import { AGENT_WORDS, CONTACT_WORDS, INBOX_WORDS, readId, readJsonObject, requireId, TEAM_WORDS } from '../helpers';
import { pickTemplate, readTemplateMessage, readTemplateText, refusal, templateProperties, type TemplateFields } from '../message/template';

const properties: INodeProperties[] = [
	{ ...contactRLC, description: 'The contact to talk to. Klivo links the contact to the inbox when needed (a WhatsApp inbox needs the contact\'s phone number).' },
	{ ...inboxRLC, description: 'The inbox (channel) the conversation happens in' },
	{
		displayName: 'First Message',
		name: 'firstMessage',
		type: 'options',
		default: 'text',
		options: [
			{ name: 'Text', value: 'text', description: 'The text in Message below; none when it is empty' },
			{
				name: 'WhatsApp Template',
				value: 'template',
				description: "An approved template of the WhatsApp inbox: the only message WhatsApp lets a business send first, or after 24 hours of silence",
			},
		],
		description: 'What the conversation starts with',
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: '',
		typeOptions: { rows: 3 },
		description: 'Optional first message, sent to the contact as an outgoing message from the token\'s user. Leave empty to start without a message. WhatsApp allows only a template outside its 24-hour window: choose First Message → WhatsApp Template then.',
		displayOptions: { show: { firstMessage: ['text'] } },
	},
	{
		displayName: 'Template',
		name: 'template',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. order_confirmation|pt_BR',
		description:
			"An approved WhatsApp template of the inbox: its name, then '|' and its language when it exists in several (the value Message → Send WhatsApp Template's list shows). Checked against the inbox's templates before the conversation is created.",
		displayOptions: { show: { firstMessage: ['template'] } },
	},
	{
		displayName: 'Template Parameters',
		name: 'templateParameters',
		type: 'json',
		default: '[]',
		description: templateProperties.parametersDescription,
		displayOptions: { show: { firstMessage: ['template'] } },
	},
	{
		displayName: 'Template Options',
		name: 'templateOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { firstMessage: ['template'] } },
		options: [
			templateProperties.buttonParameters,
			templateProperties.headerMediaUrl,
		],
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
	concurrencyOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['create'] } }, properties);

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || String(value).trim() === '';
}

const templateFields: TemplateFields = {
	parameters: 'templateParameters',
	parametersLabel: 'Template Parameters',
	options: 'templateOptions',
	optionsLabel: 'Template Options',
	orderHint: ', in Template Parameters',
	mediaName: (format) => `${format.toLowerCase()} media`,
	// As this operation always did: a header URL or button values the listed template has no place for
	// are refused, before any conversation exists.
	trustUnlisted: false,
};

/**
 * The first message as a WhatsApp template. Chatwoot accepts any template and fails the message later,
 * silently, so the template is checked against the inbox's own list (one read) before the conversation
 * exists: a refused template creates no conversation.
 */
async function templateMessage(this: IExecuteFunctions, inboxId: number, itemIndex: number): Promise<IDataObject> {
	const ref = parseTemplateRef(readTemplateText.call(this, itemIndex));
	if (!ref) throw refusal.call(this, itemIndex, 'Give the template to start with', "Type its name, and '|language' when it exists in several languages, e.g. order_confirmation|pt_BR.");
	const inbox = (await listInboxes.call(this, itemIndex)).find((candidate) => Number(candidate.id) === inboxId);
	if (!inbox) {
		throw refusal.call(
			this,
			itemIndex,
			`Inbox ${inboxId} is not among the inboxes this token's user can see`,
			"Pick the inbox from the list. An agent sees only the inboxes they are a member of: add the agent to the inbox in Klivo, or use an administrator's access token.",
		);
	}
	const inboxName = typeof inbox.name === 'string' ? inbox.name : `#${inboxId}`;
	const templates = templatesOfInbox(inbox);
	if (templates === undefined) {
		throw refusal.call(
			this,
			itemIndex,
			`Inbox '${inboxName}' is not a WhatsApp inbox, so it has no templates`,
			'WhatsApp templates exist only in WhatsApp inboxes. Choose First Message → Text to start with a plain message.',
		);
	}
	const template = pickTemplate.call(this, itemIndex, inboxName, templates, ref);
	const { content, templateParams } = readTemplateMessage.call(this, itemIndex, templateFields, template);
	return { content, template_params: templateParams };
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const fields: NewConversation = {
		contactId: readId.call(this, 'contactId', CONTACT_WORDS, itemIndex),
		inboxId: readId.call(this, 'inboxId', INBOX_WORDS, itemIndex),
	};
	if (this.getNodeParameter('firstMessage', itemIndex, 'text') === 'template') {
		fields.message = await templateMessage.call(this, fields.inboxId, itemIndex);
	} else {
		const content = String(this.getNodeParameter('message', itemIndex, '') ?? '');
		if (content.trim() !== '') fields.message = { content };
	}
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
