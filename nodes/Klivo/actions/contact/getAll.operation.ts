import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { listContacts } from '../../api/contact';
import { show } from './fields';
import { getLimit } from '../helpers';
import { returnAllFields, sortOption } from './list';

export const description: INodeProperties[] = [
	{
		displayName:
			'Lists contacts that have an e-mail, a phone number or an identifier (as Klivo\'s Contacts page does). To find anonymous web visitors too, use Search.',
		name: 'getAllNotice',
		type: 'notice',
		default: '',
		displayOptions: show('getAll'),
	},
	...returnAllFields('getAll'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('getAll'),
		options: [sortOption('The order of the contacts. Without it, contacts come oldest first.')],
	},
];

/** Oldest first by default: a stable order, so that pages read one after another neither skip nor repeat. */
const DEFAULT_SORT = 'created_at';

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const sort = typeof options.sort === 'string' && options.sort !== '' ? options.sort : DEFAULT_SORT;
	return await listContacts.call(this, { sort, limit: getLimit.call(this, itemIndex, 50) }, itemIndex);
}
