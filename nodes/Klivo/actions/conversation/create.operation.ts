import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { createConversation, type ConversationStatus, type NewConversation } from '../../api/conversation';
import { listInboxes } from '../../api/directory';
import {
	bodyPlaceholders,
	buttonTypes,
	headerFormat,
	isApproved,
	matchTemplate,
	parseTemplateRef,
	renderBody,
	templateLabel,
	templatesOfInbox,
	type WhatsAppTemplate,
} from '../../api/message';
import { concurrencyOptions } from '../concurrency';
import { contactRLC, inboxRLC } from '../common.descriptions';
import { AGENT_WORDS, CONTACT_WORDS, INBOX_WORDS, readId, readJsonObject, requireId, TEAM_WORDS } from '../helpers';

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
		description:
			'Values for the placeholders of the template\'s body: a JSON array in order (["Maria", "#1287"] fills {{1}} and {{2}}), or an object by name ({"customer_name": "Maria"})',
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
			{
				displayName: 'Button Parameters',
				name: 'buttonParameters',
				type: 'json',
				default: '[]',
				description:
					'Values for the template\'s dynamic buttons in order: the variable end of a URL button, or the code of a copy-code button, as a JSON array (["pedido/1287"])',
			},
			{
				displayName: 'Header Media URL',
				name: 'headerMediaUrl',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://example.com/offer.jpg',
				description: 'A public URL of the image, video or document the template shows in its header',
			},
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

function refusal(this: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, { itemIndex, description });
}

