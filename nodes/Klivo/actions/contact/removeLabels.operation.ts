import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getContactLabels, setContactLabels } from '../../api/contact';
import { concurrencyOptions } from '../concurrency';
import { contactIdField, labelsField, readContactId, readTitles, show } from './fields';

export const description: INodeProperties[] = [
	contactIdField('removeLabels', 'The contact to remove labels from'),
	labelsField('removeLabels'),
	{ ...concurrencyOptions, displayOptions: show('removeLabels') },
];

/** Read, remove, write back (the API only replaces the whole list); titles compare in any case. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readContactId.call(this, itemIndex);
	const titles = readTitles(this.getNodeParameter('labels', itemIndex));
	if (titles.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Give at least one label', {
			itemIndex,
			description: 'Pick labels from the list, or give their titles separated by commas, e.g. vip, lead.',
		});
	}
	const unwanted = new Set(titles.map((title) => title.toLowerCase()));
	const before = await getContactLabels.call(this, id, itemIndex);
	const kept = before.filter((title) => !unwanted.has(title.toLowerCase()));
	const removed = before.filter((title) => unwanted.has(title.toLowerCase()));
	const labels = removed.length === 0 ? before : await setContactLabels.call(this, id, kept, itemIndex);
	return { contactId: id, labels, removed };
}
