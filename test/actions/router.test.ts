/**
 * The item loop under Options > Concurrency (write operations): items run side by side, yet the
 * output keeps the input order with pairedItem, continueOnFail holds per item, and items for the same
 * conversation or contact are applied in input order. Against the simulator with a small delay.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runActionNode } from '../helpers/n8n';
import { useStartedSimulator } from '../helpers/simulator';

const simulator = require('../../tools/simulator/server.js');

interface Sim {
	url: string;
	reset(): void;
	close(): Promise<void>;
	addContacts(account: number, count: number, make: (i: number) => IDataObject): IDataObject[];
	addConversations(account: number, count: number, make: (i: number) => IDataObject): IDataObject[];
	conversation(account: number, id: number): IDataObject | null;
	contacts(account: number): IDataObject[];
	messages(account: number, displayId: number): IDataObject[];
	injectFault(options: IDataObject): void;
	requests: Array<{ route: string; method: string; status: number | null; path: string }>;
	clearRequests(): void;
}

const byId = { __rl: true, mode: 'id', value: '={{ $json.id }}' };

async function run(sim: Sim, parameters: IDataObject, items: IDataObject[], continueOnFail = false) {
	const result = await runActionNode({
		parameters: parameters as INodeParameters,
		credentials: { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 },
		items,
		continueOnFail,
	});
	return { output: (result.output?.[0] ?? []) as INodeExecutionData[], error: result.error };
}

describe('router: many items at once', () => {
	const sim = useStartedSimulator(async () => (await simulator.startSimulator({ port: 0, demoData: false, latencyMs: 15 })) as Sim);
	/** Conversation ids are never reused, not even after a reset: `c(n)` is the n-th of this test's. */
	let ids: number[] = [];
	const c = (n: number) => ids[n - 1];
	beforeEach(() => {
		const contacts = sim().addContacts(1, 12, (i) => ({ name: `C ${i}`, email: `c${i}@example.com` }));
		ids = sim()
			.addConversations(1, 12, (i) => ({ inbox_id: 1, contact_id: contacts[i].id, labels: ['lead'] }))
			.map((conversation) => Number(conversation.id));
		sim().clearRequests();
	});

	it('runs items side by side, with the output in input order and pairedItem intact', async () => {
		const items = [5, 2, 9, 1, 12, 7, 3, 11].map((n) => ({ id: c(n) }));
		const { output, error } = await run(sim(), { resource: 'conversation', operation: 'addLabels', conversationId: byId, labels: ['vip'], options: { concurrency: 4 } }, items);
		expect(error).toBeUndefined();
		expect(output.map((o) => o.json.conversation_id)).toEqual(items.map((i) => i.id));
		expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		for (const { id } of items) expect(sim().conversation(1, id)?.labels).toEqual(['lead', 'vip']);
		// Four items started before the first one was done: four label reads before any write.
		expect(sim().requests.slice(0, 4).map((r) => r.route)).toEqual(Array(4).fill('conversations.labels.list'));
	});

	it('runs several at a time by default, and strictly one by one with Concurrency 1', async () => {
		const items = [1, 2, 3, 4].map((n) => ({ id: c(n) }));
		await run(sim(), { resource: 'conversation', operation: 'addLabels', conversationId: byId, labels: ['vip'] }, items);
		expect(sim().requests.slice(0, 2).map((r) => r.route)).toEqual(['conversations.labels.list', 'conversations.labels.list']);

		sim().clearRequests();
		await run(sim(), { resource: 'conversation', operation: 'removeLabels', conversationId: byId, labels: ['vip'], options: { concurrency: 1 } }, items);
		expect(sim().requests.map((r) => r.route)).toEqual(Array(4).fill(['conversations.labels.list', 'conversations.labels.set']).flat());
	});

	it('applies items for the same conversation in input order, even when an earlier one is slow', async () => {
		// The first message is held up 300 ms: without ordering by conversation, the later ones to #1 would pass it.
		sim().injectFault({ route: 'messages.create', delayMs: 300, times: 1 });
		const items = [
			{ id: c(1), text: 'one-1' },
			{ id: c(2), text: 'two-1' },
			{ id: c(1), text: 'one-2' },
			{ id: c(3), text: 'three-1' },
			{ id: c(1), text: 'one-3' },
			{ id: c(2), text: 'two-2' },
		];
		const { output, error } = await run(
			sim(),
			{ resource: 'message', operation: 'send', conversationId: byId, content: '={{ $json.text }}', options: { concurrency: 4 } },
			items,
		);
		expect(error).toBeUndefined();
		expect(output.map((o) => o.json.content)).toEqual(items.map((i) => i.text));
		const contents = (id: number) => sim().messages(1, id).map((m) => m.content);
		expect(contents(c(1))).toEqual(['one-1', 'one-2', 'one-3']);
		expect(contents(c(2))).toEqual(['two-1', 'two-2']);
	});

	it('orders contact upserts by their unique key: the same e-mail twice updates the one contact', async () => {
		const before = sim().contacts(1).length;
		const items = [
			{ email: 'new@example.com', name: 'First' },
			{ email: 'other@example.com', name: 'Other' },
			{ email: 'new@example.com', name: 'Second' },
		];
		const { output, error } = await run(
			sim(),
			{ resource: 'contact', operation: 'upsert', name: '={{ $json.name }}', additionalFields: { email: '={{ $json.email }}' }, options: { concurrency: 3 } },
			items,
		);
		expect(error).toBeUndefined();
		expect(output).toHaveLength(3);
		expect(sim().contacts(1).length).toBe(before + 2);
		expect(sim().contacts(1).find((c) => c.email === 'new@example.com')?.name).toBe('Second');
	});

	it('continueOnFail: each failing item gets its own error item, in place, and the others are applied', async () => {
		const items = [{ id: c(1) }, { id: 9999 }, { id: c(3) }, { id: 'abc' }, { id: c(5) }];
		const { output, error } = await run(
			sim(),
			{ resource: 'conversation', operation: 'addLabels', conversationId: byId, labels: ['vip'], options: { concurrency: 3 } },
			items,
			true,
		);
		expect(error).toBeUndefined();
		expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expect(output.map((o) => (o.json.error ? 'error' : o.json.conversation_id))).toEqual([c(1), 'error', c(3), 'error', c(5)]);
		expect(String((output[1].json.error as IDataObject).message)).toContain('9999');
		for (const n of [1, 3, 5]) expect(sim().conversation(1, c(n))?.labels).toEqual(['lead', 'vip']);
	});

	it('without continueOnFail the run fails with the earliest failing item, starting no item after it', async () => {
		const items = [{ id: c(1) }, { id: 9999 }, ...Array.from({ length: 10 }, (_, i) => ({ id: c(i + 2) }))];
		const { error } = await run(sim(), { resource: 'conversation', operation: 'addLabels', conversationId: byId, labels: ['vip'], options: { concurrency: 2 } }, items);
		expect(error?.message).toContain('9999');
		expect((error as unknown as { context?: IDataObject })?.context?.itemIndex).toBe(1);
		// Items already in flight finish; later ones are not started.
		const labelled = ids.filter((id) => (sim().conversation(1, id)?.labels as string[]).includes('vip'));
		expect(labelled.length).toBeLessThanOrEqual(3);
	});
});
