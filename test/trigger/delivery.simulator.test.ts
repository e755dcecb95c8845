/**
 * End to end with deliveries the simulator really makes: the trigger registers itself through its
 * lifecycle with n8n's URL pointing at a local receiver; the simulator posts its events there (its
 * own headers, signature and bytes); the captured request goes into webhook() unchanged.
 */
import {
	ACCOUNT,
	DIALECTS,
	asWebhookRequest,
	callWebhook,
	expectEmitted,
	expectIgnored,
	expectRefused,
	makeTrigger,
	onlyWebhook,
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

		expectRefused(await callWebhook(trigger, forged), 401, dialect === 'chatwoot' ? /missing signature/ : /missing URL token/);
	});

	if (dialect === 'chatwoot') {
		test('the same captured delivery sent twice is refused the second time (replay)', async () => {
			const trigger = await activatedTrigger(['message_created']);
			const request = asWebhookRequest(await emitted('message_created'));

			expectEmitted(await callWebhook(trigger, request));
			expectRefused(await callWebhook(trigger, request), 401, /replayed delivery/);
		});
	}
});
