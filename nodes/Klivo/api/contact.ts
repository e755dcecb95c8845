import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { TOKEN_HINT, toNodeApiError, serverText, type Explanation, type Failure, type RequestContext } from '../transport/errors';
import { withoutSecrets } from '../transport/output';
import { collectPages, PAGE_CONCURRENCY } from '../transport/pagination';
import { klivoRequest, type KlivoResponse, type Query } from '../transport/request';
import type { KlivoContext } from '../transport/types';

/**
 * Contacts (reference §4), one envelope per endpoint:
 * - `GET /contacts` and `POST /contacts/filter`: `{meta:{count (the total), current_page}, payload:[contact]}`, 15 a page;
 * - `GET /contacts/search`: `{meta:{count (this page only), current_page, has_more}, payload:[contact]}`, 15 a page;
 * - `GET` and `PUT /contacts/{id}`: `{payload: contact}`;
 * - `POST /contacts`: `{payload:{contact, contact_inbox}}`;
 * - `GET /contacts/{id}/conversations`: `{payload:[conversation]}` (the latest 20, no pages);
 * - `GET` and `POST /contacts/{id}/labels`: `{payload:[title]}` (the POST replaces the whole list).
 */

export const CONTACT_PAGE_SIZE = 15;

/** Request body fields, in the API's names; `inbox_id` only on create. */
export interface ContactFields {
	name?: string;
	email?: string;
	phone_number?: string;
	identifier?: string;
	blocked?: boolean;
	custom_attributes?: IDataObject;
	additional_attributes?: IDataObject;
	inbox_id?: number;
}

/** The keys that are unique per account, in the order upsert looks a contact up by them. */
export type ContactKey = 'identifier' | 'email' | 'phone_number';
export const CONTACT_KEYS: ContactKey[] = ['identifier', 'email', 'phone_number'];
export const KEY_WORDS: Record<ContactKey, string> = { identifier: 'identifier', email: 'e-mail', phone_number: 'phone number' };

