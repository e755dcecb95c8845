import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	bodyPlaceholders,
	buttonTypes,
	headerFormat,
	isApproved,
	matchTemplate,
	renderBody,
	templateLabel,
	type TemplateRef,
	type WhatsAppTemplate,
} from '../../api/message';

/**
 * A WhatsApp template message is read the same way by Message → Send WhatsApp Template and by
 * Conversation → Create (First Message → WhatsApp Template); only the names of the fields differ, and
 * refusals must point at the field the user sees.
 */
export interface TemplateFields {
	/** The JSON parameter with the body's values, and its display name. */
	parameters: string;
	parametersLabel: string;
	/** The collection holding Button Parameters and Header Media URL, and its display name. */
	options: string;
	optionsLabel: string;
	/** Said after "Give one value for each, in that order" when the count is wrong. */
	orderHint: string;
	/** How the refusal for a missing header file names it ("an image", "image media"...). */
	mediaName: (format: 'IMAGE' | 'VIDEO' | 'DOCUMENT') => string;
	/**
	 * Whether a header URL or button values are taken for a template whose header or buttons Klivo does
	 * not list (the media type then guessed from the URL), rather than refused.
	 */
	trustUnlisted: boolean;
}

/** What both operations show for a template's values; each puts them under its own names. */
export const templateProperties = {
	parametersDescription:
		'Values for the placeholders of the template\'s body: a JSON array in order (["Maria", "#1287"] fills {{1}} and {{2}}), or an object by name ({"customer_name": "Maria"})',
	buttonParameters: {
		displayName: 'Button Parameters',
		name: 'buttonParameters',
		type: 'json',
		default: '[]',
		description:
			'Values for the template\'s dynamic buttons in order: the variable end of a URL button, or the code of a copy-code button, as a JSON array (["pedido/1287"])',
	} satisfies INodeProperties,
	headerMediaUrl: {
		displayName: 'Header Media URL',
		name: 'headerMediaUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/offer.jpg',
		description: 'A public URL of the image, video or document the template shows in its header',
	} satisfies INodeProperties,
};

/** Chatwoot's `template_params` and the body as agents read it in Klivo. */
export interface TemplateMessage {
	content: string;
	templateParams: IDataObject;
}

export function refusal(this: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, { itemIndex, description });
}

/** The `template` parameter as typed or picked: a resource locator or a plain string. */
export function readTemplateText(this: IExecuteFunctions, itemIndex: number): string {
	const given = this.getNodeParameter('template', itemIndex, '') as INodeParameterResourceLocator | string;
	const raw = typeof given === 'object' && given !== null ? given.value : given;
	return String(raw ?? '').trim();
}

/** The words for a template that cannot be sent, naming the ones that can. */
function existing(inboxName: string, templates: WhatsAppTemplate[]): string {
	const approved = templates.filter(isApproved).map(templateLabel);
	const others = templates.filter((t) => !isApproved(t)).map((t) => `${templateLabel(t)}: ${t.status || 'no status'}`);
	return `Approved templates of inbox '${inboxName}': ${approved.join(', ') || 'none'}.${others.length > 0 ? ` Not approved: ${others.join(', ')}.` : ''}`;
}

/** The approved template the reference names among the inbox's, or a refusal listing those that exist. */
export function pickTemplate(this: IExecuteFunctions, itemIndex: number, inboxName: string, templates: WhatsAppTemplate[], ref: TemplateRef): WhatsAppTemplate {
	const match = matchTemplate(templates, ref);
	if (!('problem' in match)) return match.template;
	const asked = ref.language ? `${ref.name} (${ref.language})` : ref.name;
	if (match.problem === 'unknown') {
		throw refusal.call(this, itemIndex, `Inbox '${inboxName}' has no WhatsApp template '${asked}'`, existing(inboxName, templates));
	}
	if (match.problem === 'notApproved') {
		const statuses = match.candidates.map((t) => `${templateLabel(t)} is ${t.status || 'without status'}`).join(', ');
		throw refusal.call(this, itemIndex, `WhatsApp has not approved template '${asked}': ${statuses}`, `WhatsApp delivers only approved templates. ${existing(inboxName, templates)}`);
	}
	throw refusal.call(
		this,
		itemIndex,
		`Template '${ref.name}' exists in several languages: ${match.candidates.map((t) => t.language).join(', ')}`,
		`Add the language after a '|', e.g. ${ref.name}|${match.candidates[0].language}.`,
	);
}

