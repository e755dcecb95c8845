/**
 * The contact and label pickers, through n8n-core's real LoadOptionsContext against the simulator.
 */
import type { IDataObject } from 'n8n-workflow';

import { searchContacts } from '../../../nodes/Klivo/methods/listSearch/contact';
import { getLabels, searchLabels } from '../../../nodes/Klivo/methods/listSearch/label';
import { loadOptionsContext, makeHarness } from '../../helpers/n8n';
import { useStartedSimulator } from '../../helpers/simulator';
import { AGENT } from '../../actions/support';

const simulator = require('../../../tools/simulator/server.js');

interface PickerSim {
	url: string;
	reset(): void;
	close(): Promise<void>;
	addContacts(account: number, count: number, make: (i: number) => IDataObject): IDataObject[];
	addContact(account: number, fields: IDataObject): IDataObject;
	countRequests(filter?: { route?: string }): number;
	clearRequests(): void;
}

function context(sim: PickerSim, accessToken = 'admin-token-1') {
	const harness = makeHarness({
		parameters: { resource: 'contact', operation: 'get' },
		credentials: { baseUrl: sim.url, accessToken, accountId: '1', timeout: 5 },
	});
	return loadOptionsContext(harness);
}

describe('Contact picker', () => {
	const sim = useStartedSimulator(async () => (await simulator.startSimulator({ port: 0, demoData: false })) as PickerSim);

	it('pages through every contact by name, 15 at a time, with their e-mail or phone', async () => {
		sim().addContacts(1, 20, (i) => ({ name: `Person ${String(i).padStart(2, '0')}`, email: `p${i}@example.com` }));
		const first = await searchContacts.call(context(sim(), AGENT));
		expect(first.results).toHaveLength(15);
		expect(first.results[0].name).toBe('Person 00 (p0@example.com)');
		expect(first.paginationToken).toBe('2');
		const second = await searchContacts.call(context(sim(), AGENT), undefined, first.paginationToken as string);
		expect(second.results).toHaveLength(5);
		expect(second.paginationToken).toBeUndefined();
		const all = [...first.results, ...second.results].map((r) => r.value);
		expect(new Set(all).size).toBe(20);
	});

	it("filters with Klivo's search (name, e-mail, phone), following has_more", async () => {
		sim().addContacts(1, 16, (i) => ({ name: `Acme ${i}`, phone_number: `+5511955${String(500000 + i)}` }));
		sim().addContact(1, { name: 'Maria', email: 'maria@acme.example' });
		sim().addContact(1, { name: 'Other', email: 'other@example.com' });
		sim().clearRequests();
		const first = await searchContacts.call(context(sim()), 'acme');
		expect(first.results).toHaveLength(15);
		expect(first.paginationToken).toBe('2');
		const second = await searchContacts.call(context(sim()), 'acme', '2');
		expect(second.results).toHaveLength(2);
		expect(second.paginationToken).toBeUndefined();
		expect(sim().countRequests({ route: 'contacts.search' })).toBe(2);
		const byPhone = await searchContacts.call(context(sim()), '+5511955500015');
		expect(byPhone.results.map((r) => r.name)).toEqual(['Acme 15 (+5511955500015)']);
	});
});

describe('Label pickers', () => {
	const sim = useStartedSimulator(async () => (await simulator.startSimulator({ port: 0 })) as PickerSim);

	it("lists the account's labels for the locator, filtered by title, with an agent's token", async () => {
		const all = await searchLabels.call(context(sim(), AGENT));
		expect(all.results.map((r) => r.name).sort()).toEqual(['lead', 'pagamento', 'suporte', 'vip']);
		const filtered = await searchLabels.call(context(sim(), AGENT), 'PAG');
		expect(filtered.results).toEqual([{ name: 'pagamento', value: '4' }]);
	});

	it('offers titles as values for the label multi-select', async () => {
		const options = await getLabels.call(context(sim(), AGENT));
		expect(options.map((o) => o.value).sort()).toEqual(['lead', 'pagamento', 'suporte', 'vip']);
		expect(options.every((o) => o.name === o.value)).toBe(true);
	});
});
