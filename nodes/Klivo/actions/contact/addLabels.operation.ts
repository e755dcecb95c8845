import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getContactLabels, setContactLabels } from '../../api/contact';
import { ensureAccountLabels } from '../../api/label';
import { concurrencyOptions } from '../concurrency';
import { contactIdField, labelsField, readContactId, readLabelTitles, show } from './fields';

export const description: INodeProperties[] = [
	contactIdField('addLabels', 'The contact to label'),
	labelsField('addLabels'),
	{
		displayName: 'Create Missing Labels',
		name: 'createMissing',
		type: 'boolean',
		default: false,
		description:
			"Whether to first create, as account labels, the titles the account does not have yet, so that Klivo's sidebar shows them. Creating labels needs an administrator's access token.",
		displayOptions: show('addLabels'),
	},
	{ ...concurrencyOptions, displayOptions: show('addLabels') },
];

/**
 * Klivo's API only replaces a contact's whole label list, so read it, add, and write it back: the
 * contact keeps the labels it had.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readContactId.call(this, itemIndex);
	const typed = readLabelTitles.call(this, this.getNodeParameter('labels', itemIndex), itemIndex);
	// With Create Missing Labels, tagged with the account labels' titles, so that the sidebar shows the contact under them.
	const { created: createdLabels, titles } =
		this.getNodeParameter('createMissing', itemIndex, false) === true
			? await ensureAccountLabels.call(this, typed, itemIndex)
			: { created: [], titles: typed };
	const before = await getContactLabels.call(this, id, itemIndex);
	const had = new Set(before.map((title) => title.toLowerCase()));
	const added = titles.filter((title) => !had.has(title.toLowerCase()));
	const labels = added.length === 0 ? before : await setContactLabels.call(this, id, [...before, ...added], itemIndex);
	const result: IDataObject = { contactId: id, labels, added };
	if (createdLabels.length > 0) result.createdAccountLabels = createdLabels.map((label) => label.title);
	return result;
}
