import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOptions } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { changeLabels, labelsProperty } from './labels';

const properties: INodeProperties[] = [
	conversationRLC,
	labelsProperty,
	concurrencyOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['removeLabels'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await changeLabels.call(this, itemIndex, 'remove');
}
