import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getContact } from '../../api/contact';
import { contactIdField, readContactId } from './fields';

export const description: INodeProperties[] = [contactIdField('get', 'The contact to get')];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await getContact.call(this, readContactId.call(this, itemIndex), itemIndex);
}
