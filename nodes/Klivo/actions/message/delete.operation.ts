import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { deleteMessage } from '../../api/message';
import { conversationRLC } from '../common.descriptions';
import { concurrencyOptions } from '../concurrency';
import { readConversationId } from '../helpers';
import { readMessageId } from './fields';

const properties: INodeProperties[] = [
	{ ...conversationRLC, description: 'The conversation the message is in: the number shown in Klivo (#1287)' },
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 90211',
		description: 'The ID of the message, as Get Many or a Klivo Trigger message event gives it',
	},
	concurrencyOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = readConversationId.call(this, itemIndex);
	const messageId = readMessageId.call(this, this.getNodeParameter('messageId', itemIndex, ''), itemIndex);
	return await deleteMessage.call(this, conversationId, messageId, itemIndex);
}
