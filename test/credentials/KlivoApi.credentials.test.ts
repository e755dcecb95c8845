/**
 * The credential test as n8n runs it (RoutingNode + responseSuccessBody rules), against the simulator.
 */
import { testCredential, type KlivoCredentialData } from '../helpers/n8n';
import {
	AGENT,
	credentialsFor,
	DIALECTS,
	OTHER_ADMIN,
	sniffer,
	TLS_HANDSHAKE,
	TOKENS,
	UNKNOWN_TOKEN,
	useSimulator,
	type Dialect,
	type Simulator,
} from '../actions/support';

async function check(sim: Simulator, overrides: Partial<KlivoCredentialData> = {}) {
	const result = await testCredential(credentialsFor(sim, overrides));
	for (const token of TOKENS) expect(result.message).not.toContain(token);
	return result;
}

describe.each(DIALECTS)('Klivo API credential test (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);

	it("accepts an administrator's token, with one list request to that account", async () => {
		expect((await check(sim())).status).toBe('OK');
		expect(sim().countRequests({ route: 'list', accountId: 1 })).toBe(1);
	});

	it.each([
		['with a trailing slash', '/'],
		['pasted from the dashboard', '/app/accounts/1/dashboard'],
	])('accepts a base URL %s', async (_label, suffix) => {
		expect((await check(sim(), { baseUrl: `${sim().url}${suffix}` })).status).toBe('OK');
		expect(sim().countRequests({ route: 'list', accountId: 1 })).toBe(1);
	});

	it('accepts an account ID typed with spaces', async () => {
		expect((await check(sim(), { accountId: ' 1 ' })).status).toBe('OK');
	});

	const failures: Array<[string, Partial<KlivoCredentialData>, RegExp[]]> = [
		['an unknown token', { accessToken: UNKNOWN_TOKEN }, [/did not accept/i, /Access Token/]],
		["an agent's token", { accessToken: AGENT }, [/agent/i, /administrator/i]],
		['a token of a user not in the account', { accessToken: OTHER_ADMIN }, [/not a member/i, /Account ID/]],
		['an unknown account ID', { accountId: '999' }, [/no account/i, /Account ID/]],
	];

	it.each(failures)('explains %s', async (_label, overrides, patterns) => {
		const result = await check(sim(), overrides);
		expect(result.status).toBe('Error');
		for (const pattern of patterns) expect(result.message).toMatch(pattern);
	});

	it('gives each of those failures its own message', async () => {
		const messages = new Set<string>();
		for (const [, overrides] of failures) messages.add((await check(sim(), overrides)).message);
		expect(messages.size).toBe(failures.length);
	});

	it("reports a server failure as Klivo's, not as a bad credential", async () => {
		sim().injectFault({ route: 'list', status: 500 });
		const result = await check(sim());
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/server failed/i);
	});

	it('reports a rate limit instead of success', async () => {
		sim().injectFault({ route: 'list', status: 429, retryAfter: 5 });
		const result = await check(sim());
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/limiting the rate/) });
	});

	it.each([
		['a proxy error page (502)', 502],
		['a web page where the API should be (200)', 200],
	])('reports %s instead of success', async (_label, status) => {
		sim().injectFault({ route: 'list', status, body: '<!doctype html><html><body>Bad Gateway</body></html>' });
		const result = await check(sim());
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/web page, not Klivo's API/) });
	});
});

describe('Klivo API credential test with a base URL without a scheme', () => {
	it('speaks HTTPS to that host, like the node does', async () => {
		const server = await sniffer();
		try {
			const result = await testCredential({ baseUrl: server.host, accessToken: 'admin-token-1', accountId: '1' });
			expect(result.status).toBe('Error');
			expect(server.firstBytes.length).toBeGreaterThan(0);
			expect(server.firstBytes[0][0]).toBe(TLS_HANDSHAKE);
		} finally {
			await server.close();
		}
	});
});
