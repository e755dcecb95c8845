import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { CONVERSATION_PAGE_SIZE, listConversationsPage } from '../../api/conversation';

function entryName(conversation: IDataObject): string {
	const meta = (conversation.meta ?? {}) as IDataObject;
	const sender = (meta.sender ?? {}) as IDataObject;
	const who = typeof sender.name === 'string' && sender.name !== '' ? sender.name : 'unknown contact';
	return `#${String(conversation.id)} ${who} (${String(conversation.status ?? '')})`;
}

/**
 * The conversation locator's list, 25 a page, newest activity first, every status. A filter that is
 * a number (or #number) finds that conversation among the page; other text is Klivo's message search.
 */
export async function searchConversations(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = Math.max(1, Number(paginationToken) || 1);
	const text = (filter ?? '').trim();
	const number = /^#?\d+$/.test(text) ? text.replace(/^#/, '') : undefined;
	const found = await listConversationsPage.call(this, { status: 'all', query: number === undefined && text !== '' ? text : undefined }, page);
	const results = found.items
		.map((conversation) => ({ name: entryName(conversation), value: String(conversation.id) }))
		.filter((result) => number === undefined || result.value.includes(number));
	const more = found.items.length === CONVERSATION_PAGE_SIZE && (found.total === undefined || page * CONVERSATION_PAGE_SIZE < found.total);
	return { results, paginationToken: more ? String(page + 1) : undefined };
}
