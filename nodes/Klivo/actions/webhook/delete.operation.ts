import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { deleteWebhook } from '../../api/webhook';
import { readWebhookId, webhookIdField } from './fields';

export const description: INodeProperties[] = [webhookIdField('delete', 'The webhook to delete')];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readWebhookId.call(this, itemIndex);
	await deleteWebhook.call(this, id, { itemIndex });
	return { deleted: true, id };
}
