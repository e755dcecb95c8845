import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateContact } from '../../api/contact';
import { concurrencyOptions } from '../concurrency';
import { contactFieldOptions, contactIdField, readContactFields, readContactId, show } from './fields';

export const description: INodeProperties[] = [
	contactIdField('update', 'The contact to update'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Only the fields you add here change. Custom and additional attributes are merged: keys you do not give keep their value.',
		displayOptions: show('update'),
		options: [
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: "The contact's full name",
			},
			...contactFieldOptions(false),
		],
	},
	{ ...concurrencyOptions, displayOptions: show('update') },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readContactId.call(this, itemIndex);
	const input = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const fields = readContactFields.call(this, input, itemIndex);
	if (Object.keys(fields).length === 0) {
		throw new NodeOperationError(this.getNode(), 'Nothing to update', {
			itemIndex,
			description: "Add at least one field with a value under 'Update Fields'.",
		});
	}
	return await updateContact.call(this, id, fields, itemIndex);
}
