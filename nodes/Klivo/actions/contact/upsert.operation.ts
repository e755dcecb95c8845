import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	addContactInbox,
	CONTACT_KEYS,
	createContact,
	findContactsExactly,
	KEY_WORDS,
	updateContact,
	type ContactFields,
	type ContactKey,
} from '../../api/contact';
import { concurrencyOptions } from '../concurrency';
import { nameField } from './create.operation';
import { contactFieldOptions, readContactFields, show } from './fields';

export const description: INodeProperties[] = [
	{
		displayName:
			'Finds the contact with exactly this identifier, else this e-mail, else this phone number, and updates it; creates it when there is none. Give at least one of the three. Running the same items again creates nothing new.',
		name: 'upsertNotice',
		type: 'notice',
		default: '',
		displayOptions: show('upsert'),
	},
	nameField('upsert'),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Identifier, Email or Phone Number finds the contact; the other fields are written. Custom attributes are merged into existing ones.',
		displayOptions: show('upsert'),
		options: contactFieldOptions(true),
	},
	{ ...concurrencyOptions, displayOptions: show('upsert') },
];

/** How Klivo compares: e-mails are stored in lower case, identifiers and E.164 numbers as given. */
function same(key: ContactKey, stored: unknown, wanted: string): boolean {
	if (typeof stored !== 'string') return false;
	return key === 'email' ? stored.toLowerCase() === wanted.toLowerCase() : stored === wanted;
}

function describe(contact: IDataObject): string {
	return `contact ${String(contact.id)}${typeof contact.name === 'string' && contact.name !== '' ? ` (${contact.name})` : ''}`;
}

function inInbox(contact: IDataObject, inboxId: number): boolean {
	const links = Array.isArray(contact.contact_inboxes) ? (contact.contact_inboxes as IDataObject[]) : [];
	return links.some((link) => Number((link.inbox as IDataObject | undefined)?.id) === inboxId);
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const input = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const fields = readContactFields.call(this, input, itemIndex, this.getNodeParameter('name', itemIndex, ''));
	const keys = CONTACT_KEYS.filter((key) => fields[key] !== undefined);
	if (keys.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Create or Update needs an identifier, an e-mail or a phone number', {
			itemIndex,
			description:
				"Add Identifier, Email or Phone Number under 'Additional Fields': they find the existing contact. To always create a new contact, use Create.",
		});
	}
	const wanted: Partial<Record<ContactKey, string>> = {};
	for (const key of keys) wanted[key] = String(fields[key]);

	// One exact look-up for all keys; the order of the keys decides which contact is meant.
	const candidates = await findContactsExactly.call(this, wanted, itemIndex);
	let found: IDataObject | undefined;
	let foundBy: ContactKey | undefined;
	for (const key of keys) {
		found = candidates.find((contact) => same(key, contact[key], wanted[key]!));
		if (found) {
			foundBy = key;
			break;
		}
	}

	if (!found) {
		const contact = await createContact.call(this, fields, itemIndex);
		return { action: 'created', ...contact };
	}

	// Another contact holding one of the other values would make the update fail with a bare 422.
	for (const key of keys) {
		const holder = candidates.find((contact) => contact.id !== found!.id && same(key, contact[key], wanted[key]!));
		if (holder) {
			throw new NodeOperationError(
				this.getNode(),
				`The ${KEY_WORDS[foundBy!]} ${wanted[foundBy!]} belongs to ${describe(found)}, but the ${KEY_WORDS[key]} ${wanted[key]} belongs to ${describe(holder)}`,
				{
					itemIndex,
					description: `Klivo lets one contact hold each e-mail, phone number and identifier, so this item matches two contacts. Merge them in Klivo, or correct the item's ${KEY_WORDS[key]}.`,
				},
			);
		}
	}

	// Update does not take an inbox: link it first, so that the update's answer lists it.
	const { inbox_id: inboxId, ...changes } = fields;
	if (inboxId !== undefined && !inInbox(found, inboxId)) await addContactInbox.call(this, Number(found.id), inboxId, itemIndex);
	const update: ContactFields = changes;
	const contact = await updateContact.call(this, Number(found.id), update, itemIndex);
	return { action: 'updated', ...contact };
}
