import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	bodyPlaceholders,
	buttonTypes,
	createMessage,
	headerFormat,
	isApproved,
	matchTemplate,
	parseTemplateRef,
	renderBody,
	templateLabel,
	templatesOfConversation,
	type ConversationTemplates,
	type WhatsAppTemplate,
} from '../../api/message';
import { concurrencyOption } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { readConversationId } from '../helpers';

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
		description:
			'Values for the placeholders of the template\'s body: a JSON array in order (["Maria", "#1287"] fills {{1}} and {{2}}), or an object by name ({"customer_name": "Maria"})',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Button Parameters',
				name: 'buttonParameters',
				type: 'json',
				default: '[]',
				description:
					'Values for the template\'s dynamic buttons in order: the variable end of a URL button, or the code of a copy-code button, as a JSON array (["pedido/1287"])',
			},
			concurrencyOption,
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
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['sendTemplate'] } }, properties);

function refusal(this: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, { itemIndex, description });
}

function listed(templates: WhatsAppTemplate[]): string {
	return templates.length > 0 ? templates.map(templateLabel).join(', ') : 'none';
}

/** The words for a template that cannot be sent, naming the ones that can. */
function existing(inbox: ConversationTemplates): string {
	const templates = inbox.templates ?? [];
	const approved = templates.filter(isApproved);
	const others = templates.filter((t) => !isApproved(t)).map((t) => `${templateLabel(t)}: ${t.status || 'no status'}`);
	return `Approved templates of inbox '${inbox.inboxName}': ${listed(approved)}.${others.length > 0 ? ` Not approved: ${others.join(', ')}.` : ''}`;
}

function readTemplateRef(this: IExecuteFunctions, itemIndex: number): string {
	const locator = this.getNodeParameter('template', itemIndex) as INodeParameterResourceLocator | string;
	const raw = typeof locator === 'object' && locator !== null ? locator.value : locator;
	return String(raw ?? '').trim();
}

