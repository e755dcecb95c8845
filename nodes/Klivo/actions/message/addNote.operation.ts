import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { postContent } from './post';
import { attachmentsOption } from './send.operation';

const properties: INodeProperties[] = [
	{ ...conversationRLC, description: 'The conversation to add the note to: the number shown in Klivo (#1287)' },
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The text of the note. Only agents see it, never the customer.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [attachmentsOption, concurrencyOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['addNote'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await postContent.call(this, itemIndex, { private: true });
}
