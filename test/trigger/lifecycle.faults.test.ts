/**
 * When the Klivo API fails at any step of activation or deactivation: activation must stop with a
 * message that says what happened, deactivation must never throw (n8n would skip the cleanup of the
 * workflow's other nodes), and the access token must not leak into either.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { deriveUrlToken } from '../../nodes/Klivo/shared/webhookUrl';
import {
	ACCOUNT,
	ADMIN_TOKEN,
	AGENT_TOKEN,
	DIALECTS,
	caught,
	everythingIn,
	makeTrigger,
	onlyWebhook,
	useSimulator,
	type CaughtError,
	type Dialect,
	type Fault,
	type Simulator,
	type Trigger,
} from './support';

/** Each kind of failure, the fault that produces it, and the words the user must see. */
const FAULTS: Array<{ kind: string; fault: Omit<Fault, 'route'>; message: (step: Step) => RegExp }> = [
	{ kind: '401', fault: { status: 401 }, message: () => /Klivo did not accept the API access token/ },
	{
		kind: '404',
		fault: { status: 404 },
		message: (step) =>
			step.addressesWebhook ? /Webhook \d+ does not exist in account 1/ : /Klivo has no account 1 at http:\/\/127\.0\.0\.1:\d+/,
	},
	{ kind: '422', fault: { status: 422 }, message: () => /Klivo rejected the request: Unprocessable/ },
	{ kind: '429', fault: { status: 429, retryAfter: 1 }, message: () => /Klivo is limiting the rate of requests/ },
	{ kind: '500', fault: { status: 500 }, message: () => /Klivo's server failed to answer \(HTTP 500\)/ },
	{ kind: 'timeout', fault: { delayMs: 1300 }, message: () => /Klivo did not answer within 1 seconds?\b/ },
	{ kind: 'dropped connection', fault: { drop: true }, message: () => /The connection to Klivo was closed before it answered/ },
];

/** Failures a retry moments later may not meet; deactivation tries these again. */
const TRANSIENT_KINDS = ['429', '500', 'timeout', 'dropped connection'];

interface Step {
	name: string;
	route: Fault['route'];
	/** The request names a webhook id (PATCH/DELETE), so a 404 is about the webhook, not the account. */
	addressesWebhook: boolean;
	/** Brings the simulator and trigger to the point just before the failing request; returns the call. */
	arrange(sim: Simulator, trigger: Trigger): Promise<() => Promise<boolean>>;
}

const ACTIVATION_STEPS: Step[] = [
	{
		name: 'checkExists, listing the webhooks',
		route: 'list',
		addressesWebhook: false,
		arrange: async (_sim, trigger) => trigger.checkExists,
	},
	{
		name: 'checkExists, fixing an adopted webhook',
		route: 'update',
		addressesWebhook: true,
		arrange: async (sim, trigger) => {
			sim.addWebhookDirect(ACCOUNT, { url: trigger.productionUrl(), subscriptions: ['contact_created'] });
			return trigger.checkExists;
		},
	},
	{
		name: 'create, registering the webhook',
		route: 'create',
		addressesWebhook: false,
		arrange: async (_sim, trigger) => {
			await expect(trigger.checkExists()).resolves.toBe(false);
			return trigger.create;
		},
	},
];

const DEACTIVATION_STEPS: Step[] = [
	{
		name: 'delete',
		route: 'delete',
		addressesWebhook: true,
		arrange: async (_sim, trigger) => {
			await trigger.activate();
			return trigger.remove;
		},
	},
	{
		name: 'delete with lost static data, listing to find it',
		route: 'list',
		addressesWebhook: false,
		arrange: async (sim, trigger) => {
			await trigger.activate();
			for (const key of Object.keys(trigger.staticData)) delete trigger.staticData[key];
			return trigger.remove;
		},
	},
];

/** Secrets that must never reach an error or a log line. */
function secretsOf(trigger: Trigger): string[] {
	return [ADMIN_TOKEN, deriveUrlToken(ADMIN_TOKEN, ACCOUNT, trigger.productionUrl())];
}

function expectNoSecrets(text: string, trigger: Trigger): void {
	for (const secret of secretsOf(trigger)) expect(text).not.toContain(secret);
}

afterEach(() => jest.restoreAllMocks());

describe.each(DIALECTS)('Klivo Trigger: API faults (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);
	const newTrigger = () => makeTrigger(sim(), { credentials: { timeout: 1 } });

	// A slow request still takes effect on the simulator after the client gave up (as on a real
	// server); let it land before the next test starts, or it would change that test's account.
	let settledAt = 0;
	function injectFault(fault: Fault): void {
		if (fault.delayMs) settledAt = Date.now() + fault.delayMs + 150;
		sim().injectFault(fault);
	}
	async function settle(): Promise<void> {
		const wait = settledAt - Date.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	}
	afterEach(settle);

	describe.each(ACTIVATION_STEPS)('activation fails at $name', (step: Step) => {
		test.each(FAULTS)('$kind → a node error in our words, no token', async ({ fault, message }) => {
			const trigger = newTrigger();
			const call = await step.arrange(sim(), trigger);
			injectFault({ route: step.route, ...fault });

			const error = await caught(call());

			expect(error.constructor === NodeApiError || error.constructor === NodeOperationError).toBe(true);
			expect(error.message).toMatch(message(step));
			expect(typeof error.description).toBe('string');
			expect(error.description!.length).toBeGreaterThan(20);
			expectNoSecrets(everythingIn(error), trigger);
			// The failing request was really made (and answered with the fault).
			expect(sim().requests.some((r) => r.route === step.route && r.fault !== undefined)).toBe(true);
		});
	});

	describe.each(DEACTIVATION_STEPS)('deactivation fails at $name', (step: Step) => {
		async function deactivate(trigger: Trigger) {
			const context = trigger.hookContext();
			const warn = jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);
			const removed = await trigger.type.webhookMethods!.default!.delete.call(context);
			return { removed, warn };
		}
		const faultedTries = () => sim().requests.filter((r) => r.route === step.route && r.fault !== undefined).length;

		test.each(FAULTS)('$kind, every time → no throw; logged without the token; the leftover is adopted', async ({ kind, fault, message }) => {
			const trigger = newTrigger();
			await step.arrange(sim(), trigger);
			// A 404 that never ends while Klivo still lists the webhook is the stale-cache case (regressions.test.ts).
			injectFault({ route: step.route, ...fault, times: kind === '404' && step.addressesWebhook ? 1 : 10 });

			const { removed, warn } = await deactivate(trigger);

			if (kind === '404' && step.addressesWebhook) {
				// "Already gone" is what deactivation wanted.
				expect(removed).toBe(true);
				expect(warn).not.toHaveBeenCalled();
				return;
			}
			expect(removed).toBe(false);
			expect(warn).toHaveBeenCalledTimes(1);
			const logged = String(warn.mock.calls[0][0]);
			expect(logged).toMatch(/^Klivo Trigger: could not remove webhook /);
			expect(logged).toMatch(message(step));
			expectNoSecrets(everythingIn(warn.mock.calls), trigger);
			// Transient failures are tried 3 times (a timeout, which costs a whole timeout, twice); others once.
			const expectedTries = TRANSIENT_KINDS.includes(kind) ? (kind === 'timeout' ? 2 : 3) : 1;
			expect(faultedTries()).toBe(expectedTries);
			if (expectedTries > 1) expect(logged).toContain(`(${expectedTries} tries)`);
			// The leftover is adopted on the next activation instead of duplicated.
			await settle();
			sim().clearFaults();
			await trigger.activate();
			expect(onlyWebhook(sim())).toBeDefined();
		});

		test.each(FAULTS.filter(({ kind }) => TRANSIENT_KINDS.includes(kind)))(
			'$kind, once → retried: the webhook is gone, nothing logged',
			async ({ fault }) => {
				const trigger = newTrigger();
				await step.arrange(sim(), trigger);
				injectFault({ route: step.route, ...fault, times: 1 });

				const { removed, warn } = await deactivate(trigger);

				expect(removed).toBe(true);
				expect(warn).not.toHaveBeenCalled();
				expect(faultedTries()).toBe(1);
				await settle();
				expect(sim().webhooks(ACCOUNT)).toEqual([]);
				expect(trigger.staticData.webhookId).toBeUndefined();
			},
		);

		test('a 429 asking to wait longer than 5 s is not waited for: logged at once', async () => {
			const trigger = newTrigger();
			await step.arrange(sim(), trigger);
			injectFault({ route: step.route, status: 429, retryAfter: 60, times: 10 });

			const started = Date.now();
			const { removed, warn } = await deactivate(trigger);

			expect(removed).toBe(false);
			expect(Date.now() - started).toBeLessThan(3000);
			expect(faultedTries()).toBe(1);
			expect(String(warn.mock.calls[0][0])).toContain('Klivo asks to wait 60 seconds');
		});
	});

	describe('credential problems are told apart', () => {
		test("an agent's token: told that only administrators may manage webhooks", async () => {
			const trigger = makeTrigger(sim(), { credentials: { accessToken: AGENT_TOKEN } });

			const error = await caught(trigger.checkExists());

			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toBe('This access token belongs to an agent: only administrators may manage webhooks');
			expect(error.description).toContain("administrator's access token");
			expect(everythingIn(error)).not.toContain(AGENT_TOKEN);
		});

		test("a token of another account's user: told to check the Account ID", async () => {
			const trigger = makeTrigger(sim(), { credentials: { accessToken: 'admin-token-2' } });

			const error = await caught(trigger.checkExists());

			expect(error.message).toBe("The token's user is not a member of account 1");
			expect(error.description).toContain('Account ID');
			expect(everythingIn(error)).not.toContain('admin-token-2');
		});

		test('a server that is not there: told which address could not be reached', async () => {
			const trigger = makeTrigger('http://127.0.0.1:9', { credentials: { timeout: 2 } });

			const error = await caught(trigger.checkExists());

			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toBe('Could not connect to Klivo at http://127.0.0.1:9');
			expectNoSecrets(everythingIn(error), trigger);
		});
	});
});

