import type { IDataObject } from 'n8n-workflow';

import { TOKEN_HINT, unexpectedFormat, type Failure, type RequestContext } from '../transport/errors';
import { withoutSecrets } from '../transport/output';
import { collectPages, PAGE_CONCURRENCY, type Page } from '../transport/pagination';
import { klivoRequest, type KlivoResponse, type Query } from '../transport/request';
import type { KlivoContext } from '../transport/types';

/**
 * Conversations (reference §2). Ids are the per-account number Klivo shows (`#1287`, the API's
 * display_id), in paths and payloads alike. Envelopes: the list is `{data:{meta:{…_count},
 * payload:[…]}}`, 25 a page; show/create/update answer a bare conversation; toggle_status answers
 * `{payload:{success, conversation_id, current_status, snoozed_until}}`; labels `{payload:[…]}`;
 * custom_attributes `{custom_attributes:{…}}`; toggle_priority and typing answer nothing.
 */

export const CONVERSATION_PAGE_SIZE = 25;

export const CONVERSATION_STATUSES = ['open', 'resolved', 'pending', 'snoozed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUMBER_HINT =
	"Use the number Klivo shows on the conversation (#1287 → 1287), which the Klivo Trigger outputs as klivo.conversationId, not an internal ID. The conversation may also have been deleted, or the credential's Account ID points at another account.";

/** The conversation's own words for a 404, an agent's 401 and a 422; the rest is generic. */
export function conversationExplainer(id?: number, about: { contactId?: number; inboxId?: number; teamId?: number } = {}) {
	return ({ status, text, subject }: Failure) => {
		if (status === 404) {
			if (id !== undefined) {
				return {
					reason: 'notFound' as const,
					message: `Conversation #${id} does not exist in account ${subject.accountId}`,
					description: NUMBER_HINT,
				};
			}
			const named = [
				about.contactId !== undefined ? `contact ${about.contactId}` : undefined,
				about.inboxId !== undefined ? `inbox ${about.inboxId}` : undefined,
				about.teamId !== undefined ? `team ${about.teamId}` : undefined,
			].filter((part): part is string => part !== undefined);
			if (named.length === 0) return undefined;
			return {
				reason: 'notFound' as const,
				message: `Klivo found no ${named.join(' or ')} in account ${subject.accountId}`,
				description: 'Pick them from the lists, or check the IDs: they may have been deleted, or belong to another account.',
			};
		}
		if (status === 401 || status === 403) {
			const what = id !== undefined ? `conversation #${id}` : about.inboxId !== undefined ? `inbox ${about.inboxId}` : 'these conversations';
			return {
				reason: 'agent' as const,
				message: `This token's user may not see ${what}`,
				description: `Klivo answered '${text}'. Agents see only the conversations of the inboxes they are members of: add the agent to the inbox in Klivo (Settings → Inboxes → Collaborators), or use an administrator's access token in the Klivo API credential (${TOKEN_HINT}).`,
			};
		}
		if (status === 422) {
			const where = id !== undefined ? `conversation #${id}` : 'the conversation';
			return {
				reason: 'rejected' as const,
				message: `Klivo refused to change ${where}: ${text || 'unprocessable'}`,
				description: 'Change the field the reason names and run again.',
			};
		}
		return undefined;
	};
}

function context(id?: number, about?: { contactId?: number; inboxId?: number; teamId?: number }): RequestContext {
	return { resource: 'conversation', id, explain: conversationExplainer(id, about) };
}

/** A bare conversation, also when a server wraps it in `payload` or `data`. */
export function unwrapConversation(body: unknown): IDataObject | undefined {
	if (!isObject(body)) return undefined;
	if (body.id !== undefined && (body.inbox_id !== undefined || body.status !== undefined)) return withoutSecrets(body);
	for (const key of ['payload', 'data']) {
		const inner = body[key];
		if (isObject(inner) && inner.id !== undefined) return withoutSecrets(inner);
	}
	return undefined;
}

export type AssigneeType = 'all' | 'me' | 'assigned' | 'unassigned';

const COUNT_OF: Record<AssigneeType, string> = {
	all: 'all_count',
	me: 'mine_count',
	assigned: 'assigned_count',
	unassigned: 'unassigned_count',
};

/** `{data:{meta, payload}}` (list) or `{meta, payload}` (filter); `total` is the count matching the assignee type. */
export function unwrapConversationPage(body: unknown, assigneeType: AssigneeType = 'all'): Page<IDataObject> | undefined {
	const outer = isObject(body) && isObject(body.data) ? body.data : body;
	if (!isObject(outer) || !Array.isArray(outer.payload)) return undefined;
	const items = outer.payload.filter(isObject).map((item) => withoutSecrets(item));
	const meta = isObject(outer.meta) ? outer.meta : undefined;
	const count = meta?.[COUNT_OF[assigneeType]];
	return typeof count === 'number' ? { items, total: count } : { items };
}

export function unwrapLabels(body: unknown): string[] | undefined {
	if (!isObject(body) || !Array.isArray(body.payload)) return undefined;
	return body.payload.filter((label): label is string => typeof label === 'string');
}

function formatError(ctx: KlivoContext, response: KlivoResponse, what: string, itemIndex?: number) {
	return unexpectedFormat(ctx.getNode(), response.subject.baseUrl, what, itemIndex);
}

export async function getConversation(this: KlivoContext, id: number, itemIndex?: number): Promise<IDataObject> {
	const response = await klivoRequest.call(this, { method: 'GET', path: `/conversations/${id}`, context: context(id), itemIndex });
	const conversation = unwrapConversation(response.body);
	if (!conversation) throw formatError(this, response, 'conversation', itemIndex);
	return conversation;
}

export interface ConversationFilters {
	/** Always sent: the API's own default is open. */
	status: ConversationStatus | 'all';
	assigneeType?: AssigneeType;
	inboxId?: number;
	teamId?: number;
	labels?: string[];
	query?: string;
}

function listQuery(filters: ConversationFilters): Query {
	return {
		status: filters.status,
		assignee_type: filters.assigneeType,
		inbox_id: filters.inboxId,
		team_id: filters.teamId,
		labels: filters.labels && filters.labels.length > 0 ? filters.labels : undefined,
		q: filters.query,
	};
}

/** One page (for pickers). */
export async function listConversationsPage(
	this: KlivoContext,
	filters: ConversationFilters,
	page: number,
	itemIndex?: number,
): Promise<Page<IDataObject>> {
	const response = await klivoRequest.call(this, {
		method: 'GET',
		path: '/conversations',
		qs: { ...listQuery(filters), page },
		context: context(undefined, { inboxId: filters.inboxId, teamId: filters.teamId }),
		itemIndex,
	});
	const found = unwrapConversationPage(response.body, filters.assigneeType ?? 'all');
	if (!found) throw formatError(this, response, 'conversation list', itemIndex);
	return found;
}

/** Every page up to `limit` (undefined: all), 25 a page; the assignee type's meta count says how many, fetched several at a time. */
export async function listConversations(
	this: KlivoContext,
	filters: ConversationFilters,
	limit: number | undefined,
	itemIndex?: number,
): Promise<IDataObject[]> {
	return await collectPages(async (page) => await listConversationsPage.call(this, filters, page, itemIndex), {
		pageSize: CONVERSATION_PAGE_SIZE,
		limit,
		concurrency: PAGE_CONCURRENCY,
	});
}

export interface NewConversation {
	contactId: number;
	inboxId: number;
	message?: IDataObject;
	status?: ConversationStatus;
	assigneeId?: number;
	teamId?: number;
	customAttributes?: IDataObject;
}

/**
 * With both inbox_id and contact_id, Klivo links the contact to the inbox itself (it creates the
 * contact inbox, with a source id of the channel's kind), so one request does it all.
 */
export async function createConversation(this: KlivoContext, fields: NewConversation, itemIndex?: number): Promise<IDataObject> {
	const body: IDataObject = { inbox_id: fields.inboxId, contact_id: fields.contactId };
	if (fields.status !== undefined) body.status = fields.status;
	if (fields.assigneeId !== undefined) body.assignee_id = fields.assigneeId;
	if (fields.teamId !== undefined) body.team_id = fields.teamId;
	if (fields.customAttributes !== undefined) body.custom_attributes = fields.customAttributes;
	if (fields.message !== undefined) body.message = fields.message;
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: '/conversations',
		body,
		context: context(undefined, { contactId: fields.contactId, inboxId: fields.inboxId, teamId: fields.teamId }),
		itemIndex,
	});
	const conversation = unwrapConversation(response.body);
	if (!conversation) throw formatError(this, response, 'create conversation', itemIndex);
	return conversation;
}

