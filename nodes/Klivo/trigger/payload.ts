import type { IDataObject } from 'n8n-workflow';

/**
 * What an authenticated delivery must look like before it may start an execution. Klivo (Chatwoot)
 * always posts JSON, and every event names the thing it is about: a message and its conversation, a
 * conversation, a contact. A body without that, or with fields of the wrong type, did not come from
 * Klivo's serializers and would only give the workflow nulls and surprises, so it is refused (400).
 * The checks are deliberately few: identity fields and the types the summary relies on.
 */

/** `application/json`, `application/json; charset=utf-8`, `application/vnd.api+json`, `text/json`. */
export function isJsonContentType(value: unknown): boolean {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string') return false;
	const type = text.split(';')[0].trim().toLowerCase();
	return type === 'application/json' || type === 'text/json' || /^application\/[a-z0-9.+-]*\+json$/.test(type);
}

type Check = (value: unknown) => boolean;

const isObject: Check = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isObjectOrNull: Check = (value) => value === null || isObject(value);
const isIdLike: Check = (value) =>
	(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
	(typeof value === 'string' && /^\d{1,15}$/.test(value));
const isIdOrNull: Check = (value) => value === null || isIdLike(value);
const isStringOrNull: Check = (value) => value === null || typeof value === 'string';
const isBooleanOrNull: Check = (value) => value === null || typeof value === 'boolean';
const isArrayOrNull: Check = (value) => value === null || Array.isArray(value);
const isMessageType: Check = (value) => typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
const isChanges: Check = (value) => value === null || Array.isArray(value) || isObject(value);

/** Checked wherever they appear (Klivo's payloads never carry them in another type). */
const FIELD_TYPES: Record<string, [Check, string]> = {
	id: [isIdLike, 'a number'],
	account_id: [isIdOrNull, 'a number'],
	inbox_id: [isIdOrNull, 'a number'],
	account: [isObjectOrNull, 'an object'],
	inbox: [isObjectOrNull, 'an object'],
	conversation: [isObjectOrNull, 'an object'],
	sender: [isObjectOrNull, 'an object'],
	contact: [isObjectOrNull, 'an object'],
	user: [isObjectOrNull, 'an object'],
	meta: [isObjectOrNull, 'an object'],
	current_conversation: [isObjectOrNull, 'an object'],
	content: [isStringOrNull, 'a string'],
	message_type: [isMessageType, 'a string'],
	private: [isBooleanOrNull, 'true or false'],
	status: [isStringOrNull, 'a string'],
	changed_attributes: [isChanges, 'a list'],
	messages: [isArrayOrNull, 'a list'],
};

type SubjectFields = Array<[name: string, check: Check, what: string]>;

/** The field(s) naming what each family of events is about. */
function requiredFields(event: string): SubjectFields {
	if (event === 'message_created' || event === 'message_updated') {
		return [
			['id', isIdLike, 'the message id'],
			['conversation', isObject, 'the conversation'],
		];
	}
	if (event.startsWith('conversation_typing')) return [['conversation', isObject, 'the conversation']];
	if (event.startsWith('conversation_') || event.startsWith('contact_')) return [['id', isIdLike, 'its id']];
	if (event === 'webwidget_triggered') return [['contact', isObject, 'the contact']];
	return [];
}

/** Why a delivery of a known event is malformed, or undefined when it has the shape Klivo sends. */
export function malformation(event: string, payload: IDataObject): string | undefined {
	for (const [name, check, what] of requiredFields(event)) {
		if (payload[name] === undefined || !check(payload[name])) {
			return `a ${event} delivery must carry ${what} ('${name}')`;
		}
	}
	for (const [name, [check, what]] of Object.entries(FIELD_TYPES)) {
		const value = payload[name];
		if (value !== undefined && !check(value)) return `'${name}' must be ${what}`;
	}
	return undefined;
}
