import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { listWebhooks, webhookToJson } from '../../api/webhook';

const show = { resource: ['webhook'], operation: ['getAll'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const { webhooks } = await listWebhooks.call(this, itemIndex);
	const selected = returnAll ? webhooks : webhooks.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
	return selected.map(webhookToJson);
}
