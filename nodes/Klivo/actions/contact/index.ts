import type { INodeProperties } from 'n8n-workflow';

import * as addLabels from './addLabels.operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getConversations from './getConversations.operation';
import * as removeLabels from './removeLabels.operation';
import * as search from './search.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export const operations = { addLabels, create, delete: del, get, getAll, getConversations, removeLabels, search, update, upsert };

export type ContactOperation = keyof typeof operations;

/** `action` is what an AI agent reads (n8n adds " in Klivo"): say what the tool does and what it needs. */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{
				name: 'Add Labels',
				value: 'addLabels',
				description: "Add labels to a contact, keeping the contact's other labels",
				action: 'Add labels to a contact and keep its other labels',
			},
			{
				name: 'Create',
				value: 'create',
				description: 'Create a new contact',
				action: 'Create a new contact',
			},
			{
				name: 'Create or Update',
				value: 'upsert',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
				action: 'Create or update a contact found exactly by identifier or email or phone number',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a contact and its conversations',
				action: 'Delete a contact and its conversations',
			},
			{ name: 'Get', value: 'get', description: 'Get a contact by ID', action: 'Get a contact' },
			{
				name: 'Get Conversations',
				value: 'getConversations',
				description: "Get a contact's latest conversations",
				action: 'Get the latest conversations of a contact',
			},
			{ name: 'Get Many', value: 'getAll', description: 'List contacts', action: 'Get many contacts' },
			{
				name: 'Remove Labels',
				value: 'removeLabels',
				description: "Remove labels from a contact, keeping the contact's other labels",
				action: 'Remove labels from a contact and keep its other labels',
			},
			{
				name: 'Search',
				value: 'search',
				description: 'Find contacts whose name, e-mail, phone number or identifier contains a text',
				action: 'Search contacts by part of their name or email or phone number or identifier',
			},
			{
				name: 'Update',
				value: 'update',
				description: "Change a contact's fields; custom attributes are merged",
				action: 'Update a contact and merge its custom attributes',
			},
		],
		default: 'upsert',
	},
	...get.description,
	...getAll.description,
	...search.description,
	...create.description,
	...upsert.description,
	...update.description,
	...del.description,
	...getConversations.description,
	...addLabels.description,
	...removeLabels.description,
];