describe("Klivo's cloud and an n8n it cannot reach", () => {
	const CLOUD = 'https://chat.klivo.marketing';

	/** A hook context whose HTTP helper is a spy: no request may leave the test. */
	function cloudTrigger(webhookBaseUrl: string) {
		const trigger = makeTrigger(CLOUD, { webhookBaseUrl });
		const context = trigger.hookContext();
		const http = jest
			.spyOn(context.helpers, 'httpRequestWithAuthentication')
			.mockResolvedValue({ statusCode: 200, body: { data: [] } });
		const methods = trigger.type.webhookMethods!.default!;
		return { trigger, context, http, methods };
	}

	test.each([
		['http://localhost:5678/', 'http://localhost:5678'],
		['http://127.0.0.1:5678/', 'http://127.0.0.1:5678'],
		['https://192.168.1.20/', 'https://192.168.1.20'],
		['https://n8n/', 'https://n8n'],
		['http://n8n.example.com/', 'http://n8n.example.com'],
		['https://[::1]:5678/', 'https://[::1]:5678'],
		['https://[fd12:3456::1]/', 'https://[fd12:3456::1]'],
		['https://[fe80::1]/', 'https://[fe80::1]'],
		['https://[::ffff:127.0.0.1]/', 'https://[::ffff:7f00:1]'],
		['https://n8n.internal/', 'https://n8n.internal'],
	])('n8n at %s: activation fails at once naming WEBHOOK_URL, with 0 API requests', async (base, origin) => {
		const { context, http, methods } = cloudTrigger(base);

		for (const hook of [methods.checkExists, methods.create]) {
			const error = (await caught(hook.call(context))) as CaughtError;
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toBe(`Klivo's cloud cannot reach this n8n at ${origin}`);
			expect(error.description).toContain('WEBHOOK_URL');
		}
		expect(http).not.toHaveBeenCalled();
	});

	test.each([
		'https://n8n.example.com/',
		'https://fcm-automation.example.com/',
		'https://fd.example.org/',
		'https://fe80.example.net/',
		'https://[2001:db8::5]/',
	])('a public HTTPS n8n at %s passes the check and lists the webhooks of the cloud account', async (base) => {
		const { context, http, methods } = cloudTrigger(base);

		await expect(methods.checkExists.call(context)).resolves.toBe(false);

		expect(http).toHaveBeenCalledTimes(1);
		expect(http.mock.calls[0][1]).toMatchObject({ method: 'GET', url: `${CLOUD}/api/v1/accounts/1/webhooks` });
	});

	test('a self-hosted Klivo may post to a local n8n', async () => {
		const sim = await (await import('./support')).startSimulator({ dialect: 'klivo' });
		try {
			const trigger = makeTrigger(sim, { webhookBaseUrl: 'http://localhost:5678/' });
			await trigger.activate();
			expect(onlyWebhook(sim).url.startsWith('http://localhost:5678/webhook/')).toBe(true);
		} finally {
			await sim.close();
		}
	});
});

