import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getConversation } from '../../api/conversation';
import { conversationRLC } from '../common.descriptions';
import { readConversationId } from '../helpers';

const properties: INodeProperties[] = [conversationRLC];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await getConversation.call(this, readConversationId.call(this, itemIndex), itemIndex);
}
