import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { listLabels } from '../../api/label';

/** The label locator's list: every account label (Klivo has no pages here), filtered by title. */
export async function searchLabels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const needle = (filter ?? '').trim().toLowerCase();
	const labels = await listLabels.call(this);
	return {
		results: labels
			.filter((label) => needle === '' || label.title.toLowerCase().includes(needle) || String(label.id) === needle)
			.map((label) => ({ name: label.title, value: String(label.id) })),
	};
}

/**
 * For multi-selects of labels on contacts and conversations: the value is the title, because that is
 * what Klivo stores on them.
 */
export async function getLabels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const labels = await listLabels.call(this);
	return labels.map((label) => ({
		name: label.title,
		value: label.title,
		description: typeof label.description === 'string' && label.description !== '' ? label.description : undefined,
	}));
}
