import type { IDataObject } from 'n8n-workflow';
import type { NodeApiError } from 'n8n-workflow';

import { TOKEN_HINT, toNodeApiError, type RequestContext, type ResourceExplainer } from '../transport/errors';
import { collectBefore } from '../transport/pagination';
import { klivoRequest, type KlivoResponse } from '../transport/request';
import type { KlivoContext } from '../transport/types';

/**
 * Messages of a conversation: typed calls and the exact envelopes of Chatwoot's messages controller
 * (reference §3): the list is `{meta, payload:[message]}`, create and delete answer a bare message.
 * The API gives `message_type` as a number; workflows see its name, as webhooks deliver it.
 */

const MESSAGE_TYPE_NAMES: Record<number, string> = { 0: 'incoming', 1: 'outgoing', 2: 'activity', 3: 'template' };

/** The server's page size for `GET …/messages`, with or without `before`. */
export const MESSAGE_PAGE_SIZE = 20;

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messageTypeName(value: unknown): unknown {
	if (typeof value === 'number') return MESSAGE_TYPE_NAMES[value] ?? value;
	return value;
}

/** A message as the server sent it (same keys, same order), with `message_type` as its name. */
export function toMessageJson(value: unknown): IDataObject | undefined {
	if (!isObject(value) || !Number.isFinite(Number(value.id))) return undefined;
	const json: IDataObject = {};
	for (const [key, field] of Object.entries(value)) {
		json[key] = key === 'message_type' ? (messageTypeName(field) as IDataObject[string]) : field;
	}
	return json;
}

/** `GET …/messages` answers `{meta, payload:[message]}`; anything else is not this endpoint. */
export function unwrapMessageList(body: unknown): IDataObject[] | undefined {
	if (!isObject(body) || !Array.isArray(body.payload)) return undefined;
	const messages = body.payload.map(toMessageJson);
	return messages.every((message) => message !== undefined) ? (messages as IDataObject[]) : undefined;
}

/** Create and delete answer the bare message. */
export function unwrapMessage(body: unknown): IDataObject | undefined {
	return toMessageJson(body);
}

export function isPrivateNote(message: IDataObject): boolean {
	return message.private === true;
}

export function isActivity(message: IDataObject): boolean {
	return message.message_type === 'activity';
}

// ---------------------------------------------------------------------------------------------
// WhatsApp templates (reference §1.11 `message_templates`, §3.2 `template_params`)

export interface WhatsAppTemplate {
	name: string;
	language: string;
	status: string;
	category?: string;
	/** 'NAMED' templates take `{{customer_name}}`; anything else is positional `{{1}}`. */
	parameterFormat?: string;
	components: IDataObject[];
}

export function toTemplate(value: unknown): WhatsAppTemplate | undefined {
	if (!isObject(value) || typeof value.name !== 'string' || value.name === '') return undefined;
	return {
		name: value.name,
		language: typeof value.language === 'string' ? value.language : '',
		status: typeof value.status === 'string' ? value.status : '',
		category: typeof value.category === 'string' ? value.category : undefined,
		parameterFormat: typeof value.parameter_format === 'string' ? value.parameter_format : undefined,
		components: Array.isArray(value.components) ? value.components.filter(isObject) : [],
	};
}

/** Templates of an inbox object; undefined when the inbox is not a WhatsApp inbox (no such key). */
export function templatesOfInbox(inbox: IDataObject): WhatsAppTemplate[] | undefined {
	if (!Array.isArray(inbox.message_templates)) return undefined;
	return inbox.message_templates.map(toTemplate).filter((t): t is WhatsAppTemplate => t !== undefined);
}

/** Chatwoot sends only templates whose status is `approved`, in any case. */
export function isApproved(template: WhatsAppTemplate): boolean {
	return template.status.toLowerCase() === 'approved';
}

/** `name|language` is the value the picker stores and what an expression may give. */
export function templateValue(template: WhatsAppTemplate): string {
	return `${template.name}|${template.language}`;
}

export function templateLabel(template: WhatsAppTemplate): string {
	return `${template.name} (${template.language})`;
}

export interface TemplateRef {
	name: string;
	language?: string;
}

