/**
 * Chatwoot pages its lists in two ways, and neither says "there is more":
 * - page numbers (`page=1,2,…`): conversations 25 a page, contacts 15 with `meta.count` as the total.
 *   The last page is the one shorter than a full page, or the one that reaches the count; a page past
 *   the end comes back empty.
 * - the message cursor (`before=<id>`): the 20 newest messages older than that id, oldest first. The
 *   start of the history is reached when fewer than 20 come back.
 * Both stop as soon as `limit` items are in hand, so a limited Get Many costs only the pages it needs.
 */

export interface Page<T> {
	items: T[];
	/** The total count the server reports for the whole list, when it reports one. */
	total?: number;
}

export interface PageOptions {
	/** The server's page size, e.g. 25 for conversations. */
	pageSize: number;
	/** Stop after this many items; undefined means all of them. */
	limit?: number;
	/** A bound on requests, in case a server ignores `page` and answers the same full page forever. */
	maxPages?: number;
}

const DEFAULT_MAX_PAGES = 1000;

/** Walks page-numbered lists from page 1. `fetchPage` does the request and reads the envelope. */
export async function collectPages<T>(fetchPage: (page: number) => Promise<Page<T>>, options: PageOptions): Promise<T[]> {
	const { pageSize, limit } = options;
	const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
	const all: T[] = [];
	if (limit !== undefined && limit <= 0) return all;
	for (let page = 1; page <= maxPages; page++) {
		const { items, total } = await fetchPage(page);
		all.push(...items);
		if (limit !== undefined && all.length >= limit) return all.slice(0, limit);
		if (items.length < pageSize) break;
		if (total !== undefined && page * pageSize >= total) break;
	}
	return all;
}

export interface CursorOptions<T> extends PageOptions {
	/** The id the cursor compares (a message's database id). */
	idOf: (item: T) => number;
}

/**
 * Walks a `before` cursor from the newest items back. `fetchBefore(undefined)` asks for the newest
 * batch, then each call passes the smallest id seen. With a limit, the newest `limit` items are
 * kept. The result is oldest first, without duplicates even if batches overlap.
 */
export async function collectBefore<T>(
	fetchBefore: (before: number | undefined) => Promise<T[]>,
	options: CursorOptions<T>,
): Promise<T[]> {
	const { pageSize, limit, idOf } = options;
	const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
	const byId = new Map<number, T>();
	if (limit !== undefined && limit <= 0) return [];
	let before: number | undefined;
	for (let call = 1; call <= maxPages; call++) {
		const batch = await fetchBefore(before);
		let smallest = before ?? Number.POSITIVE_INFINITY;
		for (const item of batch) {
			const id = idOf(item);
			if (!byId.has(id)) byId.set(id, item);
			if (id < smallest) smallest = id;
		}
		if (limit !== undefined && byId.size >= limit) break;
		if (batch.length < pageSize) break;
		// A cursor that does not move back would ask for the same batch again.
		if (before !== undefined && smallest >= before) break;
		before = smallest;
	}
	const ordered = [...byId.values()].sort((a, b) => idOf(a) - idOf(b));
	return limit !== undefined && ordered.length > limit ? ordered.slice(ordered.length - limit) : ordered;
}
