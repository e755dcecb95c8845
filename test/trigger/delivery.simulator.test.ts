/**
 * End to end with deliveries the simulator really makes: the trigger registers itself through its
 * lifecycle with n8n's URL pointing at a local receiver; the simulator posts its events there (its
 * own headers, signature and bytes); the captured request goes into webhook() unchanged.
 */
import { deriveUrlToken, withToken } from '../../nodes/Klivo/shared/webhookUrl';
import {
	ACCOUNT,
	DIALECTS,
	asWebhookRequest,
	callWebhook,
	expectEmitted,
	callTestWebhook,
	expectIgnored,
	expectUnauthorized,
	makeTrigger,
	onlyWebhook,
	refusalOf,
	startReceiver,
	useSimulator,
	type CapturedRequest,
	type Dialect,
	type Receiver,
	type Trigger,
} from './support';

afterEach(() => jest.restoreAllMocks());

describe.each(DIALECTS)('deliveries made by the simulator (%s dialect)', (dialect: Dialect) => {
	const sim = useSimulator(dialect);
	let receiver: Receiver;

	beforeAll(async () => {
		receiver = await startReceiver();
	});
	beforeEach(() => {
		receiver.captured.length = 0;
	});
	afterAll(async () => {
		await receiver.close();
	});

	async function activatedTrigger(events: string[], options = {}): Promise<Trigger> {
		const trigger = makeTrigger(sim(), { events, options, webhookBaseUrl: receiver.baseUrl });
		await trigger.activate();
		return trigger;
	}

	/** Has the simulator emit, and answers the one request that reached the receiver. */
	async function emitted(source: string, overrides = {}): Promise<CapturedRequest> {
		const results = await sim().emit(ACCOUNT, source, { overrides });
		expect(results.map((r) => r.ok)).toEqual([true]);
		expect(receiver.captured).toHaveLength(1);
		return receiver.captured[0];
	}

	test('an incoming message reaches n8n at the registered URL and is accepted', async () => {
		const trigger = await activatedTrigger(['message_created']);

		const request = await emitted('message_created');

		expect(request.method).toBe('POST');
		expect(new URL(request.url, receiver.baseUrl).toString()).toBe(onlyWebhook(sim()).url);
		if (dialect === 'chatwoot') {
			expect(request.headers['x-chatwoot-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
		} else {
			expect(request.headers['x-chatwoot-signature']).toBeUndefined();
		}
		const item = expectEmitted(await callWebhook(trigger, asWebhookRequest(request)));
		expect(item.klivo).toMatchObject({
			event: 'message_created',
			messageText: 'Olá! Quero saber o preço do plano Pro',
			delivery:
				dialect === 'chatwoot'
					? { id: request.headers['x-chatwoot-delivery'], signatureVerified: true, verifiedBy: 'signature' }
					: { signatureVerified: false, verifiedBy: 'urlToken' },
		});
	});

	test('content with <, > and & (escaped by the server) verifies over the bytes the server sent', async () => {
		const trigger = await activatedTrigger(['message_created']);

		const request = await emitted('message_created', { content: 'Oferta <b>Pro</b> & frete grátis' });

		expect(request.raw.toString()).toContain('Oferta \\u003cb\\u003ePro\\u003c/b\\u003e \\u0026 frete');
		const item = expectEmitted(await callWebhook(trigger, asWebhookRequest(request)));
		expect(item.klivo).toMatchObject({ messageText: 'Oferta <b>Pro</b> & frete grátis' });
	});

	test('a resolution reaches the workflow once, as Conversation Resolved', async () => {
		const trigger = await activatedTrigger(['conversation_resolved']);

		// Klivo derives conversation_resolved itself; Chatwoot sends the status change we subscribed to.
		const request = await emitted('conversation_status_changed.resolved');

		const item = expectEmitted(await callWebhook(trigger, asWebhookRequest(request)));
		expect(item.klivo).toMatchObject({
			event: 'conversation_resolved',
			deliveredEvent: dialect === 'chatwoot' ? 'conversation_status_changed' : 'conversation_resolved',
		});
	});

	test("the workflow's own outgoing reply arrives but is ignored by default", async () => {
		const trigger = await activatedTrigger(['message_created']);

		const request = await emitted('message_created.outgoing_agent');

		expectIgnored(await callWebhook(trigger, asWebhookRequest(request)), /message type outgoing/);
	});

	test('after a restart that lost static data, deliveries are still accepted once activation adopted the webhook', async () => {
		await activatedTrigger(['message_created']);
		const restarted = makeTrigger(sim(), { events: ['message_created'], staticData: {}, webhookBaseUrl: receiver.baseUrl });
		await restarted.activate();
		expect(sim().webhooks(ACCOUNT)).toHaveLength(1);

		const request = await emitted('message_created');

		expectEmitted(await callWebhook(restarted, asWebhookRequest(request)));
	});

	test('a request that does not come from the server (no token, no signature) is refused', async () => {
		const trigger = await activatedTrigger(['message_created']);
		const request = asWebhookRequest(await emitted('message_created'));

		const forged = { ...request, query: {}, headers: { 'content-type': 'application/json' } };
		// Both dialects' simulators number webhooks alike, and every test trigger is workflow wf-1: to the
		// log's rate limit (one warning per webhook a minute) theirs are one webhook, so a minute passes.
		if (dialect === 'chatwoot') jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000);

		expect(await refusalOf(trigger, forged)).toMatch(dialect === 'chatwoot' ? /HTTP 401\): missing signature/ : /HTTP 401\): missing URL token/);
	});

	if (dialect === 'chatwoot') {
		test('the same captured delivery sent twice is refused the second time (replay)', async () => {
			const trigger = await activatedTrigger(['message_created']);
			const request = asWebhookRequest(await emitted('message_created'));

			expectEmitted(await callWebhook(trigger, request));
			expect(await refusalOf(trigger, request)).toMatch(/HTTP 401\): replayed delivery/);
		});
	}

	describe('"Listen for test event" while the production webhook is registered', () => {
		/** The workflow active in production, and the same workflow listening on n8n's test URL. */
		async function listening(): Promise<{ production: Trigger; test: Trigger }> {
			const production = await activatedTrigger(['message_created']);
			// n8n builds the test workflow with empty static data, and hands test deliveries what its activation wrote.
			const test = makeTrigger(sim(), { events: ['message_created'], webhookBaseUrl: receiver.baseUrl });
			if (!(await test.test.checkExists())) await test.test.create();
			const urls = sim()
				.webhooks(ACCOUNT)
				.map((webhook) => new URL(webhook.url).pathname.split('/')[1]);
			expect(urls.sort()).toEqual(['webhook', 'webhook-test']);
			expect(test.state().url).toContain('/webhook-test/');
			return { production, test };
		}

		/** Has the simulator emit to one webhook only, and answers the request that reached the receiver. */
		async function emittedTo(webhookId: number | undefined, source: string): Promise<CapturedRequest> {
			const results = await sim().emit(ACCOUNT, source, { webhookId });
			expect(results.map((r) => r.ok)).toEqual([true]);
			expect(receiver.captured).toHaveLength(1);
			return receiver.captured.pop()!;
		}

		if (dialect === 'chatwoot') {
			// The secret look-up after a bad signature found the production webhook by n8n's production URL,
			// learned its secret, and refused every genuine test delivery after it.
			test('after a forged delivery, genuine test deliveries still get in (the secret looked up is the test webhook\'s)', async () => {
				const { test } = await listening();
				const genuine = asWebhookRequest(await emittedTo(test.state().webhookId, 'message_created'));
				const forged = { ...genuine, headers: { ...genuine.headers, 'x-chatwoot-signature': `sha256=${'ab'.repeat(32)}` } };

				sim().clearRequests();
				expectUnauthorized(await callTestWebhook(test, forged));
				// It did look the secret up, once.
				expect(sim().countRequests({ route: 'list' })).toBe(1);

				expectEmitted(await callTestWebhook(test, asWebhookRequest(await emittedTo(test.state().webhookId, 'message_created'))));
			});
		} else {
			// The token derived from the credential was derived for n8n's production URL, never the test one.
			test('after the access token is rotated and the test webhook re-registered with it, test deliveries get in', async () => {
				const { test } = await listening();
				const rotated = 'admin-token-rotated';
				const registered = sim()
					.webhooks(ACCOUNT)
					.find((webhook) => webhook.id === test.state().webhookId)!;
				// Re-registered with the new token, as an Ensure with the trigger's (rotated) credential would.
				sim().deleteWebhookDirect(ACCOUNT, registered.id);
				const testUrl = test.state().url!;
				const again = sim().addWebhookDirect(ACCOUNT, {
					url: withToken(testUrl, deriveUrlToken(rotated, ACCOUNT, testUrl)),
					subscriptions: ['message_created'],
				});
				// n8n builds the workflow afresh for each test delivery: the credential as it is now, the static data of the activation.
				const afterRotation = makeTrigger(sim(), {
					events: ['message_created'],
					webhookBaseUrl: receiver.baseUrl,
					staticData: test.staticData,
					credentials: { accessToken: rotated },
				});

				expectEmitted(await callTestWebhook(afterRotation, asWebhookRequest(await emittedTo(again.id, 'message_created'))));
			});
		}
	});
});
