/**
 * Operators paste whatever is in their address bar as the Base URL. The node must still reach the API.
 */
import { NodeApiError } from 'n8n-workflow';

import { runActionNode } from '../helpers/n8n';
import { ADMIN, DIALECTS, runOk, sniffer, TLS_HANDSHAKE, useSimulator, type Dialect, type Simulator } from '../actions/support';
import { isKlivoCloud, normalizeBaseUrl } from '../../nodes/Klivo/transport/baseUrl';

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

describe('normalizeBaseUrl', () => {
	it.each([
		['https://chat.klivo.marketing', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/', 'https://chat.klivo.marketing'],
		['  https://chat.klivo.marketing//  ', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/app/accounts/7/dashboard', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/app/accounts/7/conversations/12?status=open#m', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/api/v1/accounts/7/webhooks', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/APP', 'https://chat.klivo.marketing'],
		['chat.klivo.marketing', 'https://chat.klivo.marketing'],
		['chat.klivo.marketing/app/accounts/7', 'https://chat.klivo.marketing'],
		['http://localhost:3000/', 'http://localhost:3000'],
		['HTTP://10.0.0.5:3000', 'HTTP://10.0.0.5:3000'],
		// A self-hosted server behind a proxy sub-path keeps it.
		['https://example.com/klivo/app/accounts/1', 'https://example.com/klivo'],
		['https://example.com/applications', 'https://example.com/applications'],
		['', ''],
		['   ', ''],
	])('%j → %j', (input, expected) => {
		expect(normalizeBaseUrl(input)).toBe(expected);
	});
});

describe('isKlivoCloud', () => {
	it.each([
		'https://chat.klivo.marketing',
		'chat.klivo.marketing',
		'https://CHAT.KLIVO.MARKETING/app/accounts/7/dashboard',
		'https://eu.chat.klivo.marketing',
	])('recognises %s', (url) => {
		expect(isKlivoCloud(url)).toBe(true);
	});

	it.each([
		'https://chat.klivo.marketing.evil.example',
		'https://evilchat.klivo.marketing',
		'https://klivo.marketing',
		'http://127.0.0.1:3000',
		'',
		'http://',
	])('does not mistake %j for it', (url) => {
		expect(isKlivoCloud(url)).toBe(false);
	});
});
