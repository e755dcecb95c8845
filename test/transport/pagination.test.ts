/**
 * The one pagination helper: page-numbered lists (stop on a short page, or when meta.count is
 * reached) and the message cursor (`before`), both honouring a limit with as few requests as needed.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { collectBefore, collectPages, type Page } from '../../nodes/Klivo/transport/pagination';
import { queryString } from '../../nodes/Klivo/transport/request';
import { runActionNode } from '../helpers/n8n';

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

/** A list whose rows can change between requests; records the pages asked and how many were in flight. */
function liveServer(initial: number, pageSize: number) {
	let rows = Array.from({ length: initial }, (_, index) => index + 1);
	const asked: number[] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const server = {
		asked,
		get maxInFlight() {
			return maxInFlight;
		},
		/** Runs before each page is answered (after page 1 was), to change the list mid-walk. */
		onPage: (_page: number) => undefined as void,
		set(next: number[]) {
			rows = next;
		},
		get rows() {
			return rows;
		},
		fetchPage: async (page: number): Promise<Page<number>> => {
			asked.push(page);
			inFlight++;
			maxInFlight = Math.max(maxInFlight, inFlight);
			await new Promise((resolve) => setImmediate(resolve));
			await new Promise((resolve) => setImmediate(resolve));
			server.onPage(page);
			inFlight--;
			return { items: rows.slice((page - 1) * pageSize, page * pageSize), total: rows.length };
		},
	};
	return server;
}

describe('collectPages with concurrency (Return All where the first page gives the total)', () => {
	it('fetches the pages the total implies several at a time, bounded, and returns them in page order', async () => {
		const server = liveServer(1000, 15);
		const rows = await collectPages(server.fetchPage, { pageSize: 15, concurrency: 6 });
		expect(rows).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
		expect([...server.asked].sort((a, b) => a - b)).toEqual(Array.from({ length: 67 }, (_, i) => i + 1));
		expect(server.maxInFlight).toBe(6);
	});

	it('reads no page past a limit, and returns exactly the limit', async () => {
		const server = liveServer(1000, 15);
		const rows = await collectPages(server.fetchPage, { pageSize: 15, concurrency: 8, limit: 100 });
		expect(rows).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
		expect(server.asked).toHaveLength(7);
	});

	it('is sequential without a total (has_more lists) or with concurrency 1', async () => {
		const noTotal = pagedServer(100, 25);
		expect(await collectPages(noTotal.fetchPage, { pageSize: 25, concurrency: 8 })).toHaveLength(100);
		expect(noTotal.asked).toEqual([1, 2, 3, 4, 5]);
		const one = liveServer(100, 15);
		await collectPages(one.fetchPage, { pageSize: 15, concurrency: 1 });
		expect(one.maxInFlight).toBe(1);
	});

	it('follows a list that grew during the walk, page by page after the planned ones', async () => {
		const server = liveServer(100, 15);
		server.onPage = (page) => {
			if (page === 3 && server.rows.length === 100) server.set(Array.from({ length: 140 }, (_, i) => i + 1));
		};
		const rows = await collectPages(server.fetchPage, { pageSize: 15, concurrency: 4 });
		expect(rows).toEqual(Array.from({ length: 140 }, (_, i) => i + 1));
		expect(new Set(server.asked).size).toBe(server.asked.length);
	});

	it('stops at the short page when the list shrank during the walk, without holes or repeats', async () => {
		const server = liveServer(100, 15);
		server.onPage = (page) => {
			// The last 40 rows go away while the middle pages are read.
			if (page === 2 && server.rows.length === 100) server.set(Array.from({ length: 60 }, (_, i) => i + 1));
		};
		const rows = await collectPages(server.fetchPage, { pageSize: 15, concurrency: 4 });
		expect(rows).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
	});

	it('reads more than maxPages pages when the total says there are (20,000 contacts: 1,334 pages)', async () => {
		const server = liveServer(20_000, 15);
		const rows = await collectPages(server.fetchPage, { pageSize: 15, concurrency: 8 });
		expect(rows).toHaveLength(20_000);
		expect(rows[19_999]).toBe(20_000);
	});

	it('throws the failure of a page once the pages in flight have settled', async () => {
		let inFlight = 0;
		const failing = async (page: number): Promise<Page<number>> => {
			inFlight++;
			await new Promise((resolve) => setImmediate(resolve));
			inFlight--;
			if (page === 5) throw new Error('page 5 failed');
			return { items: Array.from({ length: 15 }, (_, i) => (page - 1) * 15 + i + 1), total: 300 };
		};
		await expect(collectPages(failing, { pageSize: 15, concurrency: 4 })).rejects.toThrow('page 5 failed');
		expect(inFlight).toBe(0);
	});
});

