/**
 * Every operation of the Klivo action node, over real HTTP against the simulator, in both dialects.
 */
import type { IDataObject } from 'n8n-workflow';

import { EVENT_NAMES, RESOLVED_EVENT, STATUS_CHANGED_EVENT } from '../../nodes/Klivo/shared/events';
import { deriveUrlToken, tokenOf, URL_TOKEN_PARAM } from '../../nodes/Klivo/shared/webhookUrl';
import {
	ADMIN,
	addWebhook,
	DIALECTS,
	locator,
	run,
	runFail,
	runOk,
	startSimulator,
	storedById,
	SUBSCRIBABLE_EVENTS,
	useSimulator,
	type Dialect,
	type Simulator,
} from './support';

const HOOK = 'https://n8n.example.com/webhook/orders';
const OTHER_HOOK = 'https://n8n.example.com/webhook/other';

/** The keys every webhook item has, whatever the server's dialect; `name` only when it is known. */
const WEBHOOK_KEYS = ['active', 'events', 'hasSecret', 'id', 'url'];

function writes(sim: Simulator): number {
	return sim.countRequests({ route: 'create' }) + sim.countRequests({ route: 'update' }) + sim.countRequests({ route: 'delete' });
}

function expectWebhookItem(item: IDataObject, stored: { id: number; url: string; subscriptions: string[]; name: string | null }) {
	expect(item.id).toBe(stored.id);
	expect(item.url).toBe(stored.url);
	expect([...(item.events as string[])].sort()).toEqual([...stored.subscriptions].sort());
	if (stored.name) expect(item.name).toBe(stored.name);
	else expect(item).not.toHaveProperty('name');
	expect(Object.keys(item)).toEqual(expect.arrayContaining(WEBHOOK_KEYS));
	expect(item).not.toHaveProperty('secret');
}

/** Each request the simulator answered, as `route status`. */
function requestLog(sim: Simulator): string[] {
	return sim.requests.map((r) => `${r.route} ${r.status}`);
}

/** A list of no webhooks in the dialect's own envelope (so that the dialect is still known). */
function emptyList(dialect: Dialect): IDataObject {
	return dialect === 'klivo' ? { data: [] } : { payload: { webhooks: [] } };
}

