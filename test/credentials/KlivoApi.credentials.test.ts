/**
 * The Klivo API credential test as n8n chooses and runs it (test/helpers/n8n.ts testCredentialAsN8n:
 * the nodes' `testedBy` method on n8n-core's CredentialTestContext), against the simulator.
 */
import http from 'node:http';
import type net from 'node:net';

import { testCredentialAsN8n, type KlivoCredentialData } from '../helpers/n8n';
import {
	ADMIN,
	AGENT,
	closedPort,
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
	const result = await testCredentialAsN8n(credentialsFor(sim, overrides));
	for (const token of TOKENS) expect(result.message).not.toContain(token);
	return result;
}

describe.each(DIALECTS)('Klivo API credential test (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);

	it.each([
		['an administrator', ADMIN],
		['an agent', AGENT],
	])("accepts %s's token, with one request any member may make", async (_label, accessToken) => {
		expect(await check(sim(), { accessToken })).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim().countRequests({ route: 'labels.list', method: 'GET', accountId: 1 })).toBe(1);
		expect(sim().requests).toHaveLength(1);
	});

	it.each([
		['with a trailing slash', '/'],
		['pasted from the dashboard', '/app/accounts/1/dashboard'],
	])('accepts a base URL %s', async (_label, suffix) => {
		expect((await check(sim(), { baseUrl: `${sim().url}${suffix}` })).status).toBe('OK');
		expect(sim().countRequests({ route: 'labels.list', accountId: 1 })).toBe(1);
	});

	it('accepts an account ID typed with spaces', async () => {
		expect((await check(sim(), { accountId: ' 1 ' })).status).toBe('OK');
	});

	const refusals: Array<[string, Partial<KlivoCredentialData>, RegExp[]]> = [
		['an unknown token', { accessToken: UNKNOWN_TOKEN }, [/did not accept/i, /Access Token/]],
		['a token of a user not in the account', { accessToken: OTHER_ADMIN }, [/not a member/i, /Account ID/]],
		['an unknown account ID', { accountId: '999' }, [/no account 999 at http:\/\/127\.0\.0\.1/i, /Account ID/, /Base URL/]],
	];

	it.each(refusals)('explains %s', async (_label, overrides, patterns) => {
		const result = await check(sim(), overrides);
		expect(result.status).toBe('Error');
		for (const pattern of patterns) expect(result.message).toMatch(pattern);
	});

	it('gives each of those refusals its own message', async () => {
		const messages = new Set<string>();
		for (const [, overrides] of refusals) messages.add((await check(sim(), overrides)).message);
		expect(messages.size).toBe(refusals.length);
	});

	// Issue 11, defect 5: each of these showed "Connection successful".
	const faults: Array<[string, Record<string, unknown>, RegExp]> = [
		['a 503 with an empty body', { status: 503, body: '' }, /server failed to answer \(HTTP 503\)/],
		['a 429 in plain text', { status: 429, body: 'Retry later', retryAfter: 30 }, /limiting the rate.*Wait 30 seconds/],
		['a 404 with an unknown JSON body', { status: 404, body: { status: 404, error: 'Not Found' } }, /no account 1 at .*Base URL/],
		[
			'a 401 with another body',
			{ status: 401, body: { errors: ['You need to sign in or sign up before continuing.'] } },
			/did not accept the API access token .*HTTP 401/,
		],
		['a web page with 200', { status: 200, body: '\n<!DOCTYPE html><html><body>Klivo</body></html>' }, /web page, not Klivo's API/],
		['a 200 that is not JSON', { status: 200, body: 'OK' }, /web page, not Klivo's API/],
		['a proxy error page (502)', { status: 502, body: '<html><body>Bad Gateway</body></html>' }, /server failed to answer \(HTTP 502\)/],
		['a 500', { status: 500 }, /server failed to answer \(HTTP 500\)/],
		['a 403 from a firewall', { status: 403, body: 'Forbidden' }, /refused the request \(HTTP 403\)/],
		['a 422', { status: 422 }, /answered HTTP 422/],
	];

	it.each(faults)('reports %s as a failure', async (_label, fault, message) => {
		sim().injectFault({ route: 'any', ...fault });
		expect(await check(sim())).toEqual({ status: 'Error', message: expect.stringMatching(message) });
	});

	it('reports a server that does not answer within the timeout', async () => {
		sim().injectFault({ route: 'any', delayMs: 2500 });
		expect(await check(sim(), { timeout: 1 })).toEqual({
			status: 'Error',
			message: expect.stringMatching(/did not answer within 1 seconds/),
		});
	});

	it('reports a dropped connection', async () => {
		sim().injectFault({ route: 'any', drop: true });
		expect(await check(sim())).toEqual({ status: 'Error', message: expect.stringMatching(/closed the connection|Could not reach/) });
	});
});