export interface ContactPage {
	contacts: IDataObject[];
	/** The total (list, filter); undefined for search, whose `count` is this page's length. */
	total?: number;
	/** Search only. */
	hasMore?: boolean;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Envelopes

/** A contact as the server sent it (same keys, same order), or undefined when it is not one. */
export function toContactJson(value: unknown): IDataObject | undefined {
	if (!isObject(value) || !Number.isInteger(Number(value.id))) return undefined;
	return withoutSecrets(value);
}

/** List, filter and search pages. */
export function unwrapContactPage(body: unknown): ContactPage | undefined {
	if (!isObject(body) || !Array.isArray(body.payload)) return undefined;
	const contacts = body.payload.map(toContactJson);
	if (!contacts.every((contact) => contact !== undefined)) return undefined;
	const meta = isObject(body.meta) ? body.meta : {};
	const page: ContactPage = { contacts: contacts as IDataObject[] };
	if (typeof meta.has_more === 'boolean' || 'has_more' in meta) page.hasMore = meta.has_more === true;
	else if (meta.count !== undefined && meta.count !== null && Number.isFinite(Number(meta.count))) page.total = Number(meta.count);
	return page;
}

/** `{payload: contact}` (show, update) or `{payload:{contact, contact_inbox}}` (create). */
export function unwrapContact(body: unknown): IDataObject | undefined {
	if (!isObject(body)) return undefined;
	const payload = body.payload;
	if (isObject(payload) && isObject(payload.contact)) return toContactJson(payload.contact);
	return toContactJson(payload) ?? toContactJson(body);
}

/** `{payload:[title]}`. */
export function unwrapTitles(body: unknown): string[] | undefined {
	const list = isObject(body) && Array.isArray(body.payload) ? body.payload : Array.isArray(body) ? body : undefined;
	if (!list || !list.every((title) => typeof title === 'string')) return undefined;
	return list as string[];
}

// ---------------------------------------------------------------------------------------------
// Errors in the contact's own words

export function contactExplainer(id?: number | string) {
	return (failure: Failure): Omit<Explanation, 'httpCode'> | undefined => {
		const lower = failure.text.toLowerCase();
		const accountId = failure.subject.accountId;
		if ((failure.status === 401 || failure.status === 403) && lower.includes('not authorized to do this action')) {
			return {
				reason: 'agent',
				message: "Klivo does not let this token's user do this with contacts",
				description: `Agents may read, create, update and tag contacts, but only administrators may delete them. Use an administrator's access token in the Klivo API credential (${TOKEN_HINT} while logged in as an administrator of account ${accountId}).`,
			};
		}
		if (failure.status === 404 && id !== undefined) {
			return {
				reason: 'notFound',
				message: `Contact ${id} does not exist in account ${accountId}`,
				description: 'It may have been deleted or merged into another contact in Klivo. Use Contact > Search to find it by name, e-mail or phone number.',
			};
		}
		if (failure.status === 422) {
			if (lower.includes('e164')) {
				return {
					reason: 'rejected',
					message: 'Klivo rejected the phone number',
					description: 'Give the number with its country code, e.g. +55 11 98765-4321.',
				};
			}
			if (lower.includes('is online')) {
				return {
					reason: 'rejected',
					message: `Klivo does not delete a contact while they are online: ${failure.text}`,
					description: 'Try again later, when the contact has left the chat.',
				};
			}
			return {
				reason: 'rejected',
				message: `Klivo rejected the contact: ${failure.text || 'unprocessable'}`,
				description: 'Check the fields of this operation against the reason Klivo gave.',
			};
		}
		return undefined;
	};
}

function context(id?: number | string): RequestContext {
	return { resource: 'contact', id, explain: contactExplainer(id) };
}

/** Klivo allows 100 contact searches a minute per account, and says only "Retry later". */
const searchContext: RequestContext = {
	resource: 'contact',
	explain: (failure) => {
		if (failure.status !== 429) return contactExplainer()(failure);
		const wait = failure.subject.retryAfterSeconds;
		return {
			reason: 'rateLimited',
			retryAfterSeconds: wait,
			message: 'Klivo allows 100 contact searches a minute in an account, and that limit is reached',
			description: `Wait ${wait !== undefined ? `${wait} seconds` : 'a minute'} and run again, or enable Retry On Fail with a wait of 60 seconds. To find one contact by e-mail, phone number or identifier, Create or Update looks it up exactly without this limit.`,
		};
	},
};

function unexpectedShape(context: KlivoContext, response: KlivoResponse, what: string, itemIndex?: number): NodeApiError {
	return toNodeApiError(
		context.getNode(),
		{
			reason: 'format',
			message: `Klivo answered the contact ${what} request in an unknown format`,
			description: `Check that the Base URL (${response.subject.baseUrl}) points at a Klivo or Chatwoot server, not at a web page.`,
		},
		itemIndex,
	);
}

function toBody(fields: ContactFields): IDataObject {
	const body: IDataObject = {};
	for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
	return body;
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function getContact(this: KlivoContext, id: number, itemIndex?: number): Promise<IDataObject> {
	const response = await klivoRequest.call(this, { method: 'GET', path: `/contacts/${id}`, context: context(id), itemIndex });
	const contact = unwrapContact(response.body);
	if (!contact) throw unexpectedShape(this, response, 'get', itemIndex);
	return contact;
}

async function page(this: KlivoContext, path: string, qs: Query, what: string, itemIndex?: number): Promise<ContactPage> {
	const response = await klivoRequest.call(this, { method: 'GET', path, qs, context: context(), itemIndex });
	const result = unwrapContactPage(response.body);
	if (!result) throw unexpectedShape(this, response, what, itemIndex);
	return result;
}

/** One page of `GET /contacts` (contacts with an e-mail, phone number or identifier only). */
export async function listContactsPage(
	this: KlivoContext,
	options: { page: number; sort?: string },
	itemIndex?: number,
): Promise<ContactPage> {
	return await page.call(this, '/contacts', { page: options.page, sort: options.sort }, 'list', itemIndex);
}

/** One page of `GET /contacts/search`: substring of name, e-mail, phone or identifier; 100 a minute. */
export async function searchContactsPage(
	this: KlivoContext,
	options: { query: string; page: number; sort?: string },
	itemIndex?: number,
): Promise<ContactPage> {
	const response = await klivoRequest.call(this, {
		method: 'GET',
		path: '/contacts/search',
		qs: { q: options.query, page: options.page, sort: options.sort },
		context: searchContext,
		itemIndex,
	});
	const result = unwrapContactPage(response.body);
	if (!result) throw unexpectedShape(this, response, 'search', itemIndex);
	return result;
}

/**
 * A contact added or deleted while the pages are read shifts the later pages by one: a repeat is
 * dropped here (a contact lost that way is the cost of a list without a cursor).
 */
function unique(contacts: IDataObject[]): IDataObject[] {
	const seen = new Set<string>();
	return contacts.filter((contact) => {
		const id = String(contact.id);
		if (seen.has(id)) return false;
		seen.add(id);
		return true;
	});
}

/** Every contact, or the first `limit`: the first page's `meta.count` says how many pages, fetched several at a time. */
export async function listContacts(
	this: KlivoContext,
	options: { sort?: string; limit?: number },
	itemIndex?: number,
): Promise<IDataObject[]> {
	const contacts = await collectPages(
		async (pageNumber) => {
			const result = await listContactsPage.call(this, { page: pageNumber, sort: options.sort }, itemIndex);
			return { items: result.contacts, total: result.total };
		},
		{ pageSize: CONTACT_PAGE_SIZE, limit: options.limit, concurrency: PAGE_CONCURRENCY },
	);
	return unique(contacts);
}

/**
 * Every match, or the first `limit`. Search pages report no total (`count` is the page's length):
 * `has_more` decides, and "no more" is turned into the total so far, so that no empty page is asked for.
 */
export async function searchContacts(
	this: KlivoContext,
	options: { query: string; sort?: string; limit?: number },
	itemIndex?: number,
): Promise<IDataObject[]> {
	const contacts = await collectPages(
		async (pageNumber) => {
			const result = await searchContactsPage.call(this, { query: options.query, page: pageNumber, sort: options.sort }, itemIndex);
			const total = result.hasMore === false ? (pageNumber - 1) * CONTACT_PAGE_SIZE + result.contacts.length : undefined;
			return { items: result.contacts, total };
		},
		{ pageSize: CONTACT_PAGE_SIZE, limit: options.limit },
	);
	return unique(contacts);
}

/**
 * Contacts whose key equals one of the values exactly (case-insensitive, as Klivo compares): one
 * `POST /contacts/filter` with the conditions joined by OR. Each key is unique per account, so the
 * first page holds every match.
 */
export async function findContactsExactly(
	this: KlivoContext,
	values: Partial<Record<ContactKey, string>>,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const keys = CONTACT_KEYS.filter((key) => values[key] !== undefined && values[key] !== '');
	if (keys.length === 0) return [];
	const payload = keys.map((key, index) => ({
		attribute_key: key,
		filter_operator: 'equal_to',
		values: [values[key]],
		// The last condition takes null (reference §2.3).
		query_operator: index === keys.length - 1 ? null : 'OR',
	}));
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: '/contacts/filter',
		qs: { page: 1 },
		body: { payload },
		context: context(),
		itemIndex,
	});
	const result = unwrapContactPage(response.body);
	if (!result) throw unexpectedShape(this, response, 'filter', itemIndex);
	return result.contacts;
}

