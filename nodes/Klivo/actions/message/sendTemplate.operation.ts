import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createMessage, parseTemplateRef, templatesOfConversation } from '../../api/message';
import { concurrencyOption } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { readConversationId } from '../helpers';
import { pickTemplate, readTemplateMessage, readTemplateText, refusal, templateProperties, type TemplateFields } from './template';

const properties: INodeProperties[] = [
	{ ...conversationRLC, description: 'The conversation to send the template in: the number shown in Klivo (#1287). It must be in a WhatsApp inbox.' },
	{
		displayName: 'Template',
		name: 'template',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: "One of the approved WhatsApp templates of the conversation's inbox",
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a template...',
				typeOptions: { searchListMethod: 'searchTemplates', searchable: true },
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: 'e.g. order_confirmation|pt_BR',
				hint: "The template's name, then '|' and its language when it exists in several",
			},
		],
	},
	{
		displayName: 'Parameters',
		name: 'parameters',
		type: 'json',
		default: '[]',
		description: templateProperties.parametersDescription,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			templateProperties.buttonParameters,
			concurrencyOption,
			templateProperties.headerMediaUrl,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['sendTemplate'] } }, properties);

const fields: TemplateFields = {
	parameters: 'parameters',
	parametersLabel: 'Parameters',
	options: 'options',
	optionsLabel: 'Options',
	orderHint: '',
	mediaName: (format) => (format === 'IMAGE' ? 'an image' : format === 'VIDEO' ? 'a video' : 'a document'),
	// As this operation always did: a header URL or button values for a template listed without that
	// component are sent as given, and WhatsApp has the last word.
	trustUnlisted: true,
};

/**
 * Chatwoot accepts any template name and fails the message later, silently (status `failed`), so the
 * template is checked against the inbox's own list first: two reads, then the send.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = readConversationId.call(this, itemIndex);
	const ref = parseTemplateRef(readTemplateText.call(this, itemIndex));
	if (!ref) throw refusal.call(this, itemIndex, 'Choose a template', "Pick one from the list, or type its name (and '|language' when it exists in several languages).");

	const inbox = await templatesOfConversation.call(this, conversationId, itemIndex);
	if (inbox.templates === undefined) {
		throw refusal.call(
			this,
			itemIndex,
			`Conversation #${conversationId} is in inbox '${inbox.inboxName}', which is not a WhatsApp inbox`,
			'WhatsApp templates exist only in WhatsApp inboxes. Use the Send operation to reply in this conversation.',
		);
	}
	const template = pickTemplate.call(this, itemIndex, inbox.inboxName, inbox.templates, ref);
	const { content, templateParams } = readTemplateMessage.call(this, itemIndex, fields, template);
	return await createMessage.call(this, conversationId, { content, templateParams }, [], itemIndex);
}
