/**
 * The conversation picker, through n8n-core's real LoadOptionsContext against the simulator: Klivo
 * pages conversations 25 at a time (reference §2.1), the list shows every status, a number finds that
 * conversation, other text is Klivo's message search, and an agent sees only their inboxes' conversations.
 */
import type { IDataObject } from 'n8n-workflow';

import { searchConversations } from '../../../nodes/Klivo/methods/listSearch/conversation';
import { loadOptionsContext, makeHarness } from '../../helpers/n8n';
import { useStartedSimulator } from '../../helpers/simulator';
import { AGENT } from '../../actions/support';

const simulator = require('../../../tools/simulator/server.js');

interface PickerSim {
	url: string;
	reset(): void;
	close(): Promise<void>;
	addContact(account: number, fields: IDataObject): { id: number };
	addConversation(account: number, fields: IDataObject): { id: number };
	addConversations(account: number, count: number, make: (i: number) => IDataObject): Array<{ id: number }>;
	countRequests(filter?: { route?: string }): number;
	clearRequests(): void;
}

function context(sim: PickerSim, accessToken = 'admin-token-1') {
	const harness = makeHarness({
		parameters: { resource: 'conversation', operation: 'get' },
		credentials: { baseUrl: sim.url, accessToken, accountId: '1', timeout: 5 },
	});
	return loadOptionsContext(harness);
}

describe('Conversation picker (seeded account)', () => {
	const sim = useStartedSimulator(async () => (await simulator.startSimulator({ port: 0 })) as PickerSim);

	it('lists conversations of every status as "#number contact (status)", the number as value, in one request', async () => {
		sim().clearRequests();
		const list = await searchConversations.call(context(sim()));
		expect(list.results.map((r) => r.value).sort()).toEqual(['1', '2', '3', '4']);
		expect(list.results).toEqual(
			expect.arrayContaining([
				{ name: '#1 Maria Souza (open)', value: '1' },
				{ name: '#3 Fernanda Costa (resolved)', value: '3' },
				{ name: '#4 misty-forest-208 (pending)', value: '4' },
			]),
		);
		expect(list.paginationToken).toBeUndefined();
		expect(sim().countRequests({ route: 'conversations.list' })).toBe(1);
	});

	it("a number (with or without #) finds that conversation; other text is Klivo's message search", async () => {
		expect((await searchConversations.call(context(sim()), '#3')).results.map((r) => r.value)).toEqual(['3']);
		expect((await searchConversations.call(context(sim()), '2')).results.map((r) => r.value)).toEqual(['2']);
		const customer = sim().addContact(1, { name: 'Rita Alves', email: 'rita@example.com' });
		const withText = sim().addConversation(1, { inbox_id: 1, contact_id: customer.id, messages: [{ content: 'Meu boleto venceu ontem' }] });
		sim().clearRequests();
		const found = await searchConversations.call(context(sim()), 'BOLETO');
		expect(found.results).toEqual([{ name: `#${withText.id} Rita Alves (open)`, value: String(withText.id) }]);
		expect(sim().countRequests({ route: 'conversations.list' })).toBe(1);
	});

	it("an agent's token lists only the conversations of the agent's inboxes", async () => {
		// Ana is a member of inboxes 1 and 2; #4 is in the API inbox (3).
		const list = await searchConversations.call(context(sim(), AGENT));
		expect(list.results.map((r) => r.value).sort()).toEqual(['1', '2', '3']);
	});
});

describe('Conversation picker over pages (25 a page)', () => {
	const sim = useStartedSimulator(async () => (await simulator.startSimulator({ port: 0, demoData: false })) as PickerSim);
	let contactId: number;
	beforeEach(() => {
		contactId = sim().addContact(1, { name: 'Paging Person', email: 'paging@example.com' }).id;
	});

	it('pages 30 conversations of mixed statuses: 25, then 5, no conversation twice', async () => {
		sim().addConversations(1, 30, (i) => ({ inbox_id: 1, contact_id: contactId, status: ['open', 'resolved', 'pending'][i % 3] }));
		sim().clearRequests();
		const first = await searchConversations.call(context(sim()));
		expect(first.results).toHaveLength(25);
		expect(first.paginationToken).toBe('2');
		const second = await searchConversations.call(context(sim()), undefined, first.paginationToken as string);
		expect(second.results).toHaveLength(5);
		expect(second.paginationToken).toBeUndefined();
		const values = [...first.results, ...second.results].map((r) => r.value);
		expect(new Set(values).size).toBe(30);
		expect(sim().countRequests({ route: 'conversations.list' })).toBe(2);
	});

	it("exactly 25 conversations: one full page, and Klivo's count says there is no second", async () => {
		sim().addConversations(1, 25, () => ({ inbox_id: 1, contact_id: contactId }));
		const first = await searchConversations.call(context(sim()));
		expect(first.results).toHaveLength(25);
		expect(first.paginationToken).toBeUndefined();
	});
});