describe.each(DIALECTS)('Klivo node operations (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);

	describe('getAll', () => {
		it('returns every webhook with returnAll', async () => {
			const stored = [
				addWebhook(sim(), `${HOOK}/1`, ['message_created'], 'First'),
				addWebhook(sim(), `${HOOK}/2`, ['contact_created', 'contact_updated']),
				addWebhook(sim(), `${HOOK}/3`),
			];
			const items = await runOk(sim(), { operation: 'getAll', returnAll: true });
			expect(items).toHaveLength(stored.length);
			stored.forEach((webhook, i) => expectWebhookItem(items[i], webhook));
		});

		it('stops at the limit without returnAll', async () => {
			const stored = [1, 2, 3].map((n) => addWebhook(sim(), `${HOOK}/${n}`));
			const items = await runOk(sim(), { operation: 'getAll', returnAll: false, limit: 2 });
			expect(items.map((item) => item.id)).toEqual(stored.slice(0, 2).map((w) => w.id));
		});

		it('returns no items for an account without webhooks', async () => {
			expect(await runOk(sim(), { operation: 'getAll', returnAll: true })).toEqual([]);
		});
	});

	describe('get', () => {
		it('returns the webhook with that ID', async () => {
			addWebhook(sim(), OTHER_HOOK);
			const wanted = addWebhook(sim(), HOOK, ['conversation_created'], 'Orders');
			const [item] = await runOk(sim(), { operation: 'get', webhookId: locator(wanted.id) });
			expectWebhookItem(item, wanted);
		});

		it('says clearly that a webhook does not exist', async () => {
			addWebhook(sim(), HOOK);
			const missing = sim().webhooks(1)[0].id + 1000;
			const error = await runFail(sim(), { operation: 'get', webhookId: locator(missing) });
			expect(error.message).toContain(String(missing));
			expect(error.message).toMatch(/does not exist/i);
			expect(error.description).toMatch(/Get Many/);
		});
	});

	describe('create', () => {
		it('creates a webhook without a name', async () => {
			const [item] = await runOk(sim(), { operation: 'create', url: HOOK, events: ['message_created', 'conversation_created'] });
			const stored = sim().webhooks(1);
			expect(stored).toHaveLength(1);
			expect(stored[0].url).toBe(HOOK);
			expect(stored[0].subscriptions.sort()).toEqual(['conversation_created', 'message_created']);
			expect(stored[0].name).toBeNull();
			expectWebhookItem(item, stored[0]);
			expect(item.active).toBe(true);
		});

		it('sends the optional name', async () => {
			const [item] = await runOk(sim(), {
				operation: 'create',
				url: HOOK,
				events: ['message_created'],
				additionalFields: { name: '  Orders bot  ' },
			});
			expect(sim().webhooks(1)[0].name).toBe('Orders bot');
			expect(item.name).toBe('Orders bot');
		});

		it('subscribes each event only once', async () => {
			await runOk(sim(), { operation: 'create', url: HOOK, events: ['message_created', 'message_created'] });
			expect(sim().webhooks(1)[0].subscriptions).toEqual(['message_created']);
		});

		it('accepts every event of the catalogue that the server accepts', async () => {
			const accepted = EVENT_NAMES.filter((event) => SUBSCRIBABLE_EVENTS[dialect].includes(event));
			// The catalogue must not miss an event the server offers.
			expect([...accepted].sort()).toEqual([...SUBSCRIBABLE_EVENTS[dialect]].sort());
			await runOk(sim(), { operation: 'create', url: HOOK, events: accepted });
			expect(sim().webhooks(1)[0].subscriptions.sort()).toEqual([...accepted].sort());
		});

		it('meets "URL taken" (registered meanwhile): lists again and adopts that webhook instead of failing', async () => {
			const raced = addWebhook(sim(), HOOK, ['contact_created']);
			const [item] = await runOk(sim(), {
				operation: 'create',
				url: HOOK,
				events: ['message_created'],
				additionalFields: { name: 'Orders' },
			});
			expect(item).toMatchObject({ id: raced.id, url: HOOK, events: ['message_created'], name: 'Orders' });
			expect(sim().webhooks(1)).toHaveLength(1);
			expect(requestLog(sim())).toEqual(['create 422', 'list 200', 'update 200']);
		});

		it('adopts without writing when the webhook that took the URL is already what was asked for', async () => {
			const raced = addWebhook(sim(), HOOK, ['message_created']);
			const [item] = await runOk(sim(), { operation: 'create', url: HOOK, events: ['message_created'] });
			expect(item.id).toBe(raced.id);
			expect(requestLog(sim())).toEqual(['create 422', 'list 200']);
		});

		it.each([
			['empty', ''],
			['without a scheme', 'n8n.example.com/webhook/orders'],
			['not a URL', 'orders webhook'],
			['not http(s)', 'ftp://n8n.example.com/webhook'],
		])('rejects a URL that is %s before sending any request', async (_label, url) => {
			const error = await runFail(sim(), { operation: 'create', url, events: ['message_created'] });
			expect(error.message).toMatch(/URL|https?:\/\//);
			expect(sim().countRequests()).toBe(0);
		});

		it.each([
			['no event', []],
			['an event outside the catalogue', ['message_created', 'order_paid']],
		])('rejects %s before sending any request', async (_label, events) => {
			const error = await runFail(sim(), { operation: 'create', url: HOOK, events });
			expect(error.message).toMatch(/event/i);
			if ((events as string[]).includes('order_paid')) expect(error.message).toContain('order_paid');
			expect(sim().countRequests()).toBe(0);
		});
	});

	describe('update', () => {
		it.each(['list', 'id'] as const)('finds the webhook by its locator in %s mode and changes only the events', async (mode) => {
			const other = addWebhook(sim(), OTHER_HOOK, ['contact_created']);
			const target = addWebhook(sim(), HOOK, ['message_created'], 'Orders');
			const [item] = await runOk(sim(), {
				operation: 'update',
				webhookId: locator(target.id, mode),
				updateFields: { events: ['conversation_created', 'message_created'] },
			});
			const after = storedById(sim(), target.id)!;
			expect(after.subscriptions.sort()).toEqual(['conversation_created', 'message_created']);
			expect(after.url).toBe(HOOK);
			expect(after.name).toBe('Orders');
			expect(storedById(sim(), other.id)).toEqual(other);
			expectWebhookItem(item, after);
		});

		it('changes only the URL when only the URL is set', async () => {
			const target = addWebhook(sim(), HOOK, ['message_created', 'contact_created'], 'Orders');
			await runOk(sim(), { operation: 'update', webhookId: locator(target.id), updateFields: { url: OTHER_HOOK } });
			const after = storedById(sim(), target.id)!;
			expect(after.url).toBe(OTHER_HOOK);
			expect(after.subscriptions).toEqual(target.subscriptions);
			expect(after.name).toBe('Orders');
		});

		it('changes only the name when only the name is set', async () => {
			const target = addWebhook(sim(), HOOK, ['message_created']);
			const [item] = await runOk(sim(), { operation: 'update', webhookId: locator(target.id), updateFields: { name: 'Renamed' } });
			const after = storedById(sim(), target.id)!;
			expect(after.name).toBe('Renamed');
			expect(after.url).toBe(HOOK);
			expect(after.subscriptions).toEqual(['message_created']);
			expect(item.name).toBe('Renamed');
		});

		it('refuses to run with nothing to update, without any request', async () => {
			const target = addWebhook(sim(), HOOK);
			const error = await runFail(sim(), { operation: 'update', webhookId: locator(target.id), updateFields: {} });
			expect(error.message).toMatch(/nothing to update/i);
			expect(error.description).toMatch(/Update Fields/);
			expect(sim().countRequests()).toBe(0);
		});

		it('validates a new URL before any request', async () => {
			const target = addWebhook(sim(), HOOK);
			await runFail(sim(), { operation: 'update', webhookId: locator(target.id), updateFields: { url: 'not a url' } });
			expect(sim().countRequests()).toBe(0);
			expect(storedById(sim(), target.id)!.url).toBe(HOOK);
		});

		it('rejects an ID that is not a number, without any request', async () => {
			const error = await runFail(sim(), { operation: 'update', webhookId: locator('abc'), updateFields: { name: 'x' } });
			expect(error.message).toContain('abc');
			expect(sim().countRequests()).toBe(0);
		});

		it('says clearly that the webhook does not exist', async () => {
			const target = addWebhook(sim(), HOOK);
			const missing = target.id + 1000;
			const error = await runFail(sim(), { operation: 'update', webhookId: locator(missing), updateFields: { name: 'x' } });
			expect(error.message).toContain(String(missing));
			expect(error.message).toMatch(/does not exist/i);
		});
	});

	describe('delete', () => {
		it('deletes the webhook and says which', async () => {
			const keep = addWebhook(sim(), OTHER_HOOK);
			const target = addWebhook(sim(), HOOK);
			const items = await runOk(sim(), { operation: 'delete', webhookId: locator(target.id, 'list') });
			expect(items).toEqual([{ deleted: true, id: target.id }]);
			expect(sim().webhooks(1).map((w) => w.id)).toEqual([keep.id]);
		});

		it('says clearly that the webhook does not exist', async () => {
			const keep = addWebhook(sim(), HOOK);
			const missing = keep.id + 1000;
			const error = await runFail(sim(), { operation: 'delete', webhookId: locator(missing) });
			expect(error.message).toContain(String(missing));
			expect(error.message).toMatch(/does not exist/i);
			expect(sim().webhooks(1)).toHaveLength(1);
		});
	});

	describe('ensure', () => {
		const ensure = (events: string[], additionalFields: IDataObject = {}, url = HOOK) =>
			runOk(sim(), { operation: 'ensure', url, events, additionalFields }).then((items) => {
				expect(items).toHaveLength(1);
				return items[0];
			});

		it('creates, then leaves alone without writing, then updates when the events differ', async () => {
			const created = await ensure(['message_created'], { name: 'Orders' });
			expect(created.action).toBe('created');
			expect(sim().webhooks(1)).toHaveLength(1);
			expect(sim().webhooks(1)[0].name).toBe('Orders');
			const writesAfterCreate = writes(sim());

			const unchanged = await ensure(['message_created']);
			expect(unchanged.action).toBe('unchanged');
			expect(unchanged.id).toBe(created.id);
			expect(writes(sim())).toBe(writesAfterCreate);

			const updated = await ensure(['message_created', 'contact_created']);
			expect(updated).toMatchObject({ action: 'updated', id: created.id, changed: ['events'] });
			expect(sim().webhooks(1)).toHaveLength(1);
			expect(sim().webhooks(1)[0].subscriptions.sort()).toEqual(['contact_created', 'message_created']);
			expect(writes(sim())).toBe(writesAfterCreate + 1);
		});

		it('does not count a different order of the same events as a change', async () => {
			addWebhook(sim(), HOOK, ['message_created', 'contact_created']);
			const item = await ensure(['contact_created', 'message_created']);
			expect(item.action).toBe('unchanged');
			expect(writes(sim())).toBe(0);
		});

		it('adopts a webhook someone created by hand with the same URL', async () => {
			const manual = addWebhook(sim(), HOOK, ['contact_created']);
			const item = await ensure(['message_created']);
			expect(item).toMatchObject({ action: 'updated', id: manual.id });
			expect(sim().webhooks(1)).toHaveLength(1);
		});

		it("matches the whole URL: Ensure for ...?src=b leaves another integration's ...?src=a alone", async () => {
			const other = addWebhook(sim(), `${HOOK}?src=a`, ['contact_created']);
			const item = await ensure(['message_created'], {}, `${HOOK}?src=b`);
			expect(item.action).toBe('created');
			expect(storedById(sim(), other.id)).toEqual(other);
			expect(sim().webhooks(1).map((w) => w.url)).toEqual([`${HOOK}?src=a`, `${HOOK}?src=b`]);
		});

		it('matches another spelling of the same URL (parameter order, host case, trailing slash)', async () => {
			const existing = addWebhook(sim(), `${HOOK}?a=1&b=2`, ['message_created']);
			const item = await ensure(['message_created'], {}, 'https://N8N.example.com/webhook/orders/?b=2&a=1');
			expect(item).toMatchObject({ action: 'unchanged', id: existing.id });
			expect(writes(sim())).toBe(0);
		});

		it('loses a race (URL taken between its list and its create): lists again and adopts instead of failing', async () => {
			const raced = addWebhook(sim(), HOOK, ['contact_created']);
			// Its first list does not show the webhook yet: registered meanwhile by another run.
			sim().injectFault({ route: 'list', status: 200, body: emptyList(dialect) });

			const item = await ensure(['message_created']);

			expect(item).toMatchObject({ action: 'updated', id: raced.id, changed: ['events'] });
			expect(sim().webhooks(1)).toHaveLength(1);
			expect(storedById(sim(), raced.id)!.subscriptions).toEqual(['message_created']);
			expect(requestLog(sim())).toEqual(['list 200', 'create 422', 'list 200', 'update 200']);
		});

		it('after a lost race, a webhook that already has the events is left unchanged', async () => {
			const raced = addWebhook(sim(), HOOK, ['message_created']);
			sim().injectFault({ route: 'list', status: 200, body: emptyList(dialect) });

			const item = await ensure(['message_created']);

			expect(item).toMatchObject({ action: 'unchanged', id: raced.id });
			expect(requestLog(sim())).toEqual(['list 200', 'create 422', 'list 200']);
		});

		describe('for a Klivo Trigger URL', () => {
			const expectedToken = (url: string) => deriveUrlToken(ADMIN, '1', url);

			it('registers the URL with the trigger token and never shows the token', async () => {
				const item = await ensure(['message_created'], { forTrigger: true });
				const [stored] = sim().webhooks(1);
				const token = tokenOf(stored.url);
				expect(token).toBe(expectedToken(HOOK));
				expect(stored.url.startsWith(`${HOOK}?`)).toBe(true);
				expect(JSON.stringify(item)).not.toContain(token);
				expect(item.url).toContain(`${URL_TOKEN_PARAM}=`);
				expect(tokenOf(item.url as string)).not.toBe(token);
			});

			it('finds its own registration again: unchanged, no writes', async () => {
				await ensure(['message_created'], { forTrigger: true });
				const before = writes(sim());
				expect((await ensure(['message_created'], { forTrigger: true })).action).toBe('unchanged');
				expect(writes(sim())).toBe(before);
			});

			it('keeps the token when the same URL is given without it', async () => {
				await ensure(['message_created'], { forTrigger: true });
				const registered = sim().webhooks(1)[0].url;
				const before = writes(sim());

				expect((await ensure(['message_created'])).action).toBe('unchanged');
				expect(writes(sim())).toBe(before);

				const updated = await ensure(['message_created', 'contact_created']);
				expect(updated.action).toBe('updated');
				expect(updated.changed).toEqual(['events']);
				expect(sim().webhooks(1)).toHaveLength(1);
				expect(sim().webhooks(1)[0].url).toBe(registered);
			});

			it('adds the token to a webhook registered without it', async () => {
				const manual = addWebhook(sim(), HOOK, ['message_created']);
				const item = await ensure(['message_created'], { forTrigger: true });
				expect(item).toMatchObject({ action: 'updated', id: manual.id, changed: ['url'] });
				expect(tokenOf(storedById(sim(), manual.id)!.url)).toBe(expectedToken(HOOK));
			});

			it("keeps the token a webhook was registered with (another credential's, a rotated one): only the events change", async () => {
				const registered = `${HOOK}?${URL_TOKEN_PARAM}=TokenTheTriggerChecks0123456789`;
				const trigger = addWebhook(sim(), registered, ['contact_created']);

				const item = await ensure(['message_created'], { forTrigger: true });

				expect(item).toMatchObject({ action: 'updated', id: trigger.id, changed: ['events'] });
				expect(storedById(sim(), trigger.id)).toMatchObject({ url: registered, subscriptions: ['message_created'] });
				expect(sim().webhooks(1)).toHaveLength(1);
			});

			it('writes nothing to a webhook that has the events and another token', async () => {
				const registered = `${HOOK}?${URL_TOKEN_PARAM}=TokenTheTriggerChecks0123456789`;
				addWebhook(sim(), registered, ['message_created']);

				expect((await ensure(['message_created'], { forTrigger: true })).action).toBe('unchanged');
				expect(writes(sim())).toBe(0);
				expect(sim().webhooks(1)[0].url).toBe(registered);
			});

			it('subscribes what the trigger would for Conversation Resolved', async () => {
				const item = await ensure([RESOLVED_EVENT, 'message_created'], { forTrigger: true });
				expect(item.action).toBe('created');
				const stored = sim().webhooks(1)[0].subscriptions;
				if (dialect === 'chatwoot') {
					expect(stored).toContain(STATUS_CHANGED_EVENT);
					expect(stored).not.toContain(RESOLVED_EVENT);
				} else {
					expect(stored).toContain(RESOLVED_EVENT);
				}
				expect((await ensure([RESOLVED_EVENT, 'message_created'], { forTrigger: true })).action).toBe('unchanged');
			});
		});
	});
});

