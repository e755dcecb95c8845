import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { createLabel, labelToJson } from '../../api/label';
import { adminNotice, colorOption, descriptionOption, readLabelFields, readTitle, show, showOnSidebarOption, titleDescription } from './fields';

export const description: INodeProperties[] = [
	adminNotice('create'),
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. lead-quente',
		description: titleDescription(true),
		displayOptions: show('create'),
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show('create'),
		options: [colorOption, descriptionOption, showOnSidebarOption],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const title = readTitle.call(this, this.getNodeParameter('title', itemIndex), itemIndex);
	const fields = readLabelFields.call(this, this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject, itemIndex);
	return labelToJson(await createLabel.call(this, { ...fields, title }, itemIndex));
}
