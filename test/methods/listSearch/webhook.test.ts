/**
 * The Webhook resource locator's list (searchWebhooks), through n8n-core's LoadOptionsContext.
 */
import type { INodeListSearchResult } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { searchWebhooks } from '../../../nodes/Klivo/methods/listSearch/webhook';
import { withToken } from '../../../nodes/Klivo/shared/webhookUrl';
import { loadOptionsContext, makeHarness } from '../../helpers/n8n';
import { addWebhook, AGENT, credentialsFor, DIALECTS, expectNoLeaks, useSimulator, type Dialect, type Simulator } from '../../actions/support';

const ORDERS = 'https://n8n.example.com/webhook/orders';
const LEADS = 'https://n8n.example.com/webhook/leads';
const TRIGGER_TOKEN = 'trigger-url-token-7Qx2';
const TRIGGER = withToken('https://n8n.example.com/webhook/abc-123/webhook', TRIGGER_TOKEN);

async function search(sim: Simulator, filter?: string, accessToken?: string): Promise<INodeListSearchResult> {
	const harness = makeHarness({
		parameters: { resource: 'webhook', operation: 'update' },
		credentials: credentialsFor(sim, accessToken ? { accessToken } : {}),
	});
	const result = await searchWebhooks.call(loadOptionsContext(harness), filter);
	expectNoLeaks(sim, result, [TRIGGER_TOKEN]);
	return result;
}

describe.each(DIALECTS)('Klivo node webhook list search (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);

	function seed() {
		return {
			orders: addWebhook(sim(), ORDERS, ['message_created'], 'Orders bot'),
			leads: addWebhook(sim(), LEADS, ['contact_created']),
			trigger: addWebhook(sim(), TRIGGER, ['conversation_created'], 'n8n: Support'),
		};
	}

	it('lists every webhook by ID, showing its name and URL', async () => {
		const { orders, leads, trigger } = seed();
		const { results } = await search(sim());
		expect(results.map((r) => r.value)).toEqual([orders, leads, trigger].map((w) => String(w.id)));
		const [ordersEntry, leadsEntry] = results;
		expect(ordersEntry.name).toContain('Orders bot');
		expect(ordersEntry.name).toContain(ORDERS);
		expect(leadsEntry.name).toContain(LEADS);
	});

	it("shows a trigger's URL without its token", async () => {
		seed();
		const { results } = await search(sim());
		const entry = results.find((r) => r.name.includes('n8n: Support'))!;
		expect(entry.name).toContain('https://n8n.example.com/webhook/abc-123/webhook');
		expect(entry.name).not.toContain(TRIGGER_TOKEN);
	});

	it.each([
		['part of a name, in any case', 'ORDERS BOT', 'orders'],
		['part of a URL', 'webhook/leads', 'leads'],
	] as const)('filters by %s', async (_label, filter, expected) => {
		const seeded = seed();
		const { results } = await search(sim(), filter);
		expect(results.map((r) => r.value)).toEqual([String(seeded[expected].id)]);
	});

	it('filters by ID', async () => {
		const { leads } = seed();
		const { results } = await search(sim(), String(leads.id));
		expect(results.map((r) => r.value)).toContain(String(leads.id));
	});

	it('returns nothing when nothing matches', async () => {
		seed();
		expect((await search(sim(), 'no-such-webhook')).results).toEqual([]);
	});

	it('fails with our own message when the token may not list webhooks', async () => {
		seed();
		await expect(search(sim(), undefined, AGENT)).rejects.toThrow(NodeApiError);
		await expect(search(sim(), undefined, AGENT)).rejects.toThrow(/agent/i);
	});
});

describe('Klivo node webhook list search marks disabled webhooks (klivo dialect)', () => {
	const sim = useSimulator('klivo');

	it('marks only the webhook Klivo disabled', async () => {
		const healthy = addWebhook(sim(), ORDERS);
		const broken = addWebhook(sim(), LEADS);
		sim().disableWebhookDirect(1, broken.id);
		const { results } = await search(sim());
		const nameOf = (id: number) => results.find((r) => r.value === String(id))!.name;
		expect(nameOf(broken.id)).toMatch(/disabled/i);
		expect(nameOf(healthy.id)).not.toMatch(/disabled/i);
	});
});
