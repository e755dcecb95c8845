import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as del from './delete.operation';
import * as ensure from './ensure.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

export const operations = { create, delete: del, ensure, get, getAll, update };

export type WebhookOperation = keyof typeof operations;

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['webhook'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a webhook', action: 'Create a webhook' },
			{ name: 'Delete', value: 'delete', description: 'Delete a webhook', action: 'Delete a webhook' },
			{
				name: 'Ensure',
				value: 'ensure',
				description: 'Create or update a webhook so that it has exactly these events',
				action: 'Ensure a webhook exists',
			},
			{ name: 'Get', value: 'get', description: 'Get a webhook', action: 'Get a webhook' },
			{ name: 'Get Many', value: 'getAll', description: 'Get many webhooks', action: 'Get many webhooks' },
			{ name: 'Update', value: 'update', description: 'Update a webhook', action: 'Update a webhook' },
		],
		default: 'getAll',
	},
	...getAll.description,
	...get.description,
	...create.description,
	...update.description,
	...del.description,
	...ensure.description,
];