export async function contactConversations(this: KlivoContext, id: number, itemIndex?: number): Promise<IDataObject[]> {
	const response = await klivoRequest.call(this, { method: 'GET', path: `/contacts/${id}/conversations`, context: context(id), itemIndex });
	const body = response.body;
	const list = isObject(body) && Array.isArray(body.payload) ? body.payload : undefined;
	if (!list || !list.every(isObject)) throw unexpectedShape(this, response, 'conversations', itemIndex);
	return list.map((conversation) => withoutSecrets(conversation));
}

export async function getContactLabels(this: KlivoContext, id: number, itemIndex?: number): Promise<string[]> {
	const response = await klivoRequest.call(this, { method: 'GET', path: `/contacts/${id}/labels`, context: context(id), itemIndex });
	const titles = unwrapTitles(response.body);
	if (!titles) throw unexpectedShape(this, response, 'labels', itemIndex);
	return titles;
}

/** Replaces the contact's whole label list (the API has no add or remove). */
export async function setContactLabels(this: KlivoContext, id: number, labels: string[], itemIndex?: number): Promise<string[]> {
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: `/contacts/${id}/labels`,
		body: { labels },
		context: context(id),
		itemIndex,
	});
	const titles = unwrapTitles(response.body);
	if (!titles) throw unexpectedShape(this, response, 'labels', itemIndex);
	return titles;
}

// ---------------------------------------------------------------------------------------------
// Writes

/** Which unique keys a 422 says are taken (`{message:"Email has already been taken", attributes:["email"]}`). */
export function takenKeys(body: unknown): ContactKey[] {
	const text = serverText(body).toLowerCase();
	if (!text.includes('already been taken')) return [];
	const attributes = isObject(body) && Array.isArray(body.attributes) ? body.attributes.map(String) : [];
	const taken = CONTACT_KEYS.filter((key) => attributes.includes(key));
	if (taken.length > 0) return taken;
	// Without `attributes`, read the message: "Email has already been taken, Phone number has ...".
	return CONTACT_KEYS.filter((key) => text.includes(`${KEY_WORDS[key].replace('e-mail', 'email')} has already been taken`));
}

function describeContact(contact: IDataObject): string {
	const name = typeof contact.name === 'string' && contact.name !== '' ? ` (${contact.name})` : '';
	return `contact ${String(contact.id)}${name}`;
}

/**
 * A 422 duplicate does not say which contact holds the value (chatwoot#15917): look it up, so that
 * the message can name it.
 */