/** Reads `name|language`, `name (language)` or a bare `name`. */
export function parseTemplateRef(value: string): TemplateRef | undefined {
	const text = value.trim();
	if (text === '') return undefined;
	const piped = /^([^|]+)\|\s*([^|]*)$/.exec(text);
	if (piped) {
		const language = piped[2].trim();
		return { name: piped[1].trim(), ...(language !== '' ? { language } : {}) };
	}
	const bracketed = /^(.+?)\s*\(\s*([^()]+?)\s*\)$/.exec(text);
	if (bracketed) return { name: bracketed[1], language: bracketed[2] };
	return { name: text };
}

export type TemplateMatch = { template: WhatsAppTemplate } | { problem: 'unknown' | 'notApproved' | 'ambiguous'; candidates: WhatsAppTemplate[] };

/**
 * Names are compared without case, as are languages (Chatwoot compares the language without case);
 * the template's own spelling is what gets sent, so older servers that compare exactly agree too.
 */
export function matchTemplate(templates: WhatsAppTemplate[], ref: TemplateRef): TemplateMatch {
	const name = ref.name.toLowerCase();
	const language = ref.language?.toLowerCase().replace('-', '_');
	const named = templates.filter((t) => t.name.toLowerCase() === name);
	const matching = language === undefined ? named : named.filter((t) => t.language.toLowerCase().replace('-', '_') === language);
	if (matching.length === 0) return { problem: 'unknown', candidates: [] };
	const approved = matching.filter(isApproved);
	if (approved.length === 0) return { problem: 'notApproved', candidates: matching };
	if (approved.length > 1) return { problem: 'ambiguous', candidates: approved };
	return { template: approved[0] };
}

function componentOf(template: WhatsAppTemplate, type: string): IDataObject | undefined {
	return template.components.find((c) => typeof c.type === 'string' && c.type.toUpperCase() === type);
}

export function bodyText(template: WhatsAppTemplate): string | undefined {
	const text = componentOf(template, 'BODY')?.text;
	return typeof text === 'string' ? text : undefined;
}

/** The body's placeholders in order of first appearance: `['1', '2']` or `['customer_name']`. */
export function bodyPlaceholders(template: WhatsAppTemplate): string[] | undefined {
	const text = bodyText(template);
	if (text === undefined) return undefined;
	const names: string[] = [];
	for (const match of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
		if (!names.includes(match[1])) names.push(match[1]);
	}
	return names;
}

/** IMAGE, VIDEO, DOCUMENT or TEXT when the template has a header. */
export function headerFormat(template: WhatsAppTemplate): string | undefined {
	const format = componentOf(template, 'HEADER')?.format;
	return typeof format === 'string' ? format.toUpperCase() : undefined;
}

/** The types of the template's buttons in order, lower-cased as Chatwoot's processed params name them. */
export function buttonTypes(template: WhatsAppTemplate): string[] {
	const buttons = componentOf(template, 'BUTTONS')?.buttons;
	if (!Array.isArray(buttons)) return [];
	return buttons.map((b) => (isObject(b) && typeof b.type === 'string' ? b.type.toLowerCase() : ''));
}

export function renderBody(template: WhatsAppTemplate, body: Record<string, string>): string | undefined {
	const text = bodyText(template);
	if (text === undefined) return undefined;
	return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => body[key] ?? whole);
}

// ---------------------------------------------------------------------------------------------
// Calls

export interface UploadFile {
	fileName: string;
	mimeType: string;
	data: Buffer;
}

export interface NewMessage {
	content?: string;
	private?: boolean;
	/** `content_attributes.in_reply_to`: the database id of the message answered. */
	inReplyTo?: number;
	templateParams?: IDataObject;
}