describe('Klivo API credential test without a server', () => {
	it('reports a refused connection', async () => {
		const port = await closedPort();
		const result = await testCredentialAsN8n({ baseUrl: `http://127.0.0.1:${port}`, accessToken: ADMIN, accountId: '1' });
		expect(result).toEqual({ status: 'Error', message: `127.0.0.1:${port} refused the connection. Check the Base URL (and its port).` });
	});

	it.each([
		['an empty base URL', { baseUrl: ' ' }, /Base URL is not a web address/],
		['an empty account ID', { accountId: ' ' }, /Enter the Account ID/],
		['an empty token', { accessToken: '' }, /Enter the API access token/],
	])('refuses %s before any request', async (_label, overrides, message) => {
		const result = await testCredentialAsN8n({ baseUrl: 'http://127.0.0.1:9', accessToken: ADMIN, accountId: '1', ...overrides });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(message) });
	});

	it('speaks HTTPS to a base URL without a scheme, like the node does', async () => {
		const server = await sniffer();
		try {
			const result = await testCredentialAsN8n({ baseUrl: server.host, accessToken: ADMIN, accountId: '1' });
			expect(result.status).toBe('Error');
			expect(server.firstBytes.length).toBeGreaterThan(0);
			expect(server.firstBytes[0][0]).toBe(TLS_HANDSHAKE);
		} finally {
			await server.close();
		}
	});

	it('does not follow a redirect, so the token stays with the Base URL', async () => {
		const seen: string[] = [];
		const target = http.createServer((req, res) => {
			seen.push(String(req.headers.api_access_token));
			res.end('{}');
		});
		const redirector = http.createServer((_req, res) => {
			const { port } = target.address() as net.AddressInfo;
			res.writeHead(302, { Location: `http://127.0.0.1:${port}/api/v1/accounts/1/labels` }).end();
		});
		await Promise.all([target, redirector].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
		try {
			const { port } = redirector.address() as net.AddressInfo;
			const result = await testCredentialAsN8n({ baseUrl: `http://127.0.0.1:${port}`, accessToken: ADMIN, accountId: '1' });
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/redirects to http:\/\/127\.0\.0\.1:\d+\/api\/v1\/accounts\/1\/labels \(HTTP 302\)/) });
			expect(seen).toEqual([]);
		} finally {
			await Promise.all([target, redirector].map((s) => new Promise((resolve) => s.close(resolve))));
		}
	});
});

describe.each(DIALECTS)('Klivo API credential test with Token Type "Agent bot" (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);
	const BOT = 'bot-token-1';
	/** The bot of account 2, not connected to account 1. */
	const OTHER_BOT = 'bot-token-2';
	const asBot = (overrides: Partial<KlivoCredentialData> = {}) => ({ tokenType: 'agentBot', accessToken: BOT, ...overrides });

	async function checkBot(overrides: Partial<KlivoCredentialData> = {}) {
		const result = await check(sim(), asBot(overrides));
		for (const token of [BOT, OTHER_BOT]) expect(result.message).not.toContain(token);
		return result;
	}

	it("accepts an agent bot's token with two requests that change nothing", async () => {
		const conversations = async () => JSON.stringify(await fetch(`${sim().url}/_sim/accounts/1/conversations`).then((r) => r.json()));
		const before = await conversations();
		expect(await checkBot()).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim().requests.map((r) => [r.method, r.route, r.status])).toEqual([
			['GET', 'labels.list', 401],
			['POST', 'conversations.toggle_typing_status', 404],
		]);
		expect(await conversations()).toBe(before);
		expect(await fetch(`${sim().url}/_sim/deliveries`).then((r) => r.json())).toEqual([]);
	});

	it.each([
		['an administrator', ADMIN],
		['an agent', AGENT],
	])("says that %s's token is a user's, not a bot's, in one request", async (_label, accessToken) => {
		const result = await checkBot({ accessToken });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/a user's token .*not an agent bot's/);
		expect(result.message).toMatch(/Set Token Type to 'User \(administrator or agent\)'/);
		expect(sim().requests).toHaveLength(1);
	});

	it('says that an unknown token is not a valid bot token', async () => {
		const result = await checkBot({ accessToken: UNKNOWN_TOKEN });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/did not accept the token as an agent bot's token.*Settings → Bots/) });
		expect(sim().requests).toHaveLength(1);
	});

	it('says when the bot belongs to another account', async () => {
		const result = await checkBot({ accessToken: OTHER_BOT });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/bot is not connected to account 1.*Account ID/) });
	});

	it('gives each refusal its own message', async () => {
		const messages = new Set<string>();
		for (const accessToken of [ADMIN, UNKNOWN_TOKEN, OTHER_BOT]) messages.add((await checkBot({ accessToken })).message);
		expect(messages.size).toBe(3);
	});

	it("tells a bot's token declared as a user's to set Token Type to 'Agent bot'", async () => {
		const result = await check(sim(), { accessToken: BOT });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/agent bot's token\. Set Token Type to 'Agent bot'/) });
	});

	it('reports a server failure on the second request', async () => {
		sim().injectFault({ route: 'conversations.toggle_typing_status', status: 503, body: '' });
		expect(await checkBot()).toEqual({ status: 'Error', message: expect.stringMatching(/server failed to answer \(HTTP 503\)/) });
	});
});