describe.each(DIALECTS)('Klivo node refuses a URL copied from an output, token REDACTED (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);
	const registeredToken = 'RegisteredTriggerToken0123456789';

	/** A trigger's webhook, and its URL as Get Many shows it. */
	async function shownUrl(): Promise<{ id: number; url: string }> {
		const webhook = addWebhook(sim(), `${HOOK}?${URL_TOKEN_PARAM}=${registeredToken}`, ['message_created']);
		const [item] = await runOk(sim(), { operation: 'get', webhookId: locator(webhook.id) });
		expect(item.url).toBe(`${HOOK}?${URL_TOKEN_PARAM}=REDACTED`);
		return { id: webhook.id, url: item.url as string };
	}

	it.each([
		['Update', (id: number, url: string) => ({ operation: 'update', webhookId: locator(id), updateFields: { url } })],
		['Create', (_id: number, url: string) => ({ operation: 'create', url, events: ['message_created'] })],
		['Ensure', (_id: number, url: string) => ({ operation: 'ensure', url, events: ['message_created'] })],
		[
			'Ensure for a Klivo Trigger URL',
			(_id: number, url: string) => ({ operation: 'ensure', url, events: ['message_created'], additionalFields: { forTrigger: true } }),
		],
	])('%s: an error that says what to do, before any request; the real token stays', async (_name, parameters) => {
		const { id, url } = await shownUrl();
		const before = sim().countRequests();

		const error = await runFail(sim(), parameters(id, url));

		expect(error.message).toBe(`This URL holds ${URL_TOKEN_PARAM}=REDACTED, the placeholder outputs show, not the real token`);
		expect(error.description).toMatch(/without klivo_token/);
		expect(error.description).toMatch(/For a Klivo Trigger URL/);
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(sim().countRequests()).toBe(before);
		expect(sim().webhooks(1).map((w) => w.url)).toEqual([`${HOOK}?${URL_TOKEN_PARAM}=${registeredToken}`]);
	});

	it('a lower-case placeholder is refused too', async () => {
		const error = await runFail(sim(), { operation: 'create', url: `${HOOK}?src=a&${URL_TOKEN_PARAM}=redacted`, events: ['message_created'] });
		expect(error.message).toMatch(/REDACTED/);
		expect(sim().countRequests()).toBe(0);
	});
});

