import type { INodeProperties } from 'n8n-workflow';

import * as addLabels from './addLabels.operation';
import * as assign from './assign.operation';
import * as create from './create.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as removeLabels from './removeLabels.operation';
import * as setCustomAttributes from './setCustomAttributes.operation';
import * as setPriority from './setPriority.operation';
import * as setStatus from './setStatus.operation';
import * as setTyping from './setTyping.operation';

export const operations = { addLabels, assign, create, get, getAll, removeLabels, setCustomAttributes, setPriority, setStatus, setTyping };

/**
 * n8n hands an AI agent only `action` + " in Klivo" as a tool's name and description, so each action
 * says what it does and what to pass; the description adds when to use it and what comes back.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{
				name: 'Add Labels',
				value: 'addLabels',
				action: 'Add labels to a conversation and keep its other labels',
				description: 'Tag a conversation, e.g. "vip" or "lead"; its other labels stay. Returns the resulting list of labels.',
			},
			{
				name: 'Assign',
				value: 'assign',
				action: 'Hand a conversation to an agent or a team or unassign it',
				description: 'Hand a conversation over to a person or a team, or remove its agent. Returns the new assignee or team.',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a conversation by its number',
				description: 'Read one conversation (status, assignee, labels, custom attributes, contact, last message) by the number Klivo shows',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Search conversations by status assignee inbox team label or text',
				description: 'List conversations matching filters, newest activity first (all statuses unless a status is given)',
			},
			{
				name: 'Remove Labels',
				value: 'removeLabels',
				action: 'Remove labels from a conversation and keep its other labels',
				description: 'Untag a conversation; its other labels stay. Returns the resulting list of labels.',
			},
			{
				name: 'Set Custom Attributes',
				value: 'setCustomAttributes',
				action: 'Merge custom attributes into a conversation',
				description: 'Store values such as an order ID on a conversation; existing keys not given stay unless Replace All is on. Returns all attributes.',
			},
			{
				name: 'Set Priority',
				value: 'setPriority',
				action: 'Set or clear the priority of a conversation',
				description: 'Change or clear how urgent a conversation is. Returns the conversation.',
			},
			{
				name: 'Set Status',
				value: 'setStatus',
				action: 'Set the status of a conversation to open for a person or pending or resolved or snoozed',
				description: 'Close a conversation when it is done, reopen it, park it as pending, or snooze it until a time. Returns the new status.',
			},
			{
				name: 'Set Typing',
				value: 'setTyping',
				action: 'Show or hide the typing indicator in a conversation',
				description: 'Let the contact see that a reply is being written (on), or stop showing it (off)',
			},
			{
				name: 'Start',
				value: 'create',
				action: 'Start a conversation with a contact in an inbox',
				description: 'Open a new conversation with a contact in an inbox, optionally with a first message. Returns the conversation, with its number.',
			},
		],
		default: 'get',
	},
	...get.description,
	...getAll.description,
	...create.description,
	...setStatus.description,
	...assign.description,
	...addLabels.description,
	...removeLabels.description,
	...setCustomAttributes.description,
	...setPriority.description,
	...setTyping.description,
];
