import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { labelToJson, updateLabel } from '../../api/label';
import {
	adminNotice,
	colorOption,
	descriptionOption,
	labelIdField,
	readLabelFields,
	readLabelId,
	show,
	showOnSidebarOption,
	titleDescription,
} from './fields';

export const description: INodeProperties[] = [
	adminNotice('update'),
	labelIdField('update', 'The label to update'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Only the fields you add here change. A new title is also applied to the contacts and conversations that have the label.',
		displayOptions: show('update'),
		options: [
			colorOption,
			descriptionOption,
			showOnSidebarOption,
			{ displayName: 'Title', name: 'title', type: 'string', default: '', description: titleDescription(false) },
		],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const fields = readLabelFields.call(this, this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject, itemIndex);
	if (Object.keys(fields).length === 0) {
		throw new NodeOperationError(this.getNode(), 'Nothing to update', {
			itemIndex,
			description: "Add at least one field under 'Update Fields' (Title, Description, Color or Show on Sidebar).",
		});
	}
	const id = await readLabelId.call(this, itemIndex);
	return labelToJson(await updateLabel.call(this, id, fields, itemIndex));
}
