/**
 * Operators paste whatever is in their address bar as the Base URL. The node must still reach the API.
 */
import { NodeApiError } from 'n8n-workflow';

import { runActionNode } from '../helpers/n8n';
import { ADMIN, DIALECTS, runOk, sniffer, TLS_HANDSHAKE, useSimulator, type Dialect, type Simulator } from './support';

const FORMS: Array<[string, (sim: Simulator) => string]> = [
	['with a trailing slash', (sim) => `${sim.url}/`],
	['with several trailing slashes and spaces', (sim) => `  ${sim.url}//  `],
	['pasted from the dashboard', (sim) => `${sim.url}/app/accounts/1/dashboard`],
	['pasted from a settings page with a query', (sim) => `${sim.url}/app/accounts/1/settings/integrations/webhook?tab=1#top`],
	['pointing at the API', (sim) => `${sim.url}/api/v1/accounts/1/webhooks`],
];

describe.each(DIALECTS)('Klivo node base URL forms (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);

	it.each(FORMS)('reaches the API with a base URL %s', async (_label, baseUrlOf) => {
		sim().addWebhookDirect(1, { url: 'https://n8n.example.com/webhook/a', subscriptions: ['message_created'] });
		const items = await runOk(sim(), { operation: 'getAll', returnAll: true }, { credentials: { baseUrl: baseUrlOf(sim()) } });
		expect(items).toHaveLength(1);
		// Exactly one request, and it hit the real list route (not an /app/... page).
		expect(sim().countRequests()).toBe(1);
		expect(sim().countRequests({ route: 'list', accountId: 1 })).toBe(1);
	});
});

describe('Klivo node base URL without a scheme', () => {
	it('speaks HTTPS to that host', async () => {
		const server = await sniffer();
		try {
			const { error } = await runActionNode({
				parameters: { resource: 'webhook', operation: 'getAll', returnAll: true },
				credentials: { baseUrl: server.host, accessToken: ADMIN, accountId: '1', timeout: 5 },
			});
			expect(server.firstBytes.length).toBeGreaterThan(0);
			expect(server.firstBytes[0][0]).toBe(TLS_HANDSHAKE);
			// The TLS failure against this fake server still reads as ours, naming the https:// address.
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error!.description).toContain(`https://${server.host}`);
			expect(JSON.stringify(error)).not.toContain(ADMIN);
		} finally {
			await server.close();
		}
	});
});
