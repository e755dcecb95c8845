import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listContactsPage, searchContactsPage } from '../../api/contact';

function entryName(contact: IDataObject): string {
	const name = typeof contact.name === 'string' && contact.name.trim() !== '' ? contact.name.trim() : `Contact ${String(contact.id)}`;
	const reach = [contact.email, contact.phone_number, contact.identifier].find((value) => typeof value === 'string' && value !== '');
	return reach ? `${name} (${String(reach)})` : name;
}

/**
 * The contact locator's list, one Klivo page (15) at a time: all contacts by name, or, with a filter,
 * Klivo's search (name, e-mail, phone number or identifier). Search pages say `has_more`; list pages
 * reach `meta.count`.
 */
export async function searchContacts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = Math.max(1, Number(paginationToken) || 1);
	const query = (filter ?? '').trim();
	const result = query === '' ? await listContactsPage.call(this, { page, sort: 'name' }) : await searchContactsPage.call(this, { query, page });
	const more = result.hasMore ?? (result.total !== undefined ? page * 15 < result.total : result.contacts.length === 15);
	return {
		results: result.contacts.map((contact) => ({ name: entryName(contact), value: String(contact.id) })),
		paginationToken: more ? String(page + 1) : undefined,
	};
}
