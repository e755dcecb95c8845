import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { contactConversations } from '../../api/contact';
import { contactIdField, readContactId } from './fields';

export const description: INodeProperties[] = [
	contactIdField(
		'getConversations',
		"The contact whose conversations to get: Klivo gives the 20 with the latest activity, of every status (for an agent's token, only those in the agent's inboxes)",
	),
];

/** One item per conversation; Klivo has no pages here. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	return await contactConversations.call(this, readContactId.call(this, itemIndex), itemIndex);
}
