import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { MESSAGE_PAGE_SIZE, isActivity, isPrivateNote, listHistory } from '../../api/message';
import { conversationRLC, limitProperty, returnAllProperty } from '../common.descriptions';
import { getLimit, readConversationId } from '../helpers';

const properties: INodeProperties[] = [
	{ ...conversationRLC, description: 'The conversation whose messages to get: the number shown in Klivo (#1287)' },
	returnAllProperty,
	// The messages API's page size; n8n's usual 50 would be two and a half pages.
	{ ...limitProperty, default: MESSAGE_PAGE_SIZE },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Include Activity',
				name: 'includeActivity',
				type: 'boolean',
				default: false,
				description: "Whether to include Klivo's activity lines (\"Conversation was resolved by Ana\", assignments, label changes)",
			},
			{
				displayName: 'Include Private Notes',
				name: 'includePrivateNotes',
				type: 'boolean',
				default: true,
				description: 'Whether to include the notes agents wrote for each other (the customer never sees them)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['getAll'] } }, properties);

/**
 * Reading order (oldest first); with a limit, the latest messages of the conversation, which is
 * what an agent or an AI needs before answering.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const conversationId = readConversationId.call(this, itemIndex);
	const limit = getLimit.call(this, itemIndex, MESSAGE_PAGE_SIZE);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const includeNotes = options.includePrivateNotes !== false;
	const includeActivity = options.includeActivity === true;
	const keep = (message: IDataObject) =>
		(includeNotes || !isPrivateNote(message)) && (includeActivity || !isActivity(message));
	// The server drops notes and activity together (`filter_internal_messages`); one without the
	// other is filtered here.
	const withoutInternal = !includeNotes && !includeActivity;

	return await listHistory.call(this, conversationId, { limit, keep, withoutInternal }, itemIndex);
}
