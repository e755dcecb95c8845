import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { checkLabelTitle, ensureAccountLabels, LABEL_TITLE_RULE } from '../../api/label';
import { concurrencyOptions } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { readNames } from '../helpers';
import { changeLabels, labelsProperty } from './labels';

const properties: INodeProperties[] = [
	conversationRLC,
	labelsProperty,
	{
		displayName: 'Create Missing Labels',
		name: 'createMissing',
		type: 'boolean',
		default: false,
		description:
			"Whether to first create, as account labels, the titles the account does not have yet, so that Klivo's sidebar shows them. Creating labels needs an administrator's access token.",
	},
	concurrencyOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['addLabels'] } }, properties);

/**
 * Account labels must have a title Klivo accepts, so with Create Missing Labels every title is checked
 * before any request (a refused title then changes nothing, neither the account nor the conversation).
 */
function accountTitles(this: IExecuteFunctions, itemIndex: number): string[] {
	const titles: string[] = [];
	for (const raw of readNames(this.getNodeParameter('labels', itemIndex, []))) {
		const checked = checkLabelTitle(raw);
		if (!checked.ok) {
			throw new NodeOperationError(this.getNode(), checked.problem, {
				itemIndex,
				description: `${LABEL_TITLE_RULE}.${checked.suggestion ? ` Did you mean '${checked.suggestion}'?` : ''} Create Missing Labels creates account labels, which must have such titles.`,
			});
		}
		titles.push(checked.title);
	}
	return titles;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	if (this.getNodeParameter('createMissing', itemIndex, false) !== true) return await changeLabels.call(this, itemIndex, 'add');
	// Tagged with the account labels' titles, so that the sidebar shows the conversation under them.
	const { created, titles } = await ensureAccountLabels.call(this, accountTitles.call(this, itemIndex), itemIndex);
	const result = await changeLabels.call(this, itemIndex, 'add', titles);
	if (created.length > 0) result.createdAccountLabels = created.map((label) => label.title);
	return result;
}