function readJsonList(this: IExecuteFunctions, itemIndex: number, value: unknown, label: string): unknown {
	if (typeof value !== 'string') return value ?? [];
	const text = value.trim();
	if (text === '') return [];
	try {
		return JSON.parse(text) as unknown;
	} catch {
		// A lone value (one placeholder, one button) is common enough to take as it is.
		if (!/^[[{]/.test(text)) return [text];
		throw refusal.call(this, itemIndex, `${label} is not valid JSON`, 'Write a JSON array such as ["Maria", "#1287"], or an object such as {"customer_name": "Maria"}.');
	}
}

function asText(value: unknown): string {
	if (value === null || value === undefined) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const shown = (keys: string[]) => (keys.length > 0 ? keys.map((k) => `{{${k}}}`).join(', ') : 'none');

/** `processed_params.body`: `{"1": …, "2": …}` for positional templates, `{name: …}` for named ones. */
function bodyParams(this: IExecuteFunctions, itemIndex: number, fields: TemplateFields, template: WhatsAppTemplate, input: unknown): Record<string, string> {
	const expected = bodyPlaceholders(template);
	const body: Record<string, string> = {};
	if (Array.isArray(input)) {
		if (expected !== undefined && input.length !== expected.length) {
			throw refusal.call(
				this,
				itemIndex,
				`Template '${template.name}' takes ${expected.length} body parameter${expected.length === 1 ? '' : 's'}, not ${input.length}`,
				`Its body has the placeholders ${shown(expected)}. Give one value for each, in that order${fields.orderHint}.`,
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
					`The ${fields.parametersLabel.toLowerCase()} do not match template '${template.name}'${missing.length > 0 ? `: missing ${shown(missing)}` : ''}${unknown.length > 0 ? `${missing.length > 0 ? ',' : ':'} unknown ${shown(unknown)}` : ''}`,
					`Its body has the placeholders ${shown(expected)}.`,
				);
			}
		}
	} else {
		throw refusal.call(this, itemIndex, `${fields.parametersLabel} must be a JSON array or object`, 'For example ["Maria", "#1287"] or {"customer_name": "Maria"}.');
	}
	const empty = Object.entries(body).filter(([, value]) => value.trim() === '').map(([key]) => key);
	if (empty.length > 0) {
		throw refusal.call(this, itemIndex, `Body parameter ${shown(empty)} is empty`, 'WhatsApp refuses a template with an empty placeholder. Check the expression that fills it.');
	}
	return body;
}

function guessMediaType(url: string): string {
	const path = url.split(/[?#]/)[0].toLowerCase();
	if (/\.(mp4|3gp|3gpp|mov)$/.test(path)) return 'video';
	if (/\.(pdf|docx?|xlsx?|pptx?|txt)$/.test(path)) return 'document';
	return 'image';
}

function headerParams(this: IExecuteFunctions, itemIndex: number, fields: TemplateFields, template: WhatsAppTemplate, url: string): IDataObject | undefined {
	const format = headerFormat(template);
	const media = format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT' ? format : undefined;
	const where = `${fields.optionsLabel} > Header Media URL`;
	if (url === '') {
		if (!media) return undefined;
		throw refusal.call(this, itemIndex, `Template '${template.name}' shows ${fields.mediaName(media)} in its header: give its URL`, `Put a public URL of the file in ${where}.`);
	}
	if (!/^https?:\/\/\S+$/i.test(url)) {
		throw refusal.call(this, itemIndex, `'${url}' is not a URL`, 'WhatsApp downloads the header file itself, so it must be a public http(s) address.');
	}
	if (media) return { media_url: url, media_type: media.toLowerCase() };
	if (format === undefined && fields.trustUnlisted) return { media_url: url, media_type: guessMediaType(url) };
	throw refusal.call(this, itemIndex, `Template '${template.name}' has no image, video or document header`, `Remove ${where}.`);
}

/**
 * Chatwoot sends button N with `processed_params.buttons[N]`, so the given values go to the template's
 * dynamic buttons (URL, copy code) in order, and static ones get an empty entry that Chatwoot skips.
 */
function buttonParams(this: IExecuteFunctions, itemIndex: number, fields: TemplateFields, template: WhatsAppTemplate, input: unknown): IDataObject[] | undefined {
	const values = (Array.isArray(input) ? input : [input]).map(asText).filter((value) => value.trim() !== '');
	if (values.length === 0) return undefined;
	const types = buttonTypes(template);
	if (types.length === 0 && fields.trustUnlisted) return values.map((parameter) => ({ type: 'url', parameter }));
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

/** The item's values for the template, checked against its body, header and buttons, as Chatwoot takes them. */
export function readTemplateMessage(this: IExecuteFunctions, itemIndex: number, fields: TemplateFields, template: WhatsAppTemplate): TemplateMessage {
	const options = this.getNodeParameter(fields.options, itemIndex, {}) as IDataObject;
	const parameters = readJsonList.call(this, itemIndex, this.getNodeParameter(fields.parameters, itemIndex, '[]'), fields.parametersLabel);
	const body = bodyParams.call(this, itemIndex, fields, template, parameters);
	const header = headerParams.call(this, itemIndex, fields, template, String(options.headerMediaUrl ?? '').trim());
	const buttons = buttonParams.call(this, itemIndex, fields, template, readJsonList.call(this, itemIndex, options.buttonParameters ?? '[]', 'Button Parameters'));

	const processed: IDataObject = { body };
	if (header) processed.header = header;
	if (buttons) processed.buttons = buttons;
	const templateParams: IDataObject = { name: template.name, language: template.language };
	if (template.category) templateParams.category = template.category;
	templateParams.processed_params = processed;
	// The rendered text is what agents read in Klivo; WhatsApp itself renders from the template.
	return { content: renderBody(template, body) ?? '', templateParams };
}
