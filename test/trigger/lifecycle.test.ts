/**
 * Activation and deactivation of the Klivo Trigger against the simulator, in both dialects:
 * what n8n calls (checkExists → create, delete), how many requests that costs, and what the
 * trigger remembers in its static data.
 */
import { deriveUrlToken } from '../../nodes/Klivo/shared/webhookUrl';
import {
	ACCOUNT,
	ADMIN_TOKEN,
	DIALECTS,
	NODE_NAME,
	STATIC_KEY,
	caught,
	makeTrigger,
	onlyWebhook,
	requestsByRoute,
	tokenIn,
	urlBase,
	useSimulator,
	type Dialect,
	type SimWebhook,
	type Trigger,
} from './support';

const RESOLVED = 'conversation_resolved';
const STATUS_CHANGED = 'conversation_status_changed';

/** The URL the trigger registers: n8n's production URL plus the token derived from the credential. */
function expectedUrl(trigger: Trigger): string {
	const url = new URL(trigger.productionUrl());
	url.searchParams.set('klivo_token', deriveUrlToken(ADMIN_TOKEN, ACCOUNT, trigger.productionUrl()));
	return url.toString();
}

afterEach(() => jest.restoreAllMocks());

/** The trigger's hooks, run in one context whose warnings are captured. */
function watched(trigger: Trigger) {
	const context = trigger.hookContext();
	const warn = jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);
	const methods = trigger.type.webhookMethods!.default!;
	return {
		warn,
		checkExists: async () => await methods.checkExists.call(context),
		create: async () => await methods.create.call(context),
		remove: async () => await methods.delete.call(context),
	};
}

/** One warning that names the webhook left alone and both addresses, without a token. */
function expectLeftAlone(warn: jest.SpyInstance, webhook: SimWebhook, trigger: Trigger): void {
	expect(warn).toHaveBeenCalledTimes(1);
	const logged = String(warn.mock.calls[0][0]);
	expect(logged).toContain(`Klivo Trigger: left webhook ${webhook.id} alone: it posts to ${urlBase(webhook.url)}, not to this n8n's ${trigger.productionUrl()}`);
	for (const secret of [ADMIN_TOKEN, tokenIn(webhook.url)!, deriveUrlToken(ADMIN_TOKEN, ACCOUNT, trigger.productionUrl())]) {
		expect(JSON.stringify(warn.mock.calls)).not.toContain(secret);
	}
}

