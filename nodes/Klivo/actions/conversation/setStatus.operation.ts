import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { CONVERSATION_STATUSES, toggleStatus, type ConversationStatus } from '../../api/conversation';
import { concurrencyOptions } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { readConversationId } from '../helpers';

const properties: INodeProperties[] = [
	conversationRLC,
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		default: 'resolved',
		options: [
			{ name: 'Open', value: 'open', description: 'Reopen it. With an agent\'s token, Klivo also assigns it to that agent.' },
			{ name: 'Pending', value: 'pending', description: 'Waiting, e.g. on a bot, before an agent sees it' },
			{ name: 'Resolved', value: 'resolved', description: 'Close it; a new message from the contact reopens it' },
			{ name: 'Snoozed', value: 'snoozed', description: 'Hide it until a time, or until the contact writes again' },
		],
	},
	{
		displayName: 'Snoozed Until',
		name: 'snoozedUntil',
		type: 'dateTime',
		default: '',
		description: 'When the conversation reopens. Leave empty to snooze until the contact writes again.',
		displayOptions: { show: { status: ['snoozed'] } },
	},
	concurrencyOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['setStatus'] } }, properties);

/** toggle_status reads Unix seconds; a date string would be a 500. */
function unixSeconds(this: IExecuteFunctions, value: unknown, itemIndex: number): number | undefined {
	if (value === undefined || value === null || String(value).trim() === '') return undefined;
	const text = String(value).trim();
	const ms = /^\d+$/.test(text) ? Number(text) * (text.length > 11 ? 1 : 1000) : Date.parse(text);
	if (!Number.isFinite(ms)) {
		throw new NodeOperationError(this.getNode(), `'${text}' is not a date`, {
			itemIndex,
			description: 'Give a date and time such as 2026-05-30T08:00:00Z, or Unix seconds.',
		});
	}
	return Math.floor(ms / 1000);
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readConversationId.call(this, itemIndex);
	const status = String(this.getNodeParameter('status', itemIndex)).trim().toLowerCase() as ConversationStatus;
	if (!CONVERSATION_STATUSES.includes(status)) {
		throw new NodeOperationError(this.getNode(), `'${status}' is not a conversation status`, {
			itemIndex,
			description: `Use one of ${CONVERSATION_STATUSES.join(', ')}.`,
		});
	}
	const until = status === 'snoozed' ? unixSeconds.call(this, this.getNodeParameter('snoozedUntil', itemIndex, ''), itemIndex) : undefined;
	return await toggleStatus.call(this, id, status, until, itemIndex);
}
