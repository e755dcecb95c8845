import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ContactFields } from '../../api/contact';
import { checkLabelTitle, LABEL_TITLE_RULE } from '../../api/label';
import { contactRLC } from '../common.descriptions';
import { CONTACT_WORDS, readId } from '../helpers';
import { PHONE_EXAMPLE, toE164 } from './phone';

export function show(operation: string | string[]) {
	return { show: { resource: ['contact'], operation: Array.isArray(operation) ? operation : [operation] } };
}

/** The shared contact locator (list or ID), shown for these operations. */
export function contactIdField(operation: string | string[], description: string): INodeProperties {
	return { ...contactRLC, description, displayOptions: show(operation) };
}

/** The fields of a contact, shared by Create, Create or Update (both with the inbox) and Update. */
export function contactFieldOptions(withInbox: boolean): INodeProperties[] {
	const options: INodeProperties[] = [
		{
			displayName: 'Additional Attributes (JSON)',
			name: 'additionalAttributes',
			type: 'json',
			default: '{}',
			description:
				'Klivo\'s built-in details as a JSON object, e.g. {"company_name": "Acme", "city": "São Paulo", "country": "Brazil", "description": "..."}. Merged into the existing ones on update.',
		},
		{
			displayName: 'Blocked',
			name: 'blocked',
			type: 'boolean',
			default: false,
			description: 'Whether Klivo blocks messages from this contact',
		},
		{
			displayName: 'Custom Attributes (JSON)',
			name: 'customAttributes',
			type: 'json',
			default: '{}',
			description:
				'Your own attributes as a JSON object, e.g. {"plan": "pro", "customer_since": "2024-05-01"}. On update they are merged: keys not given keep their value.',
		},
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
			description: 'Unique in the account: no two contacts share an e-mail',
		},
		{
			displayName: 'Identifier',
			name: 'identifier',
			type: 'string',
			default: '',
			placeholder: 'e.g. crm-8812',
			description: "Your own system's ID for this contact (CRM, shop), unique in the account. Best key for Create or Update.",
		},
	];
	if (withInbox) {
		options.push({
			displayName: 'Inbox ID',
			name: 'inboxId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 3',
			description:
				'Makes the contact reachable in this inbox (needed before starting a conversation there). The number after /inboxes/ in Klivo\'s address bar, or see Settings > Inboxes.',
		});
	}
	options.push(
		{
			displayName: 'Phone Number',
			name: 'phoneNumber',
			type: 'string',
			default: '',
			placeholder: '+55 11 98765-4321',
			description:
				'With the country code. Spaces, dashes, dots and parentheses are removed (e.g. +55 (011) 98765-4321 becomes +5511987654321). Unique in the account.',
		},
	);
	return options;
}

function invalid(this: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, { itemIndex, description });
}

export function readContactId(this: IExecuteFunctions, itemIndex: number): number {
	return readId.call(this, 'contactId', CONTACT_WORDS, itemIndex);
}

function readJsonObject(this: IExecuteFunctions, value: unknown, field: string, itemIndex: number): IDataObject | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw invalid.call(this, itemIndex, `${field} is not valid JSON`, 'Give a JSON object such as {"plan": "pro"}.');
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw invalid.call(this, itemIndex, `${field} must be a JSON object`, 'Give a JSON object such as {"plan": "pro"}.');
	}
	return Object.keys(parsed).length === 0 ? undefined : (parsed as IDataObject);
}

export function readPhone(this: IExecuteFunctions, value: unknown, itemIndex: number): string {
	const result = toE164(value);
	if (!result.ok) {
		throw invalid.call(
			this,
			itemIndex,
			`${result.problem}`,
			`Klivo stores phone numbers in international form: + and the country code, then the number, e.g. ${PHONE_EXAMPLE}. Spaces, dashes, dots and parentheses are fine.`,
		);
	}
	return result.e164;
}

