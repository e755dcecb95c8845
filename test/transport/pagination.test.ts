/**
 * The one pagination helper: page-numbered lists (stop on a short page, or when meta.count is
 * reached) and the message cursor (`before`), both honouring a limit with as few requests as needed.
 */
import { collectBefore, collectPages, type Page } from '../../nodes/Klivo/transport/pagination';
import { queryString } from '../../nodes/Klivo/transport/request';

/** A server list of `total` numbered rows, served `pageSize` a page; records the pages asked for. */
function pagedServer(total: number, pageSize: number, options: { reportCount?: boolean } = {}) {
	const asked: number[] = [];
	const rows = Array.from({ length: total }, (_, index) => index + 1);
	const fetchPage = async (page: number): Promise<Page<number>> => {
		asked.push(page);
		const items = rows.slice((page - 1) * pageSize, page * pageSize);
		return options.reportCount ? { items, total } : { items };
	};
	return { asked, fetchPage };
}

describe('collectPages (page-numbered lists)', () => {
	it('walks every page and stops on the short last page', async () => {
		const server = pagedServer(60, 25);
		expect(await collectPages(server.fetchPage, { pageSize: 25 })).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
		expect(server.asked).toEqual([1, 2, 3]);
	});

	it('asks for one empty page when the total is a multiple of the page size and no count is given', async () => {
		const server = pagedServer(50, 25);
		expect(await collectPages(server.fetchPage, { pageSize: 25 })).toHaveLength(50);
		expect(server.asked).toEqual([1, 2, 3]);
	});

	it('stops on meta.count without asking for the empty page past the end', async () => {
		const server = pagedServer(30, 15, { reportCount: true });
		expect(await collectPages(server.fetchPage, { pageSize: 15 })).toHaveLength(30);
		expect(server.asked).toEqual([1, 2]);
	});

	it('stops as soon as the limit is reached, and returns exactly the limit', async () => {
		const server = pagedServer(100, 25);
		const rows = await collectPages(server.fetchPage, { pageSize: 25, limit: 30 });
		expect(rows).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
		expect(server.asked).toEqual([1, 2]);
	});

	it('asks once for an empty list', async () => {
		const server = pagedServer(0, 25);
		expect(await collectPages(server.fetchPage, { pageSize: 25 })).toEqual([]);
		expect(server.asked).toEqual([1]);
	});

	it('is bounded when a server ignores the page number', async () => {
		const asked: number[] = [];
		const fullPage = Array.from({ length: 25 }, (_, i) => i);
		const rows = await collectPages(
			async (page) => {
				asked.push(page);
				return { items: fullPage };
			},
			{ pageSize: 25, maxPages: 4 },
		);
		expect(asked).toEqual([1, 2, 3, 4]);
		expect(rows).toHaveLength(100);
	});
});

/** Messages 1..total; `before` answers the 20 newest below it, oldest first, as Chatwoot does. */
function cursorServer(total: number, batch = 20) {
	const asked: Array<number | undefined> = [];
	const fetchBefore = async (before: number | undefined): Promise<Array<{ id: number }>> => {
		asked.push(before);
		const below = Array.from({ length: total }, (_, i) => i + 1).filter((id) => before === undefined || id < before);
		return below.slice(-batch).map((id) => ({ id }));
	};
	return { asked, fetchBefore };
}

const idOf = (message: { id: number }) => message.id;

describe('collectBefore (the message cursor)', () => {
	it('walks back to the first message: oldest first, no gaps, no duplicates', async () => {
		const server = cursorServer(45);
		const messages = await collectBefore(server.fetchBefore, { pageSize: 20, idOf });
		expect(messages.map(idOf)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
		expect(server.asked).toEqual([undefined, 26, 6]);
	});

	it('keeps the newest messages when limited, still oldest first', async () => {
		const server = cursorServer(45);
		const messages = await collectBefore(server.fetchBefore, { pageSize: 20, idOf, limit: 25 });
		expect(messages.map(idOf)).toEqual(Array.from({ length: 25 }, (_, i) => i + 21));
		expect(server.asked).toEqual([undefined, 26]);
	});

	it('drops the overlap when a server answers `before` inclusively', async () => {
		const asked: Array<number | undefined> = [];
		const inclusive = async (before: number | undefined) => {
			asked.push(before);
			const below = Array.from({ length: 30 }, (_, i) => i + 1).filter((id) => before === undefined || id <= before);
			return below.slice(-20).map((id) => ({ id }));
		};
		const messages = await collectBefore(inclusive, { pageSize: 20, idOf });
		expect(messages.map(idOf)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
	});

	it('stops when the cursor does not move back', async () => {
		let calls = 0;
		const stuck = async () => {
			calls++;
			return Array.from({ length: 20 }, (_, i) => ({ id: i + 1 }));
		};
		expect(await collectBefore(stuck, { pageSize: 20, idOf })).toHaveLength(20);
		expect(calls).toBe(2);
	});
});

describe('queryString', () => {
	it('sends arrays as key[]=, encodes values, and leaves out empty ones', () => {
		expect(queryString({ status: 'all', labels: ['vip', 'lead quente'], inbox_id: 3, q: '', team_id: undefined })).toBe(
			'?status=all&labels[]=vip&labels[]=lead%20quente&inbox_id=3',
		);
		expect(queryString({})).toBe('');
		expect(queryString(undefined)).toBe('');
	});
});
