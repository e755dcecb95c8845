/**
 * The inbox, agent and team pickers (locator lists and the options inside collections), through
 * n8n-core's real LoadOptionsContext against the simulator: one unpaged request each (reference §6),
 * filtered here by name or ID.
 */
import {
	getAgents,
	getInboxes,
	getTeams,
	searchAgents,
	searchInboxes,
	searchTeams,
} from '../../../nodes/Klivo/methods/listSearch/directory';
import { loadOptionsContext, makeHarness } from '../../helpers/n8n';
import { useStartedSimulator } from '../../helpers/simulator';
import { AGENT } from '../../actions/support';

const simulator = require('../../../tools/simulator/server.js');

interface PickerSim {
	url: string;
	reset(): void;
	close(): Promise<void>;
	addInbox(account: number, fields: Record<string, unknown>): { id: number };
	countRequests(filter?: { route?: string }): number;
	clearRequests(): void;
}

function context(sim: PickerSim, accessToken = 'admin-token-1') {
	const harness = makeHarness({
		parameters: { resource: 'conversation', operation: 'create' },
		credentials: { baseUrl: sim.url, accessToken, accountId: '1', timeout: 5 },
	});
	return loadOptionsContext(harness);
}

describe('Inbox, agent and team pickers', () => {
	const sim = useStartedSimulator(async () => (await simulator.startSimulator({ port: 0 })) as PickerSim);

	it('inboxes: name and channel, the id as value, in one request; filtered by name or ID', async () => {
		sim().clearRequests();
		const all = await searchInboxes.call(context(sim()));
		expect(all.results).toEqual([
			{ name: 'Klivo API (API)', value: '3' },
			{ name: 'Site Klivo (web chat)', value: '1' },
			{ name: 'WhatsApp Vendas (WhatsApp)', value: '2' },
		]);
		expect(all.paginationToken).toBeUndefined();
		expect(sim().countRequests({ route: 'inboxes.list' })).toBe(1);
		expect((await searchInboxes.call(context(sim()), 'whats')).results).toEqual([{ name: 'WhatsApp Vendas (WhatsApp)', value: '2' }]);
		expect((await searchInboxes.call(context(sim()), ' 1 ')).results).toEqual([{ name: 'Site Klivo (web chat)', value: '1' }]);
		expect((await searchInboxes.call(context(sim()), 'telegram')).results).toEqual([]);
	});

	it('an unknown channel type is shown without its Channel:: prefix', async () => {
		const inbox = sim().addInbox(1, { name: 'Suporte Voz', channel_type: 'Channel::Voice' });
		const found = await searchInboxes.call(context(sim()), 'voz');
		expect(found.results).toEqual([{ name: 'Suporte Voz (Voice)', value: String(inbox.id) }]);
	});

	it("an agent's token lists the inboxes the agent is a member of", async () => {
		const mine = await searchInboxes.call(context(sim(), AGENT));
		expect(mine.results.map((r) => r.value).sort()).toEqual(['1', '2']);
	});

	it('agents: name and e-mail, filtered by name or e-mail; the options carry the role', async () => {
		const all = await searchAgents.call(context(sim()));
		expect(all.results).toEqual(
			expect.arrayContaining([
				{ name: 'Bruno Admin (admin@klivo.example)', value: '1' },
				{ name: 'Ana Lima (ana.lima@klivo.example)', value: '2' },
				{ name: 'Carlos Souza (carlos.souza@klivo.example)', value: '3' },
			]),
		);
		expect(all.results).toHaveLength(3);
		expect((await searchAgents.call(context(sim()), 'CARLOS')).results).toEqual([{ name: 'Carlos Souza (carlos.souza@klivo.example)', value: '3' }]);
		expect((await searchAgents.call(context(sim()), 'ana.lima@')).results.map((r) => r.value)).toEqual(['2']);
		const options = await getAgents.call(context(sim(), AGENT));
		expect(options).toEqual(
			expect.arrayContaining([
				{ name: 'Bruno Admin (admin@klivo.example)', value: '1', description: 'administrator' },
				{ name: 'Ana Lima (ana.lima@klivo.example)', value: '2', description: 'agent' },
			]),
		);
	});

	it('teams: by name, with their description as the option description when they have one', async () => {
		sim().clearRequests();
		expect((await searchTeams.call(context(sim()))).results).toEqual(
			expect.arrayContaining([
				{ name: 'vendas', value: '1' },
				{ name: 'suporte', value: '2' },
			]),
		);
		expect((await searchTeams.call(context(sim()), 'SUP')).results).toEqual([{ name: 'suporte', value: '2' }]);
		expect(sim().countRequests({ route: 'teams.list' })).toBe(2);
		const options = await getTeams.call(context(sim(), AGENT));
		expect(options).toEqual(
			expect.arrayContaining([
				{ name: 'vendas', value: '1', description: 'Equipe de vendas' },
				{ name: 'suporte', value: '2' },
			]),
		);
	});

	it('the options lists feed the fields inside collections: one request each, values as text', async () => {
		sim().clearRequests();
		const inboxes = await getInboxes.call(context(sim()));
		expect(inboxes.map((o) => o.value).sort()).toEqual(['1', '2', '3']);
		expect(inboxes.every((o) => typeof o.value === 'string' && o.description === undefined)).toBe(true);
		expect(sim().countRequests({ route: 'inboxes.list' })).toBe(1);
	});

	it("a wrong token fails the picker with Klivo's 401 explained, without the token", async () => {
		const error = await searchInboxes.call(context(sim(), 'no-such-token-5f3a9c')).then(
			() => undefined,
			(e: Error & { description?: string }) => e,
		);
		expect(error).toBeDefined();
		expect(`${error!.message} ${error!.description ?? ''}`).not.toContain('no-such-token-5f3a9c');
		expect(error!.message).toMatch(/token/i);
	});
});
