import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getConversationLabels, setConversationLabels } from '../../api/conversation';
import { readConversationId, readNames } from '../helpers';

/** Shared by Add Labels and Remove Labels. */
export const labelsProperty: INodeProperties = {
	displayName: 'Label Names or IDs',
	name: 'labels',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getLabels' },
	default: [],
	required: true,
	description: 'Label titles as Klivo shows them (an expression may give an array or comma-separated titles). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

function same(a: string, b: string): boolean {
	return a.toLowerCase() === b.toLowerCase();
}

/**
 * The API only replaces the whole list, so read it, change it, and write it back only if it changed
 * (no request and no conversation_updated delivery for a no-op). Labels compare case-insensitively,
 * as Klivo stores account label titles in lower case. `titles`, when given, replace the Labels
 * parameter (Add Labels gives the account labels' own titles).
 */
export async function changeLabels(this: IExecuteFunctions, itemIndex: number, mode: 'add' | 'remove', titles?: string[]): Promise<IDataObject> {
	const id = readConversationId.call(this, itemIndex);
	const wanted = titles ?? readNames(this.getNodeParameter('labels', itemIndex, []));
	if (wanted.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Pick at least one label', {
			itemIndex,
			description: 'Choose labels from the list, or give their titles with an expression.',
		});
	}
	const current = await getConversationLabels.call(this, id, itemIndex);
	const next =
		mode === 'add'
			? [...current, ...wanted.filter((label) => !current.some((have) => same(have, label)))]
			: current.filter((have) => !wanted.some((label) => same(have, label)));
	const changed = next.length !== current.length;
	const labels = changed ? await setConversationLabels.call(this, id, next, itemIndex) : current;
	return { conversation_id: id, labels };
}
