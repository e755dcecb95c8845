/**
 * Every error the Klivo server (or the network) can produce reaches the user as a clear message that
 * says what to do, as a NodeApiError, and without the access token.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import {
	addWebhook,
	AGENT,
	closedPort,
	DIALECTS,
	locator,
	OTHER_ADMIN,
	run,
	runFail,
	runOk,
	TOKENS,
	UNKNOWN_TOKEN,
	useSimulator,
	type Dialect,
	type RunOptions,
	type Simulator,
} from '../actions/support';
import { explainStatus, parseRetryAfter, type ErrorSubject } from '../../nodes/Klivo/transport/errors';

const HOOK = 'https://n8n.example.com/webhook/orders';
const LIST = { operation: 'getAll', returnAll: true };
const CREATE = { operation: 'create', url: HOOK, events: ['message_created'] };

interface ErrorCase {
	name: string;
	/** Puts the simulator in the state that makes the request fail; returns run options if needed. */
	arrange?: (sim: Simulator) => Promise<RunOptions | void> | RunOptions | void;
	parameters: IDataObject | ((sim: Simulator) => IDataObject);
	message: RegExp[];
	description: RegExp[];
	httpCode?: string;
}

const CASES: ErrorCase[] = [
	{
		name: '401 unknown token',
		arrange: () => ({ credentials: { accessToken: UNKNOWN_TOKEN } }),
		parameters: LIST,
		message: [/access token/i],
		description: [/Profile Settings/, /Access Token/],
		httpCode: '401',
	},
	{
		name: "401 an agent's token",
		arrange: () => ({ credentials: { accessToken: AGENT } }),
		parameters: LIST,
		message: [/agent/i, /administrator/i],
		description: [/administrator's access token/i],
		httpCode: '401',
	},
	{
		name: "401 the token's user is not in the account",
		arrange: () => ({ credentials: { accessToken: OTHER_ADMIN } }),
		parameters: LIST,
		message: [/not a member/i, /account 1\b/],
		description: [/Account ID/],
		httpCode: '401',
	},
	{
		name: '404 unknown account',
		arrange: () => ({ credentials: { accountId: '999' } }),
		parameters: LIST,
		message: [/no account 999/i],
		description: [/Account ID/, /Base URL/],
		httpCode: '404',
	},
	{
		name: '404 unknown webhook',
		arrange: (sim) => void addWebhook(sim, HOOK),
		parameters: (sim) => ({ operation: 'delete', webhookId: locator(sim.webhooks(1)[0].id + 500) }),
		message: [/webhook \d+ does not exist/i],
		description: [/deleted/i, /Get Many/],
		httpCode: '404',
	},
	{
		// Create adopts a webhook whose URL is taken; Update onto another webhook's URL still fails.
		name: '422 URL already taken',
		arrange: (sim) => {
			addWebhook(sim, HOOK);
			addWebhook(sim, `${HOOK}-other`);
		},
		parameters: (sim) => ({ operation: 'update', webhookId: locator(sim.webhooks(1)[1].id), updateFields: { url: HOOK } }),
		message: [/already exists/i],
		description: [/Ensure/, /Update/],
		httpCode: '422',
	},
	{
		name: '422 URL invalid',
		arrange: (sim) => sim.injectFault({ route: 'create', status: 422, body: { message: 'Url is invalid', attributes: ['url'] } }),
		parameters: CREATE,
		message: [/rejected the webhook URL/i],
		description: [/https:\/\//],
		httpCode: '422',
	},
	{
		name: '422 invalid events',
		arrange: (sim) =>
			sim.injectFault({ route: 'create', status: 422, body: { message: 'Subscriptions Invalid events', attributes: ['subscriptions'] } }),
		parameters: CREATE,
		message: [/rejected the list of events/i],
		description: [/event/i],
		httpCode: '422',
	},
	{
		name: '429 with Retry-After',
		arrange: (sim) => sim.injectFault({ route: 'list', status: 429, retryAfter: 7 }),
		parameters: LIST,
		message: [/rate/i],
		description: [/\b7 seconds\b/, /Retry On Fail/],
		httpCode: '429',
	},
	{
		name: '500',
		arrange: (sim) => sim.injectFault({ route: 'list', status: 500 }),
		parameters: LIST,
		message: [/server failed/i, /500/],
		description: [/try again/i],
		httpCode: '500',
	},
	{
		name: 'connection refused',
		arrange: async () => ({ credentials: { baseUrl: `http://127.0.0.1:${await closedPort()}` } }),
		parameters: LIST,
		message: [/could not connect/i, /127\.0\.0\.1/],
		description: [/Base URL/, /ECONNREFUSED/],
	},
	{
		name: 'timeout',
		arrange: (sim) => {
			sim.injectFault({ route: 'list', delayMs: 2500 });
			return { credentials: { timeout: 1 } };
		},
		parameters: LIST,
		message: [/did not answer within 1 second\b/i],
		description: [/timeout/i, /credential/i],
	},
	{
		name: 'dropped connection',
		arrange: (sim) => sim.injectFault({ route: 'list', drop: true }),
		parameters: LIST,
		message: [/connection .* closed/i],
		description: [/try again/i],
	},
	{
		name: 'a web page where the API should be',
		arrange: (sim) => sim.injectFault({ route: 'list', status: 200, body: '<!doctype html><html><body>Login</body></html>' }),
		parameters: LIST,
		message: [/unknown format/i],
		description: [/Base URL/],
	},
];

describe.each(DIALECTS)('Klivo node errors (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);

	it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, errorCase) => {
		const options = (await errorCase.arrange?.(sim())) ?? {};
		const parameters = typeof errorCase.parameters === 'function' ? errorCase.parameters(sim()) : errorCase.parameters;
		const error = await runFail(sim(), parameters, options);

		expect(error).toBeInstanceOf(NodeApiError);
		for (const pattern of errorCase.message) expect(error.message).toMatch(pattern);
		for (const pattern of errorCase.description) expect(error.description).toMatch(pattern);
		if (errorCase.httpCode) expect(error.httpCode).toBe(errorCase.httpCode);
		expect(error.context?.itemIndex).toBe(0);
		// No library internals: neither the request headers nor a stack from the HTTP client.
		expect(JSON.stringify(error)).not.toMatch(/api_access_token|axios/i);
	});

	it('gives a different message for each kind of 401', async () => {
		const messages = new Set<string>();
		for (const accessToken of [UNKNOWN_TOKEN, AGENT, OTHER_ADMIN]) {
			messages.add((await runFail(sim(), LIST, { credentials: { accessToken } })).message);
		}
		expect(messages.size).toBe(3);
	});

	if (dialect === 'chatwoot') {
		it("explains that Chatwoot rejects conversation_resolved and names the event to use", async () => {
			const error = await runFail(sim(), { ...CREATE, events: ['message_created', 'conversation_resolved'] });
			expect(error.message).toContain('conversation_status_changed');
			expect(error.description).toMatch(/resolved/);
			expect(error.httpCode).toBe('422');
			expect(sim().webhooks(1)).toHaveLength(0);
		});

		it('explains the same on update', async () => {
			const webhook = addWebhook(sim(), HOOK);
			const error = await runFail(sim(), {
				operation: 'update',
				webhookId: locator(webhook.id),
				updateFields: { events: ['conversation_resolved'] },
			});
			expect(error.message).toContain('conversation_status_changed');
		});
	} else {
		it('subscribes conversation_resolved, which Klivo documents', async () => {
			await runOk(sim(), { ...CREATE, events: ['conversation_resolved'] });
			expect(sim().webhooks(1)[0].subscriptions).toEqual(['conversation_resolved']);
		});
	}

	it('keeps the token out of continueOnFail output too', async () => {
		const result = await run(sim(), LIST, { credentials: { accessToken: AGENT }, items: [{}, {}], continueOnFail: true });
		const output = result.output![0];
		expect(output).toHaveLength(2);
		for (const item of output) expect(item.json.error).toEqual({ message: expect.stringMatching(/agent/i), description: expect.any(String) });
		for (const token of TOKENS) expect(JSON.stringify(output)).not.toContain(token);
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-05-01T12:00:00Z');

	it.each([
		['7', 7],
		[' 0 ', 0],
		[['12'], 12],
		[30, 30],
		['Fri, 01 May 2026 12:00:05 GMT', 5],
		['Fri, 01 May 2026 11:00:00 GMT', 0],
	])('reads %j as %s seconds', (value, seconds) => {
		expect(parseRetryAfter(value, now)).toBe(seconds);
	});

	it.each([undefined, '', 'soon', null])('has no answer for %j', (value) => {
		expect(parseRetryAfter(value, now)).toBeUndefined();
	});
});

describe('explainStatus outside webhooks', () => {
	const subject = (context?: ErrorSubject['context']): ErrorSubject => ({ accountId: '1', baseUrl: 'https://chat.example.com', timeoutSeconds: 5, context });

	it("never reports another resource's duplicate as a webhook URL", () => {
		const explained = explainStatus(422, { message: 'Email has already been taken', attributes: ['email'] }, subject({ resource: 'contact' }));
		expect(explained.message).toBe('Klivo rejected the request: Email has already been taken');
		expect(explained.message).not.toMatch(/webhook/i);
		expect(explained.reason).toBe('rejected');
	});

	it('quotes the server reason of a 422 given as {error}', () => {
		expect(explainStatus(422, { error: 'source_id should be unique' }, subject({ resource: 'conversation' })).message).toContain(
			'source_id should be unique',
		);
	});

	it('names the resource and id of a 404', () => {
		const explained = explainStatus(404, { error: 'Resource could not be found' }, subject({ resource: 'inbox', id: 9 }));
		expect(explained.message).toBe('Inbox 9 does not exist in account 1');
		expect(explained.description).toMatch(/inboxes/);
	});

	it("lets a resource word its own failures, and keeps the credential's problems generic", () => {
		const context = { resource: 'conversation', id: 5, explain: () => ({ reason: 'notFound' as const, message: 'own words', description: 'own hint' }) };
		expect(explainStatus(404, {}, subject(context))).toMatchObject({ message: 'own words', httpCode: '404', reason: 'notFound' });
		expect(explainStatus(401, { error: 'Invalid Access Token' }, subject(context)).reason).toBe('token');
		expect(explainStatus(401, { error: 'You are not authorized to access this account' }, subject(context)).reason).toBe('account');
	});

	it("words an agent's refusal without speaking of webhooks", () => {
		const explained = explainStatus(401, { error: 'You are not authorized to do this action' }, subject({ resource: 'conversation', id: 5 }));
		expect(explained.reason).toBe('agent');
		expect(`${explained.message} ${explained.description}`).not.toMatch(/webhook/i);
		expect(explained.description).toMatch(/inbox/);
	});
});
