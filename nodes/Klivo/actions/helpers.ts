import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * Readers of operation parameters, shared by the resources. Ids arrive from a resource locator (list
 * or ID mode), from an expression (`{{ $json.klivo.conversationId }}` gives a number), or from an AI
 * agent (`$fromAI`, a string): all of them are read the same way, before any request is made.
 */

/** The raw value of a resource locator or of a plain parameter. */
export function locatorValue(value: unknown): unknown {
	if (typeof value === 'object' && value !== null && '__rl' in value) return (value as INodeParameterResourceLocator).value;
	if (typeof value === 'object' && value !== null && 'value' in value) return (value as { value: unknown }).value;
	return value;
}

/** `1287`, `'1287'`, `' #1287 '` → 1287; anything else → undefined. */
export function toId(value: unknown): number | undefined {
	const text = String(locatorValue(value) ?? '').trim().replace(/^#/, '');
	if (!/^[0-9]+$/.test(text)) return undefined;
	const id = Number(text);
	return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export interface IdWords {
	/** 'conversation number', 'contact ID', ... */
	what: string;
	/** What to do instead, e.g. where the number is shown. */
	hint: string;
}

export const CONVERSATION_WORDS: IdWords = {
	what: 'conversation number',
	hint: "Use the number Klivo shows on the conversation (#1287 → 1287), for example the Klivo Trigger's {{ $json.klivo.conversationId }}, or pick one from the list.",
};
export const CONTACT_WORDS: IdWords = {
	what: 'contact ID',
	hint: "Pick a contact from the list, or use the Klivo Trigger's {{ $json.klivo.contact.id }}.",
};
export const INBOX_WORDS: IdWords = { what: 'inbox ID', hint: 'Pick an inbox from the list, or enter its numeric ID.' };
export const AGENT_WORDS: IdWords = { what: 'agent ID', hint: 'Pick an agent from the list, or enter the numeric ID of a user of the account.' };
export const TEAM_WORDS: IdWords = { what: 'team ID', hint: 'Pick a team from the list, or enter its numeric ID.' };

/** A positive whole-number id read from `value`, or an error that says which field and what to do. */
export function requireId(this: IExecuteFunctions, value: unknown, words: IdWords, itemIndex: number): number {
	const id = toId(value);
	if (id === undefined) {
		const raw = locatorValue(value);
		const shown = raw === undefined || raw === null || String(raw).trim() === '' ? 'An empty value' : `'${String(raw)}'`;
		throw new NodeOperationError(this.getNode(), `${shown} is not a ${words.what}`, { itemIndex, description: words.hint });
	}
	return id;
}

/** Reads a locator parameter (or a plain id parameter) as a positive whole number. */
export function readId(this: IExecuteFunctions, name: string, words: IdWords, itemIndex: number): number {
	return requireId.call(this, this.getNodeParameter(name, itemIndex), words, itemIndex);
}

export function readConversationId(this: IExecuteFunctions, itemIndex: number, name = 'conversationId'): number {
	return readId.call(this, name, CONVERSATION_WORDS, itemIndex);
}

/** Return All / Limit: undefined means all. */
export function getLimit(this: IExecuteFunctions, itemIndex: number, defaultLimit: number): number | undefined {
	if (this.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	const limit = Number(this.getNodeParameter('limit', itemIndex, defaultLimit));
	return Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : defaultLimit;
}

/** A list of names from a multi-select, an array expression or a comma-separated string; trimmed, no blanks, no repeats. */
export function readNames(value: unknown): string[] {
	const entries = Array.isArray(value) ? value : String(value ?? '').split(',');
	const names: string[] = [];
	for (const entry of entries) {
		const name = String(entry ?? '').trim();
		if (name !== '' && !names.includes(name)) names.push(name);
	}
	return names;
}

/** An object from a JSON parameter (text or an expression's object), or an error naming the field. */
export function readJsonObject(this: IExecuteFunctions, value: unknown, field: string, itemIndex: number): IDataObject {
	let parsed: unknown = value;
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return {};
		try {
			parsed = JSON.parse(text) as unknown;
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `${field} is not valid JSON`, {
				itemIndex,
				description: `Write an object such as {"order_id": "A-1029"} (${(error as Error).message}).`,
			});
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new NodeOperationError(this.getNode(), `${field} must be a JSON object`, {
			itemIndex,
			description: 'Write an object of keys and values, such as {"order_id": "A-1029"}.',
		});
	}
	return parsed as IDataObject;
}