/** A 404 on these paths means the conversation (or the message in it) is not there. */
function explainMessageFailure(conversationId: number, messageId?: number): ResourceExplainer {
	return ({ status, text, subject }) => {
		if (status === 404) {
			const where = `conversation #${conversationId} of account ${subject.accountId}`;
			const hint = `The conversation ID is the number shown in Klivo (#${conversationId}), which the Klivo Trigger gives as {{ $json.klivo.conversationId }}, not an internal database id.`;
			if (messageId !== undefined) {
				return {
					reason: 'notFound',
					message: `Message ${messageId} was not found in ${where}`,
					description: `${hint} The message ID is the 'id' of a message from Get Many, or of a message event; a message of another conversation is not found here.`,
				};
			}
			return {
				reason: 'notFound',
				message: `Conversation #${conversationId} does not exist in account ${subject.accountId}`,
				description: `${hint} Check also the Account ID in the Klivo API credential.`,
			};
		}
		if (status === 401 || status === 403) {
			if (text.toLowerCase().includes('for bots')) {
				return {
					reason: 'agent',
					message: 'An agent bot token may send messages but not read or delete them',
					description: `Klivo answered '${text}'. Use a user's access token (${TOKEN_HINT}) in the Klivo API credential for this operation.`,
				};
			}
			return {
				reason: 'agent',
				message: `This token's user may not see conversation #${conversationId}`,
				description: `Klivo answered '${text}'. An agent sees only the conversations of the inboxes they are a member of (or of their teams): add the agent to the conversation's inbox in Klivo, or use an administrator's access token.`,
			};
		}
		if (status === 422) {
			return {
				reason: 'rejected',
				message: `Klivo refused the message: ${text || 'unprocessable'}`,
				description: 'This is the reason Klivo gave, quoted as it came. Change the content or files accordingly and run again.',
			};
		}
		return undefined;
	};
}

function messageContext(conversationId: number, messageId?: number): RequestContext {
	return { resource: 'message', id: messageId ?? conversationId, explain: explainMessageFailure(conversationId, messageId) };
}

function unexpectedShape(context: KlivoContext, response: KlivoResponse, what: string, itemIndex?: number): NodeApiError {
	return toNodeApiError(
		context.getNode(),
		{
			reason: 'format',
			message: `Klivo answered the ${what} request in an unknown format`,
			description: `Check that the Base URL (${response.subject.baseUrl}) points at a Klivo or Chatwoot server, not at a web page.`,
		},
		itemIndex,
	);
}

/**
 * One page of the history, oldest first: without `before` the newest 20, with it the 20 just older
 * than that message id. `withoutInternal` asks the server to drop notes and activity itself.
 */
export async function listMessages(
	this: KlivoContext,
	conversationId: number,
	page: { before?: number; withoutInternal?: boolean },
	itemIndex?: number,
): Promise<IDataObject[]> {
	const response = await klivoRequest.call(this, {
		method: 'GET',
		path: `/conversations/${conversationId}/messages`,
		qs: { before: page.before, filter_internal_messages: page.withoutInternal ? 'true' : undefined },
		context: messageContext(conversationId),
		itemIndex,
	});
	const messages = unwrapMessageList(response.body);
	if (!messages) throw unexpectedShape(this, response, 'message list', itemIndex);
	return messages;
}

export interface HistoryOptions {
	/** How many kept messages to return (the newest); undefined for all. */
	limit?: number;
	keep: (message: IDataObject) => boolean;
	withoutInternal?: boolean;
}

/**
 * The history, oldest first, walked back with the `before` cursor from the newest page. The limit
 * counts kept messages, not fetched ones, so the walk is told to stop (by an empty batch, which ends
 * it without a request) once enough kept messages are in hand.
 */
export async function listHistory(
	this: KlivoContext,
	conversationId: number,
	options: HistoryOptions,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const { limit, keep, withoutInternal } = options;
	const keptIds = new Set<number>();
	const messages = await collectBefore(
		async (before) => {
			if (limit !== undefined && keptIds.size >= limit) return [];
			const batch = await listMessages.call(this, conversationId, { before, withoutInternal }, itemIndex);
			for (const message of batch) if (keep(message)) keptIds.add(Number(message.id));
			return batch;
		},
		{ pageSize: MESSAGE_PAGE_SIZE, idOf: (message) => Number(message.id) },
	);
	const kept = messages.filter(keep);
	return limit !== undefined ? kept.slice(-limit) : kept;
}

