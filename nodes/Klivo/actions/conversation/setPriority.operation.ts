import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { PRIORITIES, updatePriority, type Priority } from '../../api/conversation';
import { concurrencyOptions } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { readConversationId } from '../helpers';

const properties: INodeProperties[] = [
	conversationRLC,
	{
		displayName: 'Priority',
		name: 'priority',
		type: 'options',
		default: 'medium',
		options: [
			{ name: 'High', value: 'high' },
			{ name: 'Low', value: 'low' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'None', value: 'none', description: 'Clear the priority' },
			{ name: 'Urgent', value: 'urgent' },
		],
	},
	concurrencyOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['setPriority'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readConversationId.call(this, itemIndex);
	const value = String(this.getNodeParameter('priority', itemIndex) ?? '').trim().toLowerCase();
	if (value !== 'none' && value !== '' && !PRIORITIES.includes(value as Priority)) {
		throw new NodeOperationError(this.getNode(), `'${value}' is not a priority`, {
			itemIndex,
			description: `Use one of ${PRIORITIES.join(', ')}, or none.`,
		});
	}
	// 'none' must travel as null: Klivo answers the string 'none' with a server error.
	const priority = value === 'none' || value === '' ? null : (value as Priority);
	return await updatePriority.call(this, id, priority, itemIndex);
}
