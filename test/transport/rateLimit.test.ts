/**
 * Klivo's rate limit (Chatwoot's rack-attack: fixed windows, 429 `Retry later`, no Retry-After): a run
 * that meets it backs off as a whole until the window ends (or for Retry-After), then goes on; no
 * record is lost or read twice, no write is applied twice, and a limit that never lets up fails the
 * run after a bounded wait with words that say so. The simulator's windows are short (a second or
 * less) and the run's gate is told so (gatedRun.ts); Chatwoot's is a minute.
 */
import type { IDataObject } from 'n8n-workflow';

import { useStartedSimulator } from '../helpers/simulator';
import { RateLimitGate } from '../../nodes/Klivo/transport/gate';
import { jsonOf, runGated } from './gatedRun';

const simulator = require('../../tools/simulator/server.js');

interface Sim {
	url: string;
	reset(): void;
	close(): Promise<void>;
	addContacts(account: number, count: number, make: (i: number) => IDataObject): IDataObject[];
	addConversations(account: number, count: number, make: (i: number) => IDataObject): IDataObject[];
	conversation(account: number, id: number): IDataObject | null;
	setRateLimit(options: IDataObject | null): void;
	injectFault(options: IDataObject): void;
	requests: Array<{ route: string; method: string; status: number | null; throttled?: boolean; path: string }>;
	clearRequests(): void;
}

const TOKEN = 'admin-token-1';

/** The list as Klivo serves it, page after page, read directly (no limiter on). */
async function listDirect(url: string, pages: number): Promise<number[]> {
	const ids: number[] = [];
	for (let page = 1; page <= pages; page++) {
		const response = await fetch(`${url}/api/v1/accounts/1/contacts?page=${page}`, { headers: { api_access_token: TOKEN } });
		const body = (await response.json()) as { payload: Array<{ id: number }> };
		ids.push(...body.payload.map((contact) => contact.id));
	}
	return ids;
}

const idsOf = (items: IDataObject[]) => items.map((item) => Number(item.id));