// Found by the reliability suite: a 404 to DELETE while the webhook is still listed was reported as removed.
describe.each(DIALECTS)('deactivation against a server that answers 404 but still lists the webhook (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);

	test('is logged, not reported as removed; the next activation adopts the webhook', async () => {
		const trigger = makeTrigger(sim());
		await trigger.activate();
		const id = sim().webhooks(ACCOUNT)[0].id;
		sim().injectFault({ route: 'delete', status: 404, times: 2 });
		const context = trigger.hookContext();
		const warn = jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);

		const removed = await trigger.type.webhookMethods!.default!.delete.call(context);

		expect(removed).toBe(false);
		expect(warn).toHaveBeenCalledTimes(1);
		expect(String(warn.mock.calls[0][0])).toMatch(new RegExp(`could not remove webhook ${id} from Klivo: Klivo answered 404 to deleting webhook ${id}, yet still lists it`));
		expect(sim().webhooks(ACCOUNT)).toHaveLength(1);

		sim().clearRequests();
		await trigger.activate();
		expect(sim().webhooks(ACCOUNT)).toEqual([expect.objectContaining({ id })]);
		expect(sim().requests.map((r) => r.route)).toEqual(['list']);
	});

	test('a 404 for a webhook that is really gone is still success, without a warning', async () => {
		const trigger = makeTrigger(sim());
		await trigger.activate();
		sim().deleteWebhookDirect(ACCOUNT, sim().webhooks(ACCOUNT)[0].id);
		const context = trigger.hookContext();
		const warn = jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);

		expect(await trigger.type.webhookMethods!.default!.delete.call(context)).toBe(true);
		expect(warn).not.toHaveBeenCalled();
	});
});
