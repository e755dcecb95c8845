import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as del from './delete.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

export const operations = { create, delete: del, getAll, update };

export type LabelOperation = keyof typeof operations;

/** `action` is what an AI agent reads (n8n adds " in Klivo"). */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['label'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Create an account label (administrators only)',
				action: 'Create an account label',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete an account label (administrators only)',
				action: 'Delete an account label',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: "List the account's labels",
				action: 'Get many account labels',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Change an account label (administrators only)',
				action: 'Update an account label',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
	...create.description,
	...update.description,
	...del.description,
];
