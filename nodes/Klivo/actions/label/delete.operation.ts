import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { deleteLabel } from '../../api/label';
import { adminNotice, labelIdField, readLabelId } from './fields';

export const description: INodeProperties[] = [
	adminNotice('delete'),
	labelIdField('delete', 'The label to delete; Klivo also removes it from every contact and conversation'),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = await readLabelId.call(this, itemIndex);
	await deleteLabel.call(this, id, itemIndex);
	return { deleted: true, id };
}