async function duplicateError(
	this: KlivoContext,
	response: KlivoResponse,
	fields: ContactFields,
	operation: 'create' | 'update',
	itemIndex?: number,
): Promise<NodeApiError> {
	const taken = takenKeys(response.body);
	const values: Partial<Record<ContactKey, string>> = {};
	for (const key of taken) if (fields[key] !== undefined) values[key] = String(fields[key]);
	let holders: IDataObject[] = [];
	try {
		holders = await findContactsExactly.call(this, values, itemIndex);
	} catch {
		// The duplicate is the error to report; a failed look-up only makes it less precise.
	}
	const parts = taken.map((key) => {
		const value = values[key] ?? '';
		const holder = holders.find((contact) => String(contact[key] ?? '').toLowerCase() === value.toLowerCase());
		return `the ${KEY_WORDS[key]} ${value} already belongs to ${holder ? describeContact(holder) : 'another contact'}`;
	});
	const holderIds = [...new Set(holders.map((contact) => String(contact.id)))];
	const message = `Klivo refused to ${operation} the contact: ${parts.join(', and ')}`;
	const description =
		operation === 'create'
			? `Each e-mail, phone number and identifier belongs to one contact. Use the Create or Update operation to update the existing contact instead of creating one${holderIds.length === 1 ? `, or Update contact ${holderIds[0]}` : ''}.`
			: 'Each e-mail, phone number and identifier belongs to one contact. Leave that field out, or merge the two contacts in Klivo first.';
	const error = toNodeApiError(this.getNode(), { httpCode: '422', reason: 'rejected', message, description }, itemIndex);
	error.context.existingContactIds = holderIds.map(Number);
	return error;
}

export async function createContact(this: KlivoContext, fields: ContactFields, itemIndex?: number): Promise<IDataObject> {
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: '/contacts',
		body: toBody(fields),
		context: context(),
		itemIndex,
		accept: [422],
	});
	if (response.status === 422) throw await failedWrite.call(this, response, fields, 'create', itemIndex);
	const contact = unwrapContact(response.body);
	if (!contact) throw unexpectedShape(this, response, 'create', itemIndex);
	return contact;
}

/** Custom and additional attributes are merged into the contact's by the server; other fields replace. */
export async function updateContact(this: KlivoContext, id: number, fields: ContactFields, itemIndex?: number): Promise<IDataObject> {
	const response = await klivoRequest.call(this, {
		method: 'PUT',
		path: `/contacts/${id}`,
		body: toBody(fields),
		context: context(id),
		itemIndex,
		accept: [422],
	});
	if (response.status === 422) throw await failedWrite.call(this, response, fields, 'update', itemIndex);
	const contact = unwrapContact(response.body);
	if (!contact) throw unexpectedShape(this, response, 'update', itemIndex);
	return contact;
}

async function failedWrite(
	this: KlivoContext,
	response: KlivoResponse,
	fields: ContactFields,
	operation: 'create' | 'update',
	itemIndex?: number,
): Promise<NodeApiError> {
	if (takenKeys(response.body).length > 0) return await duplicateError.call(this, response, fields, operation, itemIndex);
	const text = serverText(response.body);
	const own = contactExplainer()({ status: 422, text, body: response.body, subject: response.subject });
	return toNodeApiError(this.getNode(), { httpCode: '422', ...own! }, itemIndex);
}

/** Makes the contact reachable in an inbox (`POST /contacts/{id}/contact_inboxes`); answers `{source_id, inbox}`. */
export async function addContactInbox(this: KlivoContext, id: number, inboxId: number, itemIndex?: number): Promise<void> {
	await klivoRequest.call(this, {
		method: 'POST',
		path: `/contacts/${id}/contact_inboxes`,
		body: { inbox_id: inboxId },
		context: { resource: 'contact', id, explain: inboxExplainer(inboxId) },
		itemIndex,
	});
}

function inboxExplainer(inboxId: number) {
	return (failure: Failure): Omit<Explanation, 'httpCode'> | undefined => {
		if (failure.status === 404) {
			return {
				reason: 'notFound',
				message: `Inbox ${inboxId} does not exist in account ${failure.subject.accountId}`,
				description: 'Check the Inbox ID: see Klivo > Settings > Inboxes.',
			};
		}
		if (failure.status === 401 || failure.status === 403) {
			return {
				reason: 'agent',
				message: `This token's user is not a member of inbox ${inboxId}`,
				description: "Agents may add contacts only to their own inboxes: add the agent to the inbox in Klivo, or use an administrator's access token.",
			};
		}
		return contactExplainer()(failure);
	};
}

export async function deleteContact(this: KlivoContext, id: number, itemIndex?: number): Promise<void> {
	await klivoRequest.call(this, { method: 'DELETE', path: `/contacts/${id}`, context: context(id), itemIndex });
}