/** Through the node, against the simulator with a small round-trip delay. */
describe('Return All against the simulator: concurrent pages, the same records in the same order', () => {
	const simulator = require('../../tools/simulator/server.js');
	interface Sim {
		url: string;
		close(): Promise<void>;
		addContacts(account: number, count: number, make: (i: number) => IDataObject): IDataObject[];
		addConversations(account: number, count: number, make: (i: number) => IDataObject): IDataObject[];
		countRequests(filter?: { route?: string }): number;
	}
	let sim: Sim;
	beforeAll(async () => {
		sim = (await simulator.startSimulator({ port: 0, demoData: false, latencyMs: 25 })) as Sim;
		const contacts = sim.addContacts(1, 300, (i) => ({ name: `Person ${i}`, email: `person${i}@example.com` }));
		sim.addConversations(1, 120, (i) => ({ inbox_id: i % 2 === 0 ? 1 : 3, contact_id: contacts[i].id, status: i % 3 === 0 ? 'resolved' : 'open' }));
	});
	afterAll(async () => await sim.close());

	async function getAll(parameters: IDataObject): Promise<{ ids: number[]; ms: number }> {
		const started = Date.now();
		const result = await runActionNode({
			parameters: { returnAll: true, ...parameters } as INodeParameters,
			credentials: { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 },
		});
		if (result.error) throw result.error;
		return { ids: (result.output?.[0] ?? []).map((item) => Number(item.json.id)), ms: Date.now() - started };
	}

	/** What one-page-after-the-other reads: the reference order. */
	async function sequential(path: string, pageSize: number, unwrap: (body: IDataObject) => IDataObject): Promise<{ ids: number[]; ms: number }> {
		const started = Date.now();
		const ids: number[] = [];
		for (let page = 1; ; page++) {
			const response = await fetch(`${sim.url}/api/v1/accounts/1${path}${path.includes('?') ? '&' : '?'}page=${page}`, {
				headers: { api_access_token: 'admin-token-1' },
			});
			const payload = unwrap((await response.json()) as IDataObject).payload as IDataObject[];
			ids.push(...payload.map((row) => Number(row.id)));
			if (payload.length < pageSize) break;
		}
		return { ids, ms: Date.now() - started };
	}

	it('contacts: 20 pages, every contact once, in the server order, in fewer round trips', async () => {
		const reference = await sequential('/contacts', 15, (body) => body);
		const concurrent = await getAll({ resource: 'contact', operation: 'getAll' });
		expect(concurrent.ids).toEqual(reference.ids);
		expect(new Set(concurrent.ids).size).toBe(300);
		// 20 pages at 25 ms: ~500 ms one after the other, ~100 ms 8 at a time (loose: the machine is shared).
		expect(concurrent.ms).toBeLessThan(reference.ms);
	});

	it('conversations: the meta count of the chosen assignee type sizes the walk', async () => {
		const reference = await sequential('/conversations?status=all', 25, (body) => body.data as IDataObject);
		const concurrent = await getAll({ resource: 'conversation', operation: 'getAll' });
		expect(concurrent.ids).toEqual(reference.ids);
		expect(concurrent.ids).toHaveLength(120);
	});
});
