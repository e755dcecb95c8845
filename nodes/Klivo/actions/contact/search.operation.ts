import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { searchContacts } from '../../api/contact';
import { show } from './fields';
import { getLimit } from '../helpers';
import { returnAllFields } from './list';

export const description: INodeProperties[] = [
	{
		displayName: 'Search Text',
		name: 'query',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. maria or +5511987 or @example.com',
		description:
			'Part of the name, e-mail, phone number or identifier (name and e-mail ignore case). Klivo allows 100 searches a minute; to find one contact by its exact e-mail, phone or identifier, Create or Update is exact and not limited.',
		displayOptions: show('search'),
	},
	...returnAllFields('search'),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const query = String(this.getNodeParameter('query', itemIndex, '') ?? '').trim();
	if (query === '') {
		throw new NodeOperationError(this.getNode(), 'The search text is empty', {
			itemIndex,
			description: 'Give part of a name, e-mail, phone number or identifier. To list every contact, use Get Many.',
		});
	}
	return await searchContacts.call(this, { query, limit: getLimit.call(this, itemIndex, 50) }, itemIndex);
}
