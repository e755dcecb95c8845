import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { deleteContact } from '../../api/contact';
import { concurrencyOptions } from '../concurrency';
import { contactIdField, readContactId, show } from './fields';

export const description: INodeProperties[] = [
	{
		displayName: "Deleting a contact needs an administrator's access token, and deletes the contact's conversations too",
		name: 'deleteNotice',
		type: 'notice',
		default: '',
		displayOptions: show('delete'),
	},
	contactIdField('delete', 'The contact to delete'),
	{ ...concurrencyOptions, displayOptions: show('delete') },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readContactId.call(this, itemIndex);
	await deleteContact.call(this, id, itemIndex);
	return { deleted: true, id };
}
