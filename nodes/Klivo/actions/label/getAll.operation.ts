import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { labelToJson, listLabels } from '../../api/label';
import { show } from './fields';

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: show('getAll'),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { ...show('getAll').show, returnAll: [false] } },
	},
];

/** Klivo answers every label at once, ordered by title. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const labels = await listLabels.call(this, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const selected = returnAll ? labels : labels.slice(0, Math.max(1, Number(this.getNodeParameter('limit', itemIndex, 50)) || 50));
	return selected.map(labelToJson);
}