describe('Klivo node ensure re-enables a webhook Klivo disabled (klivo dialect)', () => {
	const sim = useSimulator('klivo');

	it('turns a disabled webhook back on with one update', async () => {
		const webhook = addWebhook(sim(), HOOK, ['message_created']);
		sim().disableWebhookDirect(1, webhook.id);
		const [listed] = await runOk(sim(), { operation: 'get', webhookId: locator(webhook.id) });
		expect(listed.active).toBe(false);

		const [item] = await runOk(sim(), { operation: 'ensure', url: HOOK, events: ['message_created'] });
		expect(item).toMatchObject({ action: 'updated', id: webhook.id, active: true });
		expect(item.changed).toContain('enabled');
		expect(storedById(sim(), webhook.id)!.active).toBe(true);
		expect(sim().countRequests({ route: 'update' })).toBe(1);

		const [again] = await runOk(sim(), { operation: 'ensure', url: HOOK, events: ['message_created'] });
		expect(again.action).toBe('unchanged');
	});
});

describe('Klivo node output is the same in both dialects', () => {
	const sims: Partial<Record<Dialect, Simulator>> = {};
	beforeAll(async () => {
		for (const dialect of DIALECTS) sims[dialect] = await startSimulator(dialect);
	});
	afterAll(async () => {
		for (const dialect of DIALECTS) await sims[dialect]?.close();
	});

	/** Runs the same steps on each dialect's simulator and returns each step's output. */
	async function outputsOf(dialect: Dialect): Promise<Record<string, IDataObject[]>> {
		const sim = sims[dialect]!;
		sim.reset();
		const named = await runOk(sim, { operation: 'create', url: HOOK, events: ['message_created'], additionalFields: { name: 'Orders' } });
		const unnamed = await runOk(sim, { operation: 'create', url: OTHER_HOOK, events: ['contact_created'] });
		const id = named[0].id as number;
		return {
			createNamed: named,
			createUnnamed: unnamed,
			getAll: await runOk(sim, { operation: 'getAll', returnAll: true }),
			get: await runOk(sim, { operation: 'get', webhookId: locator(id) }),
			update: await runOk(sim, { operation: 'update', webhookId: locator(id), updateFields: { events: ['contact_created'] } }),
			ensure: await runOk(sim, { operation: 'ensure', url: `${HOOK}/t`, events: ['message_created'], additionalFields: { forTrigger: true } }),
			delete: await runOk(sim, { operation: 'delete', webhookId: locator(id) }),
		};
	}

	/**
	 * The core keys are the same in both dialects; the server-made ID, whether the server signs, and
	 * the extra fields only Chatwoot sends (account_id, inbox) may differ.
	 */
	function comparable(items: IDataObject[]): IDataObject[] {
		return items.map(({ id, hasSecret, account_id: _account, inbox: _inbox, ...rest }) => ({ ...rest, id: typeof id, hasSecret: typeof hasSecret }));
	}

	it('has the same keys and values in every operation', async () => {
		const klivo = await outputsOf('klivo');
		const chatwoot = await outputsOf('chatwoot');
		for (const step of Object.keys(klivo)) {
			expect({ step, items: comparable(chatwoot[step]) }).toEqual({ step, items: comparable(klivo[step]) });
		}
		expect(klivo.createNamed[0].name).toBe('Orders');
		expect(klivo.createUnnamed[0]).not.toHaveProperty('name');
		// Only Chatwoot signs deliveries, and says so without showing the secret.
		expect(klivo.createNamed[0].hasSecret).toBe(false);
		expect(chatwoot.createNamed[0].hasSecret).toBe(true);
	});

	it('never contains a signing secret or the URL token', async () => {
		for (const dialect of DIALECTS) {
			const outputs = await outputsOf(dialect);
			const sim = sims[dialect]!;
			const secrets = sim.webhooks(1).map((w) => w.secret);
			const urlTokens = sim.webhooks(1).map((w) => tokenOf(w.url)).filter((t): t is string => t !== undefined);
			expect(secrets.length).toBeGreaterThan(0);
			expect(urlTokens).toHaveLength(1);
			const text = JSON.stringify(outputs);
			for (const secret of [...secrets, ...urlTokens]) expect(text).not.toContain(secret);
			expect(text).not.toMatch(/"secret"/);
		}
	});
});

