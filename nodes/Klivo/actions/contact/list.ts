import type { INodeProperties } from 'n8n-workflow';

import { show } from './fields';

/** Return All and Limit, shared by Get Many and Search. */
export function returnAllFields(operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: show(operation),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { ...show(operation).show, returnAll: [false] } },
		},
	];
}

const SORT_KEYS: Array<[string, string]> = [
	['Name', 'name'],
	['Email', 'email'],
	['Phone Number', 'phone_number'],
	['Last Activity', 'last_activity_at'],
	['Created', 'created_at'],
	['Company', 'company_name'],
	['City', 'city'],
	['Country', 'country'],
];

/** Klivo's sort keys; a leading '-' sorts in descending order. */
export const SORT_OPTIONS = SORT_KEYS.flatMap(([label, key]) => [
	{ name: `${label} (Ascending)`, value: key },
	{ name: `${label} (Descending)`, value: `-${key}` },
]);

export function sortOption(description: string): INodeProperties {
	return {
		displayName: 'Sort',
		name: 'sort',
		type: 'options',
		options: SORT_OPTIONS,
		default: 'name',
		description,
	};
}