function asText(value: unknown): string {
	if (value === null || value === undefined) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const shown = (keys: string[]) => (keys.length > 0 ? keys.map((k) => `{{${k}}}`).join(', ') : 'none');

/** Like Send WhatsApp Template: a lone value that is not JSON counts as one parameter. */
function readJsonList(this: IExecuteFunctions, itemIndex: number, value: unknown, label: string): unknown {
	if (typeof value !== 'string') return value ?? [];
	const text = value.trim();
	if (text === '') return [];
	try {
		return JSON.parse(text) as unknown;
	} catch {
		if (!/^[[{]/.test(text)) return [text];
		throw refusal.call(this, itemIndex, `${label} is not valid JSON`, 'Write a JSON array such as ["Maria", "#1287"], or an object such as {"customer_name": "Maria"}.');
	}
}

/** `processed_params.body`: `{"1": …}` for positional templates, `{name: …}` for named ones, checked against the body. */
function bodyParams(this: IExecuteFunctions, itemIndex: number, template: WhatsAppTemplate, input: unknown): Record<string, string> {
	const expected = bodyPlaceholders(template);
	const body: Record<string, string> = {};
	if (Array.isArray(input)) {
		if (expected !== undefined && input.length !== expected.length) {
			throw refusal.call(
				this,
				itemIndex,
				`Template '${template.name}' takes ${expected.length} body parameter${expected.length === 1 ? '' : 's'}, not ${input.length}`,
				`Its body has the placeholders ${shown(expected)}. Give one value for each, in that order, in Template Parameters.`,
			);
		}
		const keys = expected ?? input.map((_, index) => String(index + 1));
		input.forEach((value, index) => (body[keys[index]] = asText(value)));
	} else if (typeof input === 'object' && input !== null) {
		for (const [key, value] of Object.entries(input as IDataObject)) body[key.replace(/^\{\{\s*|\s*\}\}$/g, '')] = asText(value);
		const missing = (expected ?? []).filter((key) => !(key in body));
		const unknown = expected === undefined ? [] : Object.keys(body).filter((key) => !expected.includes(key));
		if (missing.length > 0 || unknown.length > 0) {
			throw refusal.call(
				this,
				itemIndex,
				`The template parameters do not match template '${template.name}'${missing.length > 0 ? `: missing ${shown(missing)}` : ''}${unknown.length > 0 ? `${missing.length > 0 ? ',' : ':'} unknown ${shown(unknown)}` : ''}`,
				`Its body has the placeholders ${shown(expected ?? [])}.`,
			);
		}
	} else {
		throw refusal.call(this, itemIndex, 'Template Parameters must be a JSON array or object', 'For example ["Maria", "#1287"] or {"customer_name": "Maria"}.');
	}
	const empty = Object.entries(body).filter(([, value]) => value.trim() === '').map(([key]) => key);
	if (empty.length > 0) {
		throw refusal.call(this, itemIndex, `Body parameter ${shown(empty)} is empty`, 'WhatsApp refuses a template with an empty placeholder. Check the expression that fills it.');
	}
	return body;
}

function headerParams(this: IExecuteFunctions, itemIndex: number, template: WhatsAppTemplate, url: string): IDataObject | undefined {
	const format = headerFormat(template);
	const media = format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT';
	if (url === '') {
		if (!media) return undefined;
		throw refusal.call(this, itemIndex, `Template '${template.name}' shows ${format.toLowerCase()} media in its header: give its URL`, 'Put a public URL of the file in Template Options > Header Media URL.');
	}
	if (!/^https?:\/\/\S+$/i.test(url)) {
		throw refusal.call(this, itemIndex, `'${url}' is not a URL`, 'WhatsApp downloads the header file itself, so it must be a public http(s) address.');
	}
	if (!media) throw refusal.call(this, itemIndex, `Template '${template.name}' has no image, video or document header`, 'Remove Template Options > Header Media URL.');
	return { media_url: url, media_type: format.toLowerCase() };
}

/** Values go to the dynamic buttons (URL, copy code) in order; static ones get the empty entry Chatwoot skips. */
function buttonParams(this: IExecuteFunctions, itemIndex: number, template: WhatsAppTemplate, input: unknown): IDataObject[] | undefined {
	const values = (Array.isArray(input) ? input : [input]).map(asText).filter((value) => value.trim() !== '');
	if (values.length === 0) return undefined;
	const types = buttonTypes(template);
	const dynamic = types.map((type, index) => ({ type, index })).filter(({ type }) => type === 'url' || type === 'copy_code');
	if (values.length > dynamic.length) {
		throw refusal.call(
			this,
			itemIndex,
			`Template '${template.name}' has ${dynamic.length} button${dynamic.length === 1 ? '' : 's'} that take${dynamic.length === 1 ? 's' : ''} a value, not ${values.length}`,
			`Its buttons are: ${types.join(', ') || 'none'}. Only URL and copy-code buttons take a value.`,
		);
	}
	const buttons: IDataObject[] = types.map(() => ({}));
	values.forEach((parameter, index) => (buttons[dynamic[index].index] = { type: dynamic[index].type, parameter }));
	return buttons;
}

/**
 * The first message as a WhatsApp template. Chatwoot accepts any template and fails the message later,
 * silently, so the template is checked against the inbox's own list (one read) before the conversation
 * exists: a refused template creates no conversation.
 */
async function templateMessage(this: IExecuteFunctions, inboxId: number, itemIndex: number): Promise<IDataObject> {
	const given = this.getNodeParameter('template', itemIndex, '') as INodeParameterResourceLocator | string;
	const text = String((typeof given === 'object' && given !== null ? given.value : given) ?? '').trim();
	const ref = parseTemplateRef(text);
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
	const approved = templates.filter(isApproved).map(templateLabel);
	const others = templates.filter((t) => !isApproved(t)).map((t) => `${templateLabel(t)}: ${t.status || 'no status'}`);
	const existing = `Approved templates of inbox '${inboxName}': ${approved.join(', ') || 'none'}.${others.length > 0 ? ` Not approved: ${others.join(', ')}.` : ''}`;
	const asked = ref.language ? `${ref.name} (${ref.language})` : ref.name;
	const match = matchTemplate(templates, ref);
	if ('problem' in match) {
		if (match.problem === 'unknown') throw refusal.call(this, itemIndex, `Inbox '${inboxName}' has no WhatsApp template '${asked}'`, existing);
		if (match.problem === 'notApproved') {
			const statuses = match.candidates.map((t) => `${templateLabel(t)} is ${t.status || 'without status'}`).join(', ');
			throw refusal.call(this, itemIndex, `WhatsApp has not approved template '${asked}': ${statuses}`, `WhatsApp delivers only approved templates. ${existing}`);
		}
		throw refusal.call(
			this,
			itemIndex,
			`Template '${ref.name}' exists in several languages: ${match.candidates.map((t) => t.language).join(', ')}`,
			`Add the language after a '|', e.g. ${ref.name}|${match.candidates[0].language}.`,
		);
	}
	const template = match.template;
	const options = this.getNodeParameter('templateOptions', itemIndex, {}) as IDataObject;
	const body = bodyParams.call(this, itemIndex, template, readJsonList.call(this, itemIndex, this.getNodeParameter('templateParameters', itemIndex, '[]'), 'Template Parameters'));
	const processed: IDataObject = { body };
	const header = headerParams.call(this, itemIndex, template, String(options.headerMediaUrl ?? '').trim());
	if (header) processed.header = header;
	const buttons = buttonParams.call(this, itemIndex, template, readJsonList.call(this, itemIndex, options.buttonParameters ?? '[]', 'Button Parameters'));
	if (buttons) processed.buttons = buttons;
	const templateParams: IDataObject = { name: template.name, language: template.language };
	if (template.category) templateParams.category = template.category;
	templateParams.processed_params = processed;
	// The rendered text is what agents read in Klivo; WhatsApp itself renders from the template.
	return { content: renderBody(template, body) ?? '', template_params: templateParams };
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