describe.each(DIALECTS)('Klivo Trigger lifecycle (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);

	/** Activates a fresh trigger and forgets the requests that took. */
	async function activated(events = ['message_created']): Promise<Trigger> {
		const trigger = makeTrigger(sim(), { events });
		await trigger.activate();
		sim().clearRequests();
		return trigger;
	}

	describe('activation', () => {
		test('with no webhook: checkExists answers false, create registers one; two requests in all', async () => {
			const trigger = makeTrigger(sim(), { events: ['message_created', 'contact_created'] });

			await expect(trigger.checkExists()).resolves.toBe(false);
			await expect(trigger.create()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1, create: 1 });
			const webhook = onlyWebhook(sim());
			expect(webhook.url).toBe(expectedUrl(trigger));
			expect(webhook.subscriptions.sort()).toEqual(['contact_created', 'message_created']);
			expect(webhook.name).toBe(`n8n: Test workflow / ${NODE_NAME}`);

			const state = trigger.state();
			expect(state.webhookId).toBe(webhook.id);
			expect(state.urlToken).toBe(tokenIn(webhook.url));
			if (dialect === 'chatwoot') {
				// Chatwoot tells the secret it signs with; Klivo's documented API has none.
				expect(state.secret).toBe(webhook.secret);
			} else {
				expect(state.secret).toBeUndefined();
			}
		});

		test('healthy webhook with the stored id: one list request, checkExists answers true, nothing written', async () => {
			const trigger = await activated();
			const before = onlyWebhook(sim());

			await expect(trigger.checkExists()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1 });
			expect(onlyWebhook(sim())).toEqual(before);
			expect(trigger.state().webhookId).toBe(before.id);
		});

		test('same-URL webhook but NO stored id (lost static data): adopted and fixed with one PATCH, no duplicate', async () => {
			const trigger = makeTrigger(sim(), { events: ['message_created', 'conversation_created'] });
			// Registered before by hand or by a watchdog's Ensure: our address, no token, other events.
			const leftover = sim().addWebhookDirect(ACCOUNT, { url: trigger.productionUrl(), subscriptions: ['contact_created'] });

			await expect(trigger.checkExists()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1, update: 1 });
			const webhook = onlyWebhook(sim());
			expect(webhook.id).toBe(leftover.id);
			expect(webhook.url).toBe(expectedUrl(trigger));
			expect(webhook.subscriptions.sort()).toEqual(['conversation_created', 'message_created']);
			expect(trigger.state()).toMatchObject({ webhookId: leftover.id, urlToken: tokenIn(webhook.url) });
		});

		test('same-URL webhook with another token and no stored id: adopted with one PATCH that puts our token in', async () => {
			const trigger = makeTrigger(sim(), { events: ['message_created'] });
			const stale = new URL(trigger.productionUrl());
			stale.searchParams.set('klivo_token', 'token-of-rotated-credentials');
			const leftover = sim().addWebhookDirect(ACCOUNT, { url: stale.toString(), subscriptions: ['message_created'] });

			await expect(trigger.checkExists()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1, update: 1 });
			expect(onlyWebhook(sim())).toMatchObject({ id: leftover.id, url: expectedUrl(trigger) });
		});

		test('wrong events (node edited): one PATCH, same webhook id', async () => {
			await activated(['message_created']);
			const edited = makeTrigger(sim(), {
				events: ['message_created', 'contact_updated'],
				staticData: { [STATIC_KEY]: { webhookId: onlyWebhook(sim()).id } },
			});

			await expect(edited.checkExists()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1, update: 1 });
			const webhook = onlyWebhook(sim());
			expect(webhook.subscriptions.sort()).toEqual(['contact_updated', 'message_created']);
		});

		test('webhook deleted in Klivo meanwhile: checkExists answers false and create registers a new one', async () => {
			const trigger = await activated();
			const gone = onlyWebhook(sim());
			sim().deleteWebhookDirect(ACCOUNT, gone.id);

			await trigger.activate();

			expect(requestsByRoute(sim())).toEqual({ list: 1, create: 1 });
			const webhook = onlyWebhook(sim());
			expect(webhook.id).not.toBe(gone.id);
			expect(trigger.state().webhookId).toBe(webhook.id);
		});

		if (dialect === 'klivo') {
			test('webhook the server disabled after failed deliveries: re-enabled by one PATCH with active:true', async () => {
				const trigger = await activated();
				sim().disableWebhookDirect(ACCOUNT, onlyWebhook(sim()).id);
				expect(onlyWebhook(sim()).active).toBe(false);

				await expect(trigger.checkExists()).resolves.toBe(true);

				expect(requestsByRoute(sim())).toEqual({ list: 1, update: 1 });
				expect(onlyWebhook(sim()).active).toBe(true);
			});
		}

		test('activating twice in a row never duplicates the webhook', async () => {
			const trigger = makeTrigger(sim());
			await trigger.activate();
			await trigger.activate();
			await makeTrigger(sim(), { staticData: {} }).activate();

			expect(sim().webhooks(ACCOUNT)).toHaveLength(1);
			expect(sim().countRequests({ route: 'create' })).toBe(1);
		});

		test("n8n's WEBHOOK_URL changed: the old address's webhook is left alone and logged, one is registered at the new address", async () => {
			const before = await activated(['message_created']);
			const old = onlyWebhook(sim());
			const moved = makeTrigger(sim(), {
				events: ['message_created'],
				staticData: before.staticData,
				webhookBaseUrl: 'https://n8n.example.com/',
			});
			const hooks = watched(moved);

			await expect(hooks.checkExists()).resolves.toBe(false);
			await expect(hooks.create()).resolves.toBe(true);

			// Another n8n may still receive at the old address: it is not moved, not deleted.
			expect(requestsByRoute(sim())).toEqual({ list: 1, create: 1 });
			expect(sim().webhooks(ACCOUNT).find((w) => w.id === old.id)).toEqual(old);
			const created = sim().webhooks(ACCOUNT).find((w) => w.id !== old.id)!;
			expect(urlBase(created.url)).toBe(moved.productionUrl());
			expect(tokenIn(created.url)).toBe(deriveUrlToken(ADMIN_TOKEN, ACCOUNT, moved.productionUrl()));
			expect(moved.state().webhookId).toBe(created.id);
			expectLeftAlone(hooks.warn, old, moved);
		});

		test("'All Events' subscribes every event this server accepts", async () => {
			const trigger = makeTrigger(sim(), { events: ['*'] });

			await trigger.activate();

			const subscriptions = onlyWebhook(sim()).subscriptions;
			// Chatwoot has no conversation_resolved: the status change stands in for it.
			expect(subscriptions).toHaveLength(dialect === 'klivo' ? 11 : 10);
			expect(subscriptions.includes(RESOLVED)).toBe(dialect === 'klivo');
			expect(subscriptions).toContain(STATUS_CHANGED);
		});

		test('create() meets 422 "Url has already been taken" (registered meanwhile): adopts it, no duplicate', async () => {
			const trigger = makeTrigger(sim(), { events: ['message_created', 'contact_created'] });
			await expect(trigger.checkExists()).resolves.toBe(false);
			// Between n8n's checkExists and create, the same URL gets registered (another n8n main, a watchdog).
			const raced = sim().addWebhookDirect(ACCOUNT, { url: expectedUrl(trigger), subscriptions: ['contact_created'] });

			await expect(trigger.create()).resolves.toBe(true);

			const webhook = onlyWebhook(sim());
			expect(webhook.id).toBe(raced.id);
			expect(webhook.subscriptions.sort()).toEqual(['contact_created', 'message_created']);
			expect(trigger.state().webhookId).toBe(raced.id);
			expect(sim().requests.map((r) => `${r.route} ${r.status}`)).toEqual([
				'list 200',
				'create 422',
				'list 200',
				'update 200',
			]);
		});
	});

	describe('Conversation Resolved', () => {
		const events = ['message_created', RESOLVED];

		test(
			dialect === 'klivo'
				? 'klivo dialect subscribes conversation_resolved itself'
				: 'chatwoot dialect subscribes conversation_status_changed, without a failed request',
			async () => {
				const trigger = makeTrigger(sim(), { events });

				await trigger.activate();

				const expected = dialect === 'klivo' ? [RESOLVED, 'message_created'] : [STATUS_CHANGED, 'message_created'];
				expect(onlyWebhook(sim()).subscriptions.sort()).toEqual(expected);
				// The list's envelope tells the dialect, so no 422 is needed to find out.
				expect(sim().requests.map((r) => `${r.route} ${r.status}`)).toEqual(['list 200', 'create 200']);
				expect(trigger.state().resolvedViaStatus).toBe(dialect === 'chatwoot');
			},
		);

		test('re-activation keeps the substituted subscription healthy (one request)', async () => {
			const trigger = makeTrigger(sim(), { events });
			await trigger.activate();
			sim().clearRequests();

			await expect(trigger.checkExists()).resolves.toBe(true);
			expect(requestsByRoute(sim())).toEqual({ list: 1 });
		});

		test('list envelope that does not reveal the dialect: a 422 on create makes it fall back, if needed', async () => {
			// A bare array names no dialect; only the server's answer to the subscription tells.
			sim().injectFault({ route: 'list', status: 200, body: [] });
			const trigger = makeTrigger(sim(), { events });

			await trigger.activate();

			if (dialect === 'chatwoot') {
				expect(sim().requests.map((r) => `${r.route} ${r.status}`)).toEqual(['list 200', 'create 422', 'create 200']);
				expect(onlyWebhook(sim()).subscriptions.sort()).toEqual([STATUS_CHANGED, 'message_created']);
				expect(trigger.state().resolvedViaStatus).toBe(true);
			} else {
				expect(sim().requests.map((r) => `${r.route} ${r.status}`)).toEqual(['list 200', 'create 200']);
				expect(onlyWebhook(sim()).subscriptions.sort()).toEqual([RESOLVED, 'message_created']);
				expect(trigger.state().resolvedViaStatus).toBe(false);
			}
		});

		test('the fallback is remembered: a later check through an anonymous envelope is healthy in one request', async () => {
			sim().injectFault({ route: 'list', status: 200, body: [] });
			const trigger = makeTrigger(sim(), { events });
			await trigger.activate();
			const webhooks = sim().webhooks(ACCOUNT).map((w) => ({ id: w.id, url: w.url, subscriptions: w.subscriptions }));
			sim().clearRequests();
			sim().injectFault({ route: 'list', status: 200, body: webhooks });

			await expect(trigger.checkExists()).resolves.toBe(true);
			expect(requestsByRoute(sim())).toEqual({ list: 1 });
		});
	});

	describe('deactivation', () => {
		test('with the webhook present: one DELETE, static data cleared', async () => {
			const trigger = await activated();

			await expect(trigger.remove()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ delete: 1 });
			expect(sim().webhooks(ACCOUNT)).toEqual([]);
			expect(trigger.state().webhookId).toBeUndefined();
			expect(trigger.state().secret).toBeUndefined();
		});

		test('webhook already gone (404): success, no throw; one look by URL for a re-created one', async () => {
			const trigger = await activated();
			sim().deleteWebhookDirect(ACCOUNT, onlyWebhook(sim()).id);

			await expect(trigger.remove()).resolves.toBe(true);

			expect(sim().requests.map((r) => `${r.route} ${r.status}`)).toEqual(['delete 404', 'list 200']);
			expect(trigger.state().webhookId).toBeUndefined();
		});

		test('webhook re-created under a new id meanwhile (a watchdog): deactivation still removes it', async () => {
			const trigger = await activated();
			const registered = onlyWebhook(sim());
			sim().deleteWebhookDirect(ACCOUNT, registered.id);
			const recreated = sim().addWebhookDirect(ACCOUNT, { url: registered.url, subscriptions: registered.subscriptions });
			sim().addWebhookDirect(ACCOUNT, { url: 'https://crm.example.com/klivo', subscriptions: ['contact_created'] });

			await expect(trigger.remove()).resolves.toBe(true);

			expect(sim().requests.map((r) => `${r.route} ${r.status}`)).toEqual(['delete 404', 'list 200', 'delete 200']);
			expect(sim().webhooks(ACCOUNT).map((w) => w.url)).toEqual(['https://crm.example.com/klivo']);
			expect(recreated.id).not.toBe(registered.id);
		});

		test('with lost static data: finds the webhook by its URL and deletes it', async () => {
			await activated();
			const amnesiac = makeTrigger(sim(), { staticData: {} });

			await expect(amnesiac.remove()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1, delete: 1 });
			expect(sim().webhooks(ACCOUNT)).toEqual([]);
		});

		test("with lost static data, other webhooks of the account are left alone", async () => {
			await activated();
			const other = sim().addWebhookDirect(ACCOUNT, {
				url: 'https://crm.example.com/hooks/klivo',
				subscriptions: ['contact_created'],
			});
			const amnesiac = makeTrigger(sim(), { staticData: {} });

			await expect(amnesiac.remove()).resolves.toBe(true);

			expect(sim().webhooks(ACCOUNT).map((w) => w.id)).toEqual([other.id]);
		});
	});

	describe("another n8n's webhook (its static data restored or imported here)", () => {
		const PRODUCTION_BASE = 'https://n8n.example.com/';

		/** Production's trigger, activated at its own address; the simulator's requests are then forgotten. */
		async function production(): Promise<{ trigger: Trigger; webhook: SimWebhook }> {
			const trigger = makeTrigger(sim(), { events: ['message_created'], webhookBaseUrl: PRODUCTION_BASE });
			await trigger.activate();
			sim().clearRequests();
			return { trigger, webhook: onlyWebhook(sim()) };
		}

		/** This n8n's copy of the workflow, with production's static data. */
		function staging(from: Trigger, events = ['message_created']): Trigger {
			return makeTrigger(sim(), { events, staticData: JSON.parse(JSON.stringify(from.staticData)) });
		}

		test("activation neither adopts nor patches production's webhook; it registers its own and says why", async () => {
			const prod = await production();
			const copy = staging(prod.trigger, ['message_created', 'contact_created']);
			const hooks = watched(copy);

			await expect(hooks.checkExists()).resolves.toBe(false);
			await expect(hooks.create()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1, create: 1 });
			expect(sim().webhooks(ACCOUNT).find((w) => w.id === prod.webhook.id)).toEqual(prod.webhook);
			const own = sim().webhooks(ACCOUNT).find((w) => w.id !== prod.webhook.id)!;
			expect(urlBase(own.url)).toBe(copy.productionUrl());
			expect(copy.state().webhookId).toBe(own.id);
			expectLeftAlone(hooks.warn, prod.webhook, copy);

			// Its deactivation then deletes its own webhook only.
			await expect(watched(copy).remove()).resolves.toBe(true);
			expect(sim().webhooks(ACCOUNT)).toEqual([prod.webhook]);
		});

		test("deactivation without an activation here (a restored database): production's webhook is not deleted, one list request", async () => {
			const prod = await production();
			const copy = staging(prod.trigger);
			const hooks = watched(copy);

			await expect(hooks.remove()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1 });
			expect(sim().webhooks(ACCOUNT)).toEqual([prod.webhook]);
			expectLeftAlone(hooks.warn, prod.webhook, copy);
			expect(copy.state().webhookId).toBeUndefined();
		});

		test('static data written before the URL was kept (an id only): the id is deleted only if Klivo lists it at this address', async () => {
			const prod = await production();
			const foreign = makeTrigger(sim(), { staticData: { [STATIC_KEY]: { webhookId: prod.webhook.id } } });
			const hooks = watched(foreign);

			await expect(hooks.remove()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1 });
			expect(sim().webhooks(ACCOUNT)).toEqual([prod.webhook]);
			expectLeftAlone(hooks.warn, prod.webhook, foreign);

			const own = await activated();
			const ownWebhook = sim().webhooks(ACCOUNT).find((w) => w.id !== prod.webhook.id)!;
			const idOnly = makeTrigger(sim(), { staticData: { [STATIC_KEY]: { webhookId: ownWebhook.id } } });
			sim().clearRequests();

			await expect(watched(idOnly).remove()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ list: 1, delete: 1 });
			expect(sim().webhooks(ACCOUNT)).toEqual([prod.webhook]);
			expect(own.state().webhookId).toBe(ownWebhook.id);
		});

		test('deactivation of a trigger registered here: still one request, the DELETE', async () => {
			await production();
			const own = await activated();
			const hooks = watched(own);

			await expect(hooks.remove()).resolves.toBe(true);

			expect(requestsByRoute(sim())).toEqual({ delete: 1 });
			expect(hooks.warn).not.toHaveBeenCalled();
		});
	});

	describe('"Listen for test event" next to the active workflow', () => {
		// n8n's TestWebhooks builds the test workflow with empty static data; a copy of production's
		// static data is the harder case (older n8n, or a future change), so both are checked.
		test.each([
			['empty static data (as n8n builds it)', () => ({})],
			["a copy of production's static data", (production: Trigger) => JSON.parse(JSON.stringify(production.staticData))],
		])('with %s: own /webhook-test/ URL, production webhook untouched, ≤ 3 requests', async (_name, staticDataOf) => {
			const production = await activated(['message_created']);
			const productionWebhook = onlyWebhook(sim());
			const productionState = { ...production.state() };
			const editor = makeTrigger(sim(), { events: ['message_created', 'contact_created'], staticData: staticDataOf(production) });

			await expect(editor.test.checkExists()).resolves.toBe(false);
			await expect(editor.test.create()).resolves.toBe(true);

			const testWebhook = sim().webhooks(ACCOUNT).find((w) => w.id !== productionWebhook.id);
			expect(testWebhook).toBeDefined();
			expect(urlBase(testWebhook!.url)).toBe(editor.test.url());
			expect(editor.test.url()).toContain('/webhook-test/');
			expect(testWebhook!.name).toBe(`n8n: Test workflow / ${NODE_NAME} (test)`);
			expect(sim().webhooks(ACCOUNT).find((w) => w.id === productionWebhook.id)).toEqual(productionWebhook);

			await expect(editor.test.remove()).resolves.toBe(true);

			expect(sim().webhooks(ACCOUNT)).toEqual([productionWebhook]);
			expect(sim().requests.length).toBeLessThanOrEqual(3);
			expect(sim().countRequests({ route: 'update' })).toBe(0);
			expect(production.state()).toEqual(productionState);
		});

		test("a test registration that fails: n8n's cleanup (delete) leaves the production webhook alone", async () => {
			await activated(['message_created']);
			const productionWebhook = onlyWebhook(sim());
			const editor = makeTrigger(sim(), { staticData: {} });
			sim().injectFault({ route: 'create', status: 500 });

			await expect(editor.test.checkExists()).resolves.toBe(false);
			await expect(editor.test.create()).rejects.toThrow(/HTTP 500/);
			await editor.test.remove();

			expect(sim().webhooks(ACCOUNT)).toEqual([productionWebhook]);
			expect(sim().countRequests({ route: 'delete' })).toBe(0);
		});
	});
});

describe('Klivo Trigger lifecycle: what n8n passes in', () => {
	const sim = useSimulator('klivo');

	test('no event chosen: activation fails with a message that says what to pick, before any request', async () => {
		const trigger = makeTrigger(sim(), { events: [] });

		const error = await caught(trigger.checkExists());

		expect(error.message).toBe('Pick at least one event to listen for');
		expect(error.description).toContain('Events');
		expect(sim().requests).toHaveLength(0);
	});
});