/** `snoozedUntil` in Unix seconds: toggle_status parses it with '%s' (an ISO string is a 500). */
export async function toggleStatus(
	this: KlivoContext,
	id: number,
	status: ConversationStatus,
	snoozedUntil: number | undefined,
	itemIndex?: number,
): Promise<IDataObject> {
	const body: IDataObject = { status };
	if (status === 'snoozed' && snoozedUntil !== undefined) body.snoozed_until = snoozedUntil;
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: `/conversations/${id}/toggle_status`,
		body,
		context: context(id),
		itemIndex,
	});
	const payload = isObject(response.body) && isObject(response.body.payload) ? response.body.payload : undefined;
	if (!payload) throw formatError(this, response, 'set status', itemIndex);
	return payload;
}

/**
 * PATCH answers the whole conversation (toggle_priority answers nothing). `null` clears the priority:
 * the string 'none' (in Chatwoot's swagger) answers 500.
 */
export async function updatePriority(this: KlivoContext, id: number, priority: Priority | null, itemIndex?: number): Promise<IDataObject> {
	const response = await klivoRequest.call(this, {
		method: 'PATCH',
		path: `/conversations/${id}`,
		body: { priority },
		context: context(id),
		itemIndex,
	});
	const conversation = unwrapConversation(response.body);
	if (!conversation) throw formatError(this, response, 'set priority', itemIndex);
	return conversation;
}