describe('rate limit: the run backs off together and loses nothing', () => {
	const sim = useStartedSimulator(async () => (await simulator.startSimulator({ port: 0, demoData: false, latencyMs: 10 })) as Sim);
	afterEach(() => sim().setRateLimit(null));

	it('without Retry-After: waits for the window to end, then reads every page once, in order', async () => {
		sim().addContacts(1, 300, (i) => ({ name: `Person ${i}`, email: `person${i}@example.com` }));
		const expected = await listDirect(sim().url, 20);
		expect(new Set(expected).size).toBe(300);
		sim().clearRequests();
		sim().setRateLimit({ perMinute: 8, windowMs: 600 });

		const run = await runGated({
			url: sim().url,
			parameters: { resource: 'contact', operation: 'getAll', returnAll: true },
			gate: { windowMs: 600 },
		});

		expect(idsOf(jsonOf(run))).toEqual(expected);
		const list = sim().requests.filter((r) => r.route === 'contacts.list');
		// Each of the 20 pages answered once; the refused ones were sent again after the window.
		expect(list.filter((r) => r.status === 200)).toHaveLength(20);
		const refused = list.filter((r) => r.status === 429);
		expect(refused.length).toBeGreaterThan(0);
		expect(run.gate.waits).toBeGreaterThanOrEqual(2);
		// Backing off together: a few requests in flight when the limit hit, not one per page.
		expect(refused.length).toBeLessThanOrEqual(run.gate.waits * 8);
	}, 30_000);

	it('with Retry-After: waits as long as asked, then goes on', async () => {
		sim().addContacts(1, 60, (i) => ({ name: `P ${i}`, email: `p${i}@example.com` }));
		const expected = await listDirect(sim().url, 4);
		sim().clearRequests();
		sim().injectFault({ route: 'contacts.list', status: 429, body: 'Retry later', retryAfter: 1, times: 2 });

		const run = await runGated({
			url: sim().url,
			parameters: { resource: 'contact', operation: 'getAll', returnAll: true },
			// A window far longer than the test: only Retry-After can end this wait in time.
			gate: { windowMs: 3_600_000 },
		});

		expect(idsOf(jsonOf(run))).toEqual(expected);
		expect(run.ms).toBeGreaterThanOrEqual(1000);
		expect(run.ms).toBeLessThan(10_000);
		expect(sim().requests.filter((r) => r.route === 'contacts.list' && r.status === 200)).toHaveLength(4);
	}, 30_000);

	it('writes: a refused request is sent again, an applied one never (Add Labels, concurrent items)', async () => {
		const contacts = sim().addContacts(1, 12, (i) => ({ name: `C ${i}`, email: `c${i}@example.com` }));
		sim().addConversations(1, 12, (i) => ({ inbox_id: 1, contact_id: contacts[i].id, labels: ['lead'] }));
		sim().clearRequests();
		sim().setRateLimit({ perMinute: 10, windowMs: 500 });
		const items = Array.from({ length: 12 }, (_, i) => ({ id: i + 1 }));

		const run = await runGated({
			url: sim().url,
			parameters: {
				resource: 'conversation',
				operation: 'addLabels',
				conversationId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				labels: ['vip'],
				options: { concurrency: 4 },
			},
			items,
			gate: { windowMs: 500 },
		});

		const output = jsonOf(run);
		expect(output.map((o) => o.conversation_id)).toEqual(items.map((i) => i.id));
		for (const { id } of items) expect(sim().conversation(1, id)?.labels).toEqual(['lead', 'vip']);
		const sets = sim().requests.filter((r) => r.route === 'conversations.labels.set');
		expect(sets.filter((r) => r.status === 200)).toHaveLength(12);
		expect(sim().requests.some((r) => r.status === 429)).toBe(true);
	}, 30_000);

	it('fails after a bounded wait when the limit never lets up, saying what happened', async () => {
		sim().addContacts(1, 30, (i) => ({ name: `P ${i}`, email: `p${i}@example.com` }));
		sim().setRateLimit({ perMinute: 0, windowMs: 300 });

		const run = await runGated({
			url: sim().url,
			parameters: { resource: 'contact', operation: 'getAll', returnAll: true },
			gate: { windowMs: 300 },
		});

		expect(run.error?.message).toBe('Klivo kept refusing requests (429, rate limit reached) after this run waited 3 times for its limit to reset');
		expect(run.error?.description).toContain('0 requests of this run had succeeded');
		expect(run.error?.description).toContain('one-minute windows');
		expect(run.error?.httpCode).toBe('429');
		// Three waits for windows of 300 ms (the first may end soon): bounded, not forever.
		expect(run.ms).toBeGreaterThanOrEqual(500);
		expect(run.ms).toBeLessThan(5_000);
		expect(sim().requests.filter((r) => r.status === 429).length).toBeLessThanOrEqual(8);
	}, 30_000);

	it('does not wait when Klivo asks for longer than a run may wait', async () => {
		sim().addContacts(1, 5, (i) => ({ name: `P ${i}`, email: `p${i}@example.com` }));
		sim().injectFault({ route: 'contacts.list', status: 429, body: 'Retry later', retryAfter: 3600 });

		const run = await runGated({ url: sim().url, parameters: { resource: 'contact', operation: 'getAll', returnAll: true } });

		expect(run.error?.message).toBe('Klivo asked to wait 3600 seconds before the next request (rate limit reached)');
		expect(run.ms).toBeLessThan(2_000);
	});

	it('contact search keeps its own words when its 100-a-minute limit does not let up', async () => {
		sim().addContacts(1, 3, (i) => ({ name: `Maria ${i}`, email: `maria${i}@example.com` }));
		sim().setRateLimit({ contactSearchPerMinute: 0, windowMs: 200 });

		const run = await runGated({
			url: sim().url,
			parameters: { resource: 'contact', operation: 'search', query: 'maria', returnAll: true },
			gate: { windowMs: 200 },
		});

		expect(run.error?.message).toContain('100 contact searches a minute');
		expect(run.error?.description).toContain('waited 3 times');
		expect(run.error?.description).toContain('Create or Update');
	});
});

describe('RateLimitGate: how long a round waits', () => {
	it("waits until the end of the server's minute by its Date header, when no Retry-After says how long", () => {
		const gate = new RateLimitGate({ marginMs: 250 });
		expect(gate.refuse(0, { date: 'Mon, 30 Nov 2026 03:00:45 GMT' })).toBeUndefined();
		expect(gate.waitedMs).toBe(15_000 + 250);
		// Refusals of requests already in flight when the gate closed do not add a wait.
		gate.refuse(0, { date: 'Mon, 30 Nov 2026 03:00:46 GMT' });
		expect(gate.waits).toBe(1);
	});

	it('waits for Retry-After when there is one, and gives up on one longer than the bound', () => {
		const gate = new RateLimitGate({ marginMs: 0, maxPauseMs: 60_000 });
		expect(gate.refuse(0, { retryAfterSeconds: 7, date: 'Mon, 30 Nov 2026 03:00:45 GMT' })).toBeUndefined();
		expect(gate.waitedMs).toBe(7_000);
		expect(gate.refuse(1, { retryAfterSeconds: 61 })?.message).toBe('Klivo asked to wait 61 seconds before the next request (rate limit reached)');
	});
});

describe('RateLimitGate: a stopped execution', () => {
	it('stops waiting within a second when the execution is cancelled', async () => {
		const controller = new AbortController();
		const gate = new RateLimitGate({ signal: controller.signal });
		gate.refuse(0, { retryAfterSeconds: 30 });
		const started = Date.now();
		const waiting = gate.pass();
		controller.abort();
		await expect(waiting).rejects.toThrow("The execution was stopped while waiting for Klivo's rate limit to reset");
		expect(Date.now() - started).toBeLessThan(2_000);
	});
});
