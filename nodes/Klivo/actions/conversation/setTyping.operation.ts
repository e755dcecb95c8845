import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { setTyping } from '../../api/conversation';
import { concurrencyOptions } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { readConversationId } from '../helpers';

const properties: INodeProperties[] = [
	conversationRLC,
	{
		displayName: 'Typing',
		name: 'typing',
		type: 'options',
		default: 'on',
		options: [
			{ name: 'On', value: 'on', description: 'Show the contact that someone is typing' },
			{ name: 'Off', value: 'off', description: 'Stop showing it' },
		],
	},
	concurrencyOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['setTyping'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readConversationId.call(this, itemIndex);
	const typing = this.getNodeParameter('typing', itemIndex) === 'off' ? 'off' : 'on';
	await setTyping.call(this, id, typing, itemIndex);
	return { conversation_id: id, typing };
}