export async function setTyping(this: KlivoContext, id: number, typing: 'on' | 'off', itemIndex?: number): Promise<void> {
	await klivoRequest.call(this, {
		method: 'POST',
		path: `/conversations/${id}/toggle_typing_status`,
		body: { typing_status: typing },
		context: context(id),
		itemIndex,
	});
}

/**
 * `{assignee_id}` assigns an agent (and wins over a team), `{team_id}` a team, `{assignee_id: null}`
 * unassigns. The answer is the agent, the raw team, or null.
 */
export async function assignConversation(
	this: KlivoContext,
	id: number,
	to: { assigneeId: number | null } | { teamId: number | null },
	itemIndex?: number,
): Promise<IDataObject | null> {
	const body: IDataObject = 'assigneeId' in to ? { assignee_id: to.assigneeId } : { team_id: to.teamId };
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: `/conversations/${id}/assignments`,
		body,
		context: context(id),
		itemIndex,
	});
	return isObject(response.body) ? withoutSecrets(response.body) : null;
}

export async function getConversationLabels(this: KlivoContext, id: number, itemIndex?: number): Promise<string[]> {
	const response = await klivoRequest.call(this, { method: 'GET', path: `/conversations/${id}/labels`, context: context(id), itemIndex });
	const labels = unwrapLabels(response.body);
	if (!labels) throw formatError(this, response, 'conversation labels', itemIndex);
	return labels;
}

/** Replaces the whole list (the API has no add or remove): callers merge first. */
export async function setConversationLabels(this: KlivoContext, id: number, labels: string[], itemIndex?: number): Promise<string[]> {
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: `/conversations/${id}/labels`,
		body: { labels },
		context: context(id),
		itemIndex,
	});
	const result = unwrapLabels(response.body);
	if (!result) throw formatError(this, response, 'set conversation labels', itemIndex);
	return result;
}

/** Replaces the whole hash (the API does not merge): callers merge first. */
export async function setConversationAttributes(
	this: KlivoContext,
	id: number,
	attributes: IDataObject,
	itemIndex?: number,
): Promise<IDataObject> {
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: `/conversations/${id}/custom_attributes`,
		body: { custom_attributes: attributes },
		context: context(id),
		itemIndex,
	});
	const body = response.body;
	if (!isObject(body) || !isObject(body.custom_attributes)) throw formatError(this, response, 'set custom attributes', itemIndex);
	return body.custom_attributes;
}
