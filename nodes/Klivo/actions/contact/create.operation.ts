import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { createContact } from '../../api/contact';
import { concurrencyOptions } from '../concurrency';
import { contactFieldOptions, readContactFields, show } from './fields';

export function nameField(operation: string): INodeProperties {
	return {
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. Maria Souza',
		description: "The contact's full name",
		displayOptions: show(operation),
	};
}

export const description: INodeProperties[] = [
	nameField('create'),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description:
			"Give an e-mail, a phone number or an identifier: Klivo's contact list shows only contacts that have one. If one of them may already exist, use Create or Update.",
		displayOptions: show('create'),
		options: contactFieldOptions(true),
	},
	{ ...concurrencyOptions, displayOptions: show('create') },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const input = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const fields = readContactFields.call(this, input, itemIndex, this.getNodeParameter('name', itemIndex, ''));
	return await createContact.call(this, fields, itemIndex);
}
