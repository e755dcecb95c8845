import type { INodeProperties } from 'n8n-workflow';

import * as addNote from './addNote.operation';
import * as del from './delete.operation';
import * as getAll from './getAll.operation';
import * as send from './send.operation';
import * as sendTemplate from './sendTemplate.operation';

export const operations = { addNote, delete: del, getAll, send, sendTemplate };

export type MessageOperation = keyof typeof operations;

/**
 * `action` is all an AI agent is told about a tool (n8n adds " in Klivo"), so each one says what it
 * does and when to use it; `description` adds what it returns.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Add Private Note',
				value: 'addNote',
				description:
					'Write a note in a conversation that only agents see, never the customer (hand-off summaries, context for a person). Returns the note.',
				action: 'Add a private note for agents that the customer never sees',
			},
			{
				name: 'Delete',
				value: 'delete',
				description:
					'Delete one message of a conversation: Klivo shows "This message was deleted" and removes its files. Returns the message as it now is.',
				action: 'Delete a message from a customer conversation',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description:
					"Read a conversation's messages, oldest first: the latest ones up to the limit, or all. Use it to learn what was said before answering. Returns one item per message.",
				action: 'Read the message history of a customer conversation oldest first',
			},
			{
				name: 'Send',
				value: 'send',
				description: 'Reply to the customer of a conversation with text and/or files. The customer receives it. Returns the message sent.',
				action: 'Send a reply to the customer of a conversation',
			},
			{
				name: 'Send WhatsApp Template',
				value: 'sendTemplate',
				description:
					'Send an approved WhatsApp template: the only message WhatsApp lets a business send more than 24 hours after the customer last wrote. Returns the message sent.',
				action: 'Send an approved template message to a customer whose 24 hour reply window has closed',
			},
		],
		default: 'send',
	},
	...send.description,
	...sendTemplate.description,
	...addNote.description,
	...getAll.description,
	...del.description,
];