/** Same check as Klivo's (`Devise.email_regexp`), so a typo fails here with the item that has it. */
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/**
 * The user's fields in the API's names, checked before any request. Empty strings mean "not given",
 * so an expression that resolves to nothing does not wipe a field.
 */
export function readContactFields(this: IExecuteFunctions, input: IDataObject, itemIndex: number, name?: unknown): ContactFields {
	const fields: ContactFields = {};
	const text = (value: unknown) => (value === undefined || value === null ? '' : String(value).trim());
	if (text(name) !== '') fields.name = text(name);
	if (input.name !== undefined && text(input.name) !== '') fields.name = text(input.name);
	if (text(input.email) !== '') {
		const email = text(input.email).toLowerCase();
		if (!EMAIL.test(email)) {
			throw invalid.call(this, itemIndex, `'${text(input.email)}' is not an e-mail address`, 'Give an address such as maria@example.com.');
		}
		fields.email = email;
	}
	if (text(input.phoneNumber) !== '') fields.phone_number = readPhone.call(this, input.phoneNumber, itemIndex);
	if (text(input.identifier) !== '') fields.identifier = text(input.identifier);
	if (input.blocked !== undefined) fields.blocked = input.blocked === true || input.blocked === 'true';
	const custom = readJsonObject.call(this, input.customAttributes, 'Custom Attributes', itemIndex);
	if (custom) fields.custom_attributes = custom;
	const additional = readJsonObject.call(this, input.additionalAttributes, 'Additional Attributes', itemIndex);
	if (additional) fields.additional_attributes = additional;
	if (text(input.inboxId) !== '') {
		const inbox = Number(text(input.inboxId).replace(/^#/, ''));
		if (!Number.isInteger(inbox) || inbox <= 0) {
			throw invalid.call(this, itemIndex, `'${text(input.inboxId)}' is not an inbox ID`, 'An inbox ID is a whole number: see Klivo > Settings > Inboxes.');
		}
		fields.inbox_id = inbox;
	}
	return fields;
}

/** A list of titles from a multi-select, an array expression or a comma-separated text. */
export function readTitles(value: unknown): string[] {
	const list = Array.isArray(value) ? value : String(value ?? '').split(',');
	return [...new Set(list.map((title) => String(title).trim()).filter((title) => title !== ''))];
}

/** Titles to add: each must be one Klivo could hold as an account label (lower case, no spaces). */
export function readLabelTitles(this: IExecuteFunctions, value: unknown, itemIndex: number): string[] {
	const titles: string[] = [];
	for (const raw of readTitles(value)) {
		const checked = checkLabelTitle(raw);
		if (!checked.ok) {
			throw invalid.call(
				this,
				itemIndex,
				checked.problem,
				`${LABEL_TITLE_RULE}.${checked.suggestion ? ` Did you mean '${checked.suggestion}'?` : ''}`,
			);
		}
		titles.push(checked.title);
	}
	if (titles.length === 0) {
		throw invalid.call(this, itemIndex, 'Give at least one label', 'Pick labels from the list, or give their titles separated by commas, e.g. vip, lead.');
	}
	return [...new Set(titles)];
}

export function labelsField(operation: 'addLabels' | 'removeLabels'): INodeProperties {
	if (operation === 'removeLabels') {
		return {
			displayName: 'Label Names or IDs',
			name: 'labels',
			type: 'multiOptions',
			typeOptions: { loadOptionsMethod: 'getLabels' },
			default: [],
			required: true,
			description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			hint: 'Titles, comma-separated in an expression. The contact keeps its other labels.',
			displayOptions: show(operation),
		};
	}
	return {
		displayName: 'Label Names or IDs',
		name: 'labels',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getLabels' },
		default: [],
		required: true,
		description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: "Titles, comma-separated in an expression. The contact keeps its other labels. A title that is not an account label is added but does not show in Klivo's sidebar: turn on Create Missing Labels to create it.",
		displayOptions: show(operation),
	};
}
