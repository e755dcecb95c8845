/**
 * Chatwoot pages its lists in two ways, and neither says "there is more":
 * - page numbers (`page=1,2,…`): conversations 25 a page, contacts 15 with `meta.count` as the total.
 *   The last page is the one shorter than a full page, or the one that reaches the count; a page past
 *   the end comes back empty.
 * - the message cursor (`before=<id>`): the 20 newest messages older than that id, oldest first. The
 *   start of the history is reached when fewer than 20 come back.
 * Both stop as soon as `limit` items are in hand, so a limited Get Many costs only the pages it needs.
 * Only numbered pages with a total can be fetched side by side; a cursor needs the previous answer.
 */

/** Pages in flight at once for Return All: 8 cut 10,000 contacts from 667 round trips to 84 (BENCHMARKS.md, Bulk). */
export const PAGE_CONCURRENCY = 8;

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
	/** Pages in flight at once when the first page gives the total (1: one after the other). */
	concurrency?: number;
}

const DEFAULT_MAX_PAGES = 1000;

/**
 * Walks page-numbered lists from page 1. `fetchPage` does the request and reads the envelope.
 *
 * With `concurrency` above 1 and a total on the first page, the pages that total implies are fetched
 * that many at a time (the time is then pages ÷ concurrency round trips instead of pages), and put
 * back in page order. A total that grew meanwhile is followed page by page after them, as a list
 * without a total is; one that shrank leaves the last pages short or empty. Neither loses nor repeats
 * a record of a list that holds still.
 */
export async function collectPages<T>(fetchPage: (page: number) => Promise<Page<T>>, options: PageOptions): Promise<T[]> {
	const { pageSize, limit } = options;
	const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
	const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
	const all: T[] = [];
	if (limit !== undefined && limit <= 0) return all;
	let page = 1;
	const first = await fetchPage(page);
	all.push(...first.items);
	if (limit !== undefined && all.length >= limit) return all.slice(0, limit);
	if (first.items.length < pageSize) return all;
	if (first.total !== undefined && pageSize >= first.total) return all;

	// A total bounds the walk by itself, so maxPages (there for lists without one) does not cut it short.
	let total = first.total;
	const bound = () => (total === undefined ? maxPages : Math.max(maxPages, Math.ceil(total / pageSize)));
	if (concurrency > 1 && total !== undefined) {
		const wanted = limit === undefined ? total : Math.min(total, limit);
		const pages = await fetchConcurrently(fetchPage, 2, Math.min(bound(), Math.ceil(wanted / pageSize)), concurrency);
		for (const result of pages) {
			page++;
			all.push(...result.items);
			if (result.total !== undefined) total = result.total;
			if (limit !== undefined && all.length >= limit) return all.slice(0, limit);
			// A short page is the end, whatever the pages after it (fetched meanwhile) hold.
			if (result.items.length < pageSize) return all;
		}
		if (total !== undefined && page * pageSize >= total) return all;
	}

	for (page++; page <= bound(); page++) {
		const result = await fetchPage(page);
		all.push(...result.items);
		if (result.total !== undefined) total = result.total;
		if (limit !== undefined && all.length >= limit) return all.slice(0, limit);
		if (result.items.length < pageSize) break;
		if (result.total !== undefined && page * pageSize >= result.total) break;
	}
	return all;
}

/**
 * Pages `from`..`to`, at most `concurrency` requests at once, in page order. The first failure stops
 * further requests and is thrown once the ones in flight have settled (none is left running).
 */
async function fetchConcurrently<T>(
	fetchPage: (page: number) => Promise<Page<T>>,
	from: number,
	to: number,
	concurrency: number,
): Promise<Array<Page<T>>> {
	const results: Array<Page<T>> = [];
	let next = from;
	let failed: { error: unknown } | undefined;
	const worker = async () => {
		while (!failed && next <= to) {
			const page = next++;
			try {
				results[page - from] = await fetchPage(page);
			} catch (error) {
				failed ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, to - from + 1) }, worker));
	if (failed) throw failed.error;
	return results;
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