describe('Klivo node with continueOnFail', () => {
	const sim = useSimulator('chatwoot');
	const byItemId = { operation: 'get', webhookId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } };

	async function threeItemsMiddleMissing() {
		const first = addWebhook(sim(), HOOK);
		const last = addWebhook(sim(), OTHER_HOOK);
		const missing = last.id + 1000;
		return { first, last, missing, items: [{ id: first.id }, { id: missing }, { id: last.id }] };
	}

	it('keeps going: one output item per input, the failed one holding the error', async () => {
		const { first, last, missing, items } = await threeItemsMiddleMissing();
		const result = await run(sim(), byItemId, { items, continueOnFail: true });
		expect(result.error).toBeUndefined();
		const output = result.output![0];
		expect(output).toHaveLength(3);
		output.forEach((item, i) => expect(item.pairedItem).toEqual({ item: i }));
		expect(output[0].json.id).toBe(first.id);
		expect(output[2].json.id).toBe(last.id);
		const failed = output[1].json as { error: { message: string; description: string } };
		expect(Object.keys(failed)).toEqual(['error']);
		expect(Object.keys(failed.error).sort()).toEqual(['description', 'message']);
		expect(failed.error.message).toContain(String(missing));
		expect(failed.error.description).not.toBe('');
		expect(JSON.stringify(output)).not.toContain(ADMIN);
	});

	it('also holds errors found before any request (a bad URL)', async () => {
		const items = [{ url: `${HOOK}/1` }, { url: 'not a url' }, { url: `${HOOK}/3` }];
		const result = await run(sim(), { operation: 'create', url: '={{ $json.url }}', events: ['message_created'] }, { items, continueOnFail: true });
		const output = result.output![0];
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json.error).toEqual({ message: expect.stringContaining('not a url'), description: expect.any(String) });
		expect(sim().webhooks(1).map((w) => w.url)).toEqual([`${HOOK}/1`, `${HOOK}/3`]);
	});

	it('without continueOnFail, stops with an error that names the failing item', async () => {
		const { items } = await threeItemsMiddleMissing();
		const result = await run(sim(), byItemId, { items });
		expect(result.output).toBeUndefined();
		expect(result.error?.context?.itemIndex).toBe(1);
	});
});