function parseJsonParameter(this: IExecuteFunctions, itemIndex: number, value: unknown, label: string): unknown {
	if (typeof value !== 'string') return value ?? [];
	const text = value.trim();
	if (text === '') return [];
	try {
		return JSON.parse(text) as unknown;
	} catch {
		// A lone value (one placeholder, one button) is common enough to take as it is.
		if (!/^[[{]/.test(text)) return [text];
		throw refusal.call(this, itemIndex, `${label} is not valid JSON`, `Write a JSON array such as ["Maria", "#1287"], or an object such as {"customer_name": "Maria"}.`);
	}
}

function asText(value: unknown): string {
	if (value === null || value === undefined) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `processed_params.body`: `{"1": …, "2": …}` for positional templates, `{name: …}` for named ones. */
function bodyParams(this: IExecuteFunctions, itemIndex: number, template: WhatsAppTemplate, input: unknown): Record<string, string> {
	const expected = bodyPlaceholders(template);
	const shown = (keys: string[]) => (keys.length > 0 ? keys.map((k) => `{{${k}}}`).join(', ') : 'none');
	const body: Record<string, string> = {};
	if (Array.isArray(input)) {
		if (expected !== undefined && input.length !== expected.length) {
			throw refusal.call(
				this,
				itemIndex,
				`Template '${template.name}' takes ${expected.length} body parameter${expected.length === 1 ? '' : 's'}, not ${input.length}`,
				`Its body has the placeholders ${shown(expected)}. Give one value for each, in that order.`,
			);
		}
		const keys = expected ?? input.map((_, index) => String(index + 1));
		input.forEach((value, index) => (body[keys[index]] = asText(value)));
	} else if (typeof input === 'object' && input !== null) {
		for (const [key, value] of Object.entries(input as IDataObject)) body[key.replace(/^\{\{\s*|\s*\}\}$/g, '')] = asText(value);
		if (expected !== undefined) {
			const missing = expected.filter((key) => !(key in body));
			const unknown = Object.keys(body).filter((key) => !expected.includes(key));
			if (missing.length > 0 || unknown.length > 0) {
				throw refusal.call(
					this,
					itemIndex,
					`The parameters do not match template '${template.name}'${missing.length > 0 ? `: missing ${shown(missing)}` : ''}${unknown.length > 0 ? `${missing.length > 0 ? ',' : ':'} unknown ${shown(unknown)}` : ''}`,
					`Its body has the placeholders ${shown(expected)}.`,
				);
			}
		}
	} else {
		throw refusal.call(this, itemIndex, 'Parameters must be a JSON array or object', 'For example ["Maria", "#1287"] or {"customer_name": "Maria"}.');
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
		if (media) {
			const kind = format === 'IMAGE' ? 'an image' : format === 'VIDEO' ? 'a video' : 'a document';
			throw refusal.call(this, itemIndex, `Template '${template.name}' shows ${kind} in its header: give its URL`, 'Put a public URL of the file in Options > Header Media URL.');
		}
		return undefined;
	}
	if (!/^https?:\/\/\S+$/i.test(url)) {
		throw refusal.call(this, itemIndex, `'${url}' is not a URL`, 'WhatsApp downloads the header file itself, so it must be a public http(s) address.');
	}
	if (format !== undefined && !media) {
		throw refusal.call(this, itemIndex, `Template '${template.name}' has no image, video or document header`, 'Remove Options > Header Media URL.');
	}
	const type = format !== undefined ? format.toLowerCase() : guessMediaType(url);
	return { media_url: url, media_type: type };
}

function guessMediaType(url: string): string {
	const path = url.split(/[?#]/)[0].toLowerCase();
	if (/\.(mp4|3gp|3gpp|mov)$/.test(path)) return 'video';
	if (/\.(pdf|docx?|xlsx?|pptx?|txt)$/.test(path)) return 'document';
	return 'image';
}

/**
 * Chatwoot sends button N with `processed_params.buttons[N]`, so the given values go to the template's
 * dynamic buttons (URL, copy code) in order, and static ones get an empty entry that Chatwoot skips.
 */
function buttonParams(this: IExecuteFunctions, itemIndex: number, template: WhatsAppTemplate, input: unknown): IDataObject[] | undefined {
	const values = (Array.isArray(input) ? input : [input]).map(asText).filter((value) => value.trim() !== '');
	if (values.length === 0) return undefined;
	const types = buttonTypes(template);
	if (types.length === 0) return values.map((parameter) => ({ type: 'url', parameter }));
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
 * Chatwoot accepts any template name and fails the message later, silently (status `failed`), so the
 * template is checked against the inbox's own list first: two reads, then the send.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = readConversationId.call(this, itemIndex);
	const text = readTemplateRef.call(this, itemIndex);
	const ref = parseTemplateRef(text);
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
	const match = matchTemplate(inbox.templates, ref);
	const asked = ref.language ? `${ref.name} (${ref.language})` : ref.name;
	if ('problem' in match) {
		if (match.problem === 'unknown') {
			throw refusal.call(this, itemIndex, `Inbox '${inbox.inboxName}' has no WhatsApp template '${asked}'`, existing(inbox));
		}
		if (match.problem === 'notApproved') {
			const statuses = match.candidates.map((t) => `${templateLabel(t)} is ${t.status || 'without status'}`).join(', ');
			throw refusal.call(this, itemIndex, `WhatsApp has not approved template '${asked}': ${statuses}`, `WhatsApp delivers only approved templates. ${existing(inbox)}`);
		}
		throw refusal.call(
			this,
			itemIndex,
			`Template '${ref.name}' exists in several languages: ${match.candidates.map((t) => t.language).join(', ')}`,
			`Add the language after a '|', e.g. ${ref.name}|${match.candidates[0].language}.`,
		);
	}
	const template = match.template;

	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body = bodyParams.call(this, itemIndex, template, parseJsonParameter.call(this, itemIndex, this.getNodeParameter('parameters', itemIndex, '[]'), 'Parameters'));
	const header = headerParams.call(this, itemIndex, template, String(options.headerMediaUrl ?? '').trim());
	const buttons = buttonParams.call(
		this,
		itemIndex,
		template,
		parseJsonParameter.call(this, itemIndex, options.buttonParameters ?? '[]', 'Button Parameters'),
	);

	const processed: IDataObject = { body };
	if (header) processed.header = header;
	if (buttons) processed.buttons = buttons;
	const templateParams: IDataObject = { name: template.name, language: template.language };
	if (template.category) templateParams.category = template.category;
	templateParams.processed_params = processed;

	// The rendered text is what agents read in Klivo; WhatsApp itself renders from the template.
	const content = renderBody(template, body) ?? '';
	return await createMessage.call(this, conversationId, { content, templateParams }, [], itemIndex);
}