function jsonBody(message: NewMessage): IDataObject {
	const body: IDataObject = { content: message.content ?? '', message_type: 'outgoing', private: message.private === true };
	if (message.inReplyTo !== undefined) body.content_attributes = { in_reply_to: message.inReplyTo };
	if (message.templateParams !== undefined) body.template_params = message.templateParams;
	return body;
}

/**
 * Files go in one multipart request as `attachments[]`: the brackets are what Rails reads as a list
 * (a plain `attachments` field fails with 422), and one request makes one message.
 */
function multipartBody(message: NewMessage, files: UploadFile[]): FormData {
	const form = new FormData();
	if (message.content !== undefined && message.content !== '') form.append('content', message.content);
	form.append('message_type', 'outgoing');
	form.append('private', message.private === true ? 'true' : 'false');
	if (message.inReplyTo !== undefined) form.append('content_attributes', JSON.stringify({ in_reply_to: message.inReplyTo }));
	for (const file of files) {
		form.append('attachments[]', new Blob([file.data], { type: file.mimeType }), file.fileName);
	}
	return form;
}

export async function createMessage(
	this: KlivoContext,
	conversationId: number,
	message: NewMessage,
	files: UploadFile[] = [],
	itemIndex?: number,
): Promise<IDataObject> {
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: `/conversations/${conversationId}/messages`,
		body: files.length > 0 ? multipartBody(message, files) : jsonBody(message),
		context: messageContext(conversationId),
		itemIndex,
	});
	const created = unwrapMessage(response.body);
	if (!created) throw unexpectedShape(this, response, 'send message', itemIndex);
	return created;
}

/** A soft delete: Klivo answers with the message, its content replaced and its files gone. */
export async function deleteMessage(
	this: KlivoContext,
	conversationId: number,
	messageId: number,
	itemIndex?: number,
): Promise<IDataObject> {
	const response = await klivoRequest.call(this, {
		method: 'DELETE',
		path: `/conversations/${conversationId}/messages/${messageId}`,
		context: messageContext(conversationId, messageId),
		itemIndex,
	});
	const deleted = unwrapMessage(response.body);
	if (!deleted) throw unexpectedShape(this, response, 'delete message', itemIndex);
	return deleted;
}

export interface ConversationTemplates {
	inboxId: number;
	inboxName: string;
	channelType: string;
	/** Undefined when the inbox is not a WhatsApp inbox. */
	templates?: WhatsAppTemplate[];
}

/** The conversation's inbox and its WhatsApp templates: two reads, conversation then inbox. */
export async function templatesOfConversation(
	this: KlivoContext,
	conversationId: number,
	itemIndex?: number,
): Promise<ConversationTemplates> {
	const conversation = await klivoRequest.call(this, {
		method: 'GET',
		path: `/conversations/${conversationId}`,
		context: messageContext(conversationId),
		itemIndex,
	});
	const inboxId = isObject(conversation.body) ? Number(conversation.body.inbox_id) : NaN;
	if (!Number.isInteger(inboxId)) throw unexpectedShape(this, conversation, 'conversation', itemIndex);
	const inbox = await klivoRequest.call(this, {
		method: 'GET',
		path: `/inboxes/${inboxId}`,
		context: { resource: 'inbox', id: inboxId, explain: explainInboxFailure(inboxId, conversationId) },
		itemIndex,
	});
	if (!isObject(inbox.body)) throw unexpectedShape(this, inbox, 'inbox', itemIndex);
	return {
		inboxId,
		inboxName: typeof inbox.body.name === 'string' ? inbox.body.name : `#${inboxId}`,
		channelType: typeof inbox.body.channel_type === 'string' ? inbox.body.channel_type : '',
		templates: templatesOfInbox(inbox.body),
	};
}

function explainInboxFailure(inboxId: number, conversationId: number): ResourceExplainer {
	return ({ status, text }) => {
		if (status === 401 || status === 403) {
			return {
				reason: 'agent',
				message: `This token's user may not read inbox ${inboxId}, the inbox of conversation #${conversationId}`,
				description: `Klivo answered '${text}'. An agent reads only the inboxes they are a member of: add the agent to the inbox in Klivo, or use an administrator's access token.`,
			};
		}
		return undefined;
	};
}
