/**
 * webhook(): what a delivery becomes, in both dialects. The klivo dialect authenticates by the
 * URL token, the chatwoot dialect by signature; past that point both must behave the same.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	ALL_MESSAGE_TYPES,
	DIALECTS,
	REGISTRATION,
	callWebhook,
	deliverToNewTrigger,
	deliveryRequest,
	expectEmitted,
	expectIgnored,
	expectRefused,
	expectUnauthorized,
	fixture,
	fixtureNames,
	newlyRegisteredTrigger,
	payload,
	refusalOf,
	watchLog,
	wire,
	type Dialect,
	type WebhookRequest,
} from './support';

afterEach(() => jest.restoreAllMocks());

const SUMMARY_KEYS = [
	'event',
	'deliveredEvent',
	'messageText',
	'messageType',
	'isPrivate',
	'conversationId',
	'conversationStatus',
	'inboxId',
	'contact',
	'sender',
	'changedAttributes',
	'accountId',
	'delivery',
];

describe.each(DIALECTS)('webhook() (%s dialect)', (dialect: Dialect) => {
	const verifiedBy = dialect === 'chatwoot' ? 'signature' : 'urlToken';

	describe('every example payload', () => {
		test.each(fixtureNames())('%s is emitted with its payload and a klivo summary', async (name) => {
			const example = fixture(name);
			const event = String(example.body.event);

			const item = expectEmitted(
				await deliverToNewTrigger(dialect, example, { events: [event], options: { messageTypes: ALL_MESSAGE_TYPES } }),
			);

			// The payload as Klivo sent it, untouched...
			const { klivo, ...rest } = item;
			expect(rest).toEqual(example.body);
			// ...plus the summary.
			expect(Object.keys(klivo as IDataObject).sort()).toEqual([...SUMMARY_KEYS].sort());
			expect(klivo).toMatchObject({ event, deliveredEvent: event, delivery: { verifiedBy } });
		});
	});

	describe('output', () => {
		test('an incoming message: every summary field', async () => {
			const item = expectEmitted(await deliverToNewTrigger(dialect, fixture('message_created.incoming')));

			expect(item.klivo).toEqual({
				event: 'message_created',
				deliveredEvent: 'message_created',
				messageText: 'Olá! Quero saber o preço do plano Pro',
				messageType: 'incoming',
				isPrivate: false,
				conversationId: 1287,
				conversationStatus: 'open',
				inboxId: 12,
				contact: { id: 845, name: 'Maria Souza', phone: '+5511987654321', email: null },
				sender: { type: 'contact', id: 845, name: 'Maria Souza' },
				changedAttributes: [],
				accountId: 7,
				delivery:
					dialect === 'chatwoot'
						? { id: expect.any(String), timestamp: expect.any(Number), signatureVerified: true, verifiedBy: 'signature' }
						: { id: null, timestamp: null, signatureVerified: false, verifiedBy: 'urlToken' },
			});
		});

		test("an agent's reply: the contact comes from the conversation, the sender is the agent", async () => {
			const item = expectEmitted(
				await deliverToNewTrigger(dialect, fixture('message_created.outgoing_agent'), { options: { messageTypes: ['outgoing'] } }),
			);

			expect(item.klivo).toMatchObject({
				messageType: 'outgoing',
				contact: { id: 845, name: 'Maria Souza', phone: '+5511987654321', email: null },
				sender: { type: 'agent', id: 4, name: 'Carlos Lima' },
			});
		});

		test('an updated contact: contact fields and changed attribute names', async () => {
			const item = expectEmitted(await deliverToNewTrigger(dialect, fixture('contact_updated'), { events: ['contact_updated'] }));

			expect(item.klivo).toMatchObject({
				event: 'contact_updated',
				messageText: null,
				messageType: null,
				isPrivate: null,
				contact: { id: 845, name: 'Maria Souza', phone: '+5511987654321', email: 'maria.souza@example.com' },
				changedAttributes: ['email', 'updated_at'],
			});
		});

		test("'Summary Only' outputs just the summary", async () => {
			const item = expectEmitted(
				await deliverToNewTrigger(dialect, fixture('message_created.incoming'), { options: { output: 'summary' } }),
			);

			expect(Object.keys(item).sort()).toEqual([...SUMMARY_KEYS].sort());
			expect(item).toMatchObject({ event: 'message_created', messageText: 'Olá! Quero saber o preço do plano Pro' });
			expect(item.conversation).toBeUndefined();
		});

		test('neither the signing secret nor the URL token ever reaches the output', async () => {
			for (const output of ['full', 'summary']) {
				const outcome = await deliverToNewTrigger(dialect, fixture('message_created.incoming'), { options: { output } });
				const text = JSON.stringify(outcome.result);
				expect(outcome.items).toHaveLength(1);
				expect(text).not.toContain(REGISTRATION.secret);
				expect(text).not.toContain(REGISTRATION.urlToken);
			}
		});
	});

	describe('malformed bodies → 400, no execution', () => {
		test.each<[string, unknown]>([
			['an array', [{ event: 'message_created' }]],
			['a string', 'message_created'],
			['a number', 42],
			['null', null],
		])('a body that is %s', async (_name, body) => {
			expectRefused(await deliverToNewTrigger(dialect, { raw: wire(body), body }), 400, /not a JSON object/);
		});

		test.each<[string, IDataObject]>([
			['no event', { id: 1, content: 'hi' }],
			['an empty event', { event: '', id: 1 }],
			['an event that is not a string', { event: 7, id: 1 }],
		])('an object with %s', async (_name, body) => {
			expectRefused(await deliverToNewTrigger(dialect, body), 400, /no 'event' field/);
		});
	});

	describe('events that do not start the workflow → 200 {received, ignored}', () => {
		test('an unknown event', async () => {
			expectIgnored(await deliverToNewTrigger(dialect, { event: 'account_deleted', id: 1 }), /^unknown event account_deleted$/);
		});

		test('a known event that was not selected', async () => {
			expectIgnored(
				await deliverToNewTrigger(dialect, fixture('contact_created'), { events: ['message_created'] }),
				/^event contact_created not selected$/,
			);
		});

		test("'All Events' selects every known event", async () => {
			expectEmitted(await deliverToNewTrigger(dialect, fixture('contact_created'), { events: ['*'] }));
		});
	});

	describe('Conversation Resolved', () => {
		const resolvedOnly = { events: ['conversation_resolved'] };

		test('a status change to resolved is emitted as conversation_resolved', async () => {
			const item = expectEmitted(await deliverToNewTrigger(dialect, fixture('conversation_status_changed.resolved'), resolvedOnly));

			expect(item.event).toBe('conversation_resolved');
			expect(item.klivo).toMatchObject({
				event: 'conversation_resolved',
				deliveredEvent: 'conversation_status_changed',
				conversationId: 1287,
				conversationStatus: 'resolved',
			});
		});

		test.each(['open', 'pending', 'snoozed'])('a status change to %s is ignored', async (status) => {
			expectIgnored(
				await deliverToNewTrigger(dialect, payload('conversation_status_changed.resolved', { status }), resolvedOnly),
				/status change that is not a resolution/,
			);
		});

		test('conversation_resolved delivered as such (a server that accepts the subscription) is emitted', async () => {
			const body = payload('conversation_status_changed.resolved', { event: 'conversation_resolved' });

			const item = expectEmitted(await deliverToNewTrigger(dialect, body, resolvedOnly));

			expect(item.klivo).toMatchObject({ event: 'conversation_resolved', deliveredEvent: 'conversation_resolved' });
		});

		test('with All Events, a resolution is seen as conversation_resolved on both dialects', async () => {
			const outcome = await deliverToNewTrigger(dialect, fixture('conversation_status_changed.resolved'), { events: ['*'] });

			expect(outcome.status).toBe(200);
			const events = (outcome.items ?? []).map((item) => item.event);
			// Klivo's dialect delivers conversation_resolved itself, separately; Chatwoot's only the status change.
			expect(events).toEqual(
				dialect === 'chatwoot' ? ['conversation_status_changed', 'conversation_resolved'] : ['conversation_status_changed'],
			);
		});

		test('with All Events, a status change that is not a resolution is one item', async () => {
			const outcome = await deliverToNewTrigger(dialect, payload('conversation_status_changed.resolved', { status: 'snoozed' }), { events: ['*'] });

			expect((outcome.items ?? []).map((item) => item.event)).toEqual(['conversation_status_changed']);
		});

		test('with Conversation Status Changed selected, every status change is emitted as itself', async () => {
			const body = payload('conversation_status_changed.resolved', { status: 'pending' });

			const item = expectEmitted(await deliverToNewTrigger(dialect, body, { events: ['conversation_status_changed'] }));

			expect(item.klivo).toMatchObject({ event: 'conversation_status_changed', conversationStatus: 'pending' });
		});
	});
});

describe('refusals: one answer for every authentication failure, a bounded log', () => {
	const incoming = () => fixture('message_created.incoming');

	test('every authentication failure gets the same 401 answer; which check failed is in the log only', async () => {
		const signed = deliveryRequest('chatwoot', incoming());
		const headers = signed.headers as IDataObject;
		const cases: Array<[Dialect, WebhookRequest, RegExp]> = [
			['chatwoot', { ...signed, headers: { 'content-type': 'application/json' } }, /missing signature/],
			['chatwoot', { ...signed, headers: { ...headers, 'x-chatwoot-signature': `sha256=${'ab'.repeat(32)}` } }, /signature mismatch/],
			['chatwoot', { ...signed, headers: { ...headers, 'x-chatwoot-timestamp': 'yesterday' } }, /missing or malformed timestamp/],
			['klivo', { ...deliveryRequest('klivo', incoming()), query: {} }, /missing URL token/],
			['klivo', { ...deliveryRequest('klivo', incoming()), query: { klivo_token: 'not-the-token' } }, /wrong URL token/],
		];
		for (const [dialect, request, reason] of cases) {
			// refusalOf checks that the answer is exactly { error: 'Unauthorized' }.
			expect(await refusalOf(newlyRegisteredTrigger(dialect), request)).toMatch(new RegExp(`HTTP 401\\): ${reason.source}$`));
		}
	});

	test('a flood of forged requests logs one warning per webhook a minute; the next one counts those left out', async () => {
		const trigger = newlyRegisteredTrigger('klivo');
		const log = watchLog(trigger);
		const forged = { ...deliveryRequest('klivo', incoming()), query: { klivo_token: 'not-the-token' } };
		const start = Date.now();
		const clock = jest.spyOn(Date, 'now').mockReturnValue(start);

		for (let i = 0; i < 50; i++) expectUnauthorized(await callWebhook(trigger, forged));
		expect(log.refusals()).toEqual(['Klivo Trigger refused a delivery (HTTP 401): wrong URL token']);

		// Another webhook has a warning of its own.
		expectUnauthorized(await callWebhook(newlyRegisteredTrigger('klivo'), forged));
		expect(log.refusals()).toHaveLength(2);

		clock.mockReturnValue(start + 59_999);
		expectUnauthorized(await callWebhook(trigger, forged));
		expect(log.refusals()).toHaveLength(2);

		clock.mockReturnValue(start + 60_000);
		expectUnauthorized(await callWebhook(trigger, { ...forged, query: {} }));
		expect(log.refusals()[2]).toBe(
			'Klivo Trigger refused a delivery (HTTP 401): missing URL token (50 more refused since the previous warning, logged at debug level)',
		);

		// The count starts again; a clock set back does not silence the warnings.
		clock.mockReturnValue(start + 120_000);
		expectUnauthorized(await callWebhook(trigger, forged));
		clock.mockReturnValue(start - 3_600_000);
		expectUnauthorized(await callWebhook(trigger, forged));
		expect(log.refusals().slice(3)).toEqual([
			'Klivo Trigger refused a delivery (HTTP 401): wrong URL token',
			'Klivo Trigger refused a delivery (HTTP 401): wrong URL token',
		]);
	});

	test('a body n8n hands over without its bytes is refused 415 before authentication, its warnings rate-limited too', async () => {
		const trigger = newlyRegisteredTrigger('chatwoot');
		const log = watchLog(trigger);
		const request = { ...deliveryRequest('chatwoot', incoming()), rawBody: undefined, headers: { 'content-type': 'text/html' } };

		for (let i = 0; i < 3; i++) {
			const outcome = await callWebhook(trigger, request);
			expect(outcome.status).toBe(415);
			expect(outcome.body).toEqual({ error: 'Unsupported Media Type', reason: 'the body is not application/json' });
		}
		expect(log.refusals()).toEqual(['Klivo Trigger refused a delivery (HTTP 415): the body is not application/json']);
	});

	test('deliveries Klivo authenticated but that are malformed keep their reason in the answer, and each is logged', async () => {
		const trigger = newlyRegisteredTrigger('klivo', { events: ['conversation_created'] });
		const log = watchLog(trigger);

		for (let i = 0; i < 3; i++) {
			const outcome = await callWebhook(trigger, deliveryRequest('klivo', { event: 'conversation_created' }));
			expect(outcome.status).toBe(400);
			expect(outcome.body).toEqual({ error: 'Bad Request', reason: "a conversation_created delivery must carry its id ('id')" });
		}
		expect(log.refusals()).toHaveLength(3);
	});
});
