/**
 * The Label resource of the Klivo node (account labels), over real HTTP against the simulator:
 * reads with any member's token, writes with an administrator's only.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { runActionNode, type RunResult } from '../helpers/n8n';
import { useStartedSimulator } from '../helpers/simulator';
import { ADMIN, AGENT, locator } from './support';

const simulator = require('../../tools/simulator/server.js');

interface LabelSim {
	url: string;
	reset(): void;
	close(): Promise<void>;
	labels(account: number): IDataObject[];
	addLabel(account: number, fields: IDataObject): IDataObject;
	countRequests(filter?: { route?: string }): number;
	clearRequests(): void;
}

const SECRETS = ['admin-token-1', 'agent-token-1'];

async function run(sim: LabelSim, parameters: IDataObject, token = ADMIN, items?: IDataObject[], continueOnFail = false): Promise<RunResult> {
	const result = await runActionNode({
		parameters: { resource: 'label', ...parameters },
		credentials: { baseUrl: sim.url, accessToken: token, accountId: '1', timeout: 5 },
		items,
		continueOnFail,
	});
	const text = JSON.stringify(result.output ?? null) + String(result.error?.message) + String(result.error?.description);
	for (const secret of SECRETS) expect(text).not.toContain(secret);
	return result;
}

async function ok(sim: LabelSim, parameters: IDataObject, token = ADMIN): Promise<IDataObject[]> {
	const result = await run(sim, parameters, token);
	if (result.error) throw new Error(`expected success, got: ${result.error.message} (${result.error.description ?? ''})`);
	return (result.output?.[0] ?? []).map((item: INodeExecutionData) => item.json);
}

async function fail(sim: LabelSim, parameters: IDataObject, token = ADMIN) {
	const result = await run(sim, parameters, token);
	if (!result.error) throw new Error(`expected an error, got ${JSON.stringify(result.output)}`);
	return result.error;
}

const titles = (sim: LabelSim) => sim.labels(1).map((label) => label.title);

describe('Label resource', () => {
	const sim = useStartedSimulator(async () => (await simulator.startSimulator({ port: 0 })) as LabelSim);

	it("lists the account's labels with an agent's token, as Klivo sends them", async () => {
		const items = await ok(sim(), { operation: 'getAll', returnAll: true }, AGENT);
		expect(items.map((label) => label.title).sort()).toEqual(['lead', 'pagamento', 'suporte', 'vip']);
		expect(Object.keys(items[0])).toEqual(['id', 'title', 'description', 'color', 'show_on_sidebar']);
	});

	it('stops at the limit', async () => {
		expect(await ok(sim(), { operation: 'getAll', returnAll: false, limit: 2 })).toHaveLength(2);
	});

	it('creates a label, stored in lower case', async () => {
		const [label] = await ok(sim(), {
			operation: 'create',
			title: 'Lead_Quente',
			additionalFields: { description: 'Hot lead', color: '#ff0000', showOnSidebar: true },
		});
		expect(label).toMatchObject({ title: 'lead_quente', description: 'Hot lead', color: '#ff0000', show_on_sidebar: true });
		expect(titles(sim())).toContain('lead_quente');
	});

	it.each([
		['lead quente', 'lead-quente'],
		['a', undefined],
		['-vip', 'vip'],
		['vip.gold', 'vip-gold'],
	])("refuses the title '%s' before any request, saying the rules", async (title, suggestion) => {
		sim().clearRequests();
		const error = await fail(sim(), { operation: 'create', title });
		expect(error.description).toContain('without spaces');
		if (suggestion) expect(error.description).toContain(`Did you mean '${suggestion}'?`);
		expect(sim().countRequests({ route: 'labels.*' })).toBe(0);
	});

	it('says when the title is taken', async () => {
		const error = await fail(sim(), { operation: 'create', title: 'VIP' });
		expect(error.message).toBe("A label titled 'vip' already exists in this Klivo account");
	});

	it("says that label writes need an administrator's token", async () => {
		for (const parameters of [
			{ operation: 'create', title: 'novo' },
			{ operation: 'update', labelId: locator(1), updateFields: { description: 'x' } },
			{ operation: 'delete', labelId: locator(1) },
		]) {
			const error = await fail(sim(), parameters, AGENT);
			expect(error.message).toBe('This access token belongs to an agent: only administrators may create, change or delete account labels');
			expect(error.description).toContain("administrator's access token");
		}
		expect(titles(sim()).sort()).toEqual(['lead', 'pagamento', 'suporte', 'vip']);
	});

	it('updates a label by ID and by title', async () => {
		const [byId] = await ok(sim(), { operation: 'update', labelId: locator(2), updateFields: { title: 'VIP-Gold', color: '#000000' } });
		expect(byId).toMatchObject({ id: 2, title: 'vip-gold', color: '#000000' });
		const [byTitle] = await ok(sim(), {
			operation: 'update',
			labelId: { __rl: true, mode: 'title', value: 'Lead' },
			updateFields: { description: 'Fresh' },
		});
		expect(byTitle).toMatchObject({ id: 1, title: 'lead', description: 'Fresh' });
	});

	it('says which label does not exist', async () => {
		const notFound = await fail(sim(), { operation: 'update', labelId: locator(999), updateFields: { description: 'x' } });
		expect(notFound.message).toBe('Label 999 does not exist in account 1');
		const noTitle = await fail(sim(), { operation: 'delete', labelId: { __rl: true, mode: 'title', value: 'nope' } });
		expect(noTitle.message).toBe("The account has no label titled 'nope'");
	});

	it('refuses an update without fields', async () => {
		expect((await fail(sim(), { operation: 'update', labelId: locator(1), updateFields: {} })).message).toBe('Nothing to update');
	});

	it('deletes a label', async () => {
		expect(await ok(sim(), { operation: 'delete', labelId: locator(4) })).toEqual([{ deleted: true, id: 4 }]);
		expect(titles(sim())).not.toContain('pagamento');
	});

	it('continues on fail per item, paired to its input', async () => {
		const result = await run(sim(), { operation: 'create', title: '={{ $json.title }}' }, ADMIN, [{ title: 'alpha' }, { title: 'bad title' }, { title: 'beta' }], true);
		const output = result.output![0];
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.title).toBe('alpha');
		expect((output[1].json.error as IDataObject).message).toBe("'bad title' is not a valid label title");
		expect(output[2].json.title).toBe('beta');
	});
});
