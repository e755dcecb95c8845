/**
 * The trigger's filters, through webhook() in both dialects: a filtered delivery is answered
 * 200 {received, ignored} (so Klivo never counts it as failed) and starts no execution.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	ALL_MESSAGE_TYPES,
	DIALECTS,
	deliverToNewTrigger,
	expectEmitted,
	expectIgnored,
	fixture,
	payload,
	type DeliveryOutcome,
	type Dialect,
} from './support';

afterEach(() => jest.restoreAllMocks());

const INCOMING = 'message_created.incoming';
const OUTGOING = 'message_created.outgoing_agent';
const BOT = { id: 9, name: 'Klivo Bot', type: 'agent_bot' };

describe.each(DIALECTS)('filters (%s dialect)', (dialect: Dialect) => {
	/** Delivers a fixture (with some fields replaced) to a trigger with these events and options. */
	async function send(name: string, options: IDataObject = {}, overrides: IDataObject = {}, events?: string[]): Promise<DeliveryOutcome> {
		const body = Object.keys(overrides).length === 0 ? fixture(name) : payload(name, overrides);
		return await deliverToNewTrigger(dialect, body, { events: events ?? [String(fixture(name).body.event)], options });
	}

	describe('message types (default: incoming only)', () => {
		test('an incoming message passes by default', async () => {
			expectEmitted(await send(INCOMING));
		});

		test("an agent's outgoing reply is ignored by default (a replying workflow must not trigger itself)", async () => {
			expectIgnored(await send(OUTGOING), /^filtered: message type outgoing$/);
		});

		test('an outgoing reply is emitted when Outgoing is selected', async () => {
			expectEmitted(await send(OUTGOING, { messageTypes: ['incoming', 'outgoing'] }));
		});

		test('a template message is ignored unless Template is selected', async () => {
			expectIgnored(await send(OUTGOING, {}, { message_type: 'template' }), /message type template/);
			expectEmitted(await send(OUTGOING, { messageTypes: ['template'] }, { message_type: 'template' }));
		});

		test('a numeric message_type (as inside conversation.messages) is understood', async () => {
			expectIgnored(await send(INCOMING, {}, { message_type: 1 }), /message type outgoing/);
			expectEmitted(await send(INCOMING, {}, { message_type: 0 }));
		});

		test('message_updated is filtered by message type too', async () => {
			expectIgnored(await send('message_updated.status_read'), /message type outgoing/);
			expectEmitted(await send('message_updated.status_read', { messageTypes: ['outgoing'] }));
		});

		test('the filter does not apply to other events', async () => {
			expectEmitted(await send('conversation_created', { messageTypes: ['incoming'] }));
		});
	});

	describe('private notes (default: excluded)', () => {
		const note = { private: true, message_type: 'outgoing', sender: { id: 4, name: 'Carlos Lima', type: 'user' } };

		test('a private note is ignored by default, even when its message type is selected', async () => {
			expectIgnored(await send(INCOMING, { messageTypes: ALL_MESSAGE_TYPES }, note), /^filtered: private note$/);
		});

		test('a private note is emitted with Include Private Notes, and marked as private', async () => {
			const item = expectEmitted(await send(INCOMING, { messageTypes: ALL_MESSAGE_TYPES, includePrivateNotes: true }, note));

			expect(item.klivo).toMatchObject({ isPrivate: true });
		});
	});

	describe('inbox ids', () => {
		test.each<[string, string, IDataObject, string]>([
			['a message (inbox.id)', INCOMING, {}, 'message_created'],
			['a conversation event (inbox_id)', 'conversation_created', {}, 'conversation_created'],
		])('%s of a listed inbox passes; of another inbox it is ignored', async (_name, name) => {
			expectEmitted(await send(name, { inboxIds: '3, 12' }));
			expectIgnored(await send(name, { inboxIds: '3,14' }), /^filtered: inbox 12$/);
		});

		test('a typing event takes its inbox from conversation.inbox_id', async () => {
			const typing = { event: 'conversation_typing_on', user: { id: 4, type: 'user' }, conversation: fixture('conversation_created').body, is_private: false };

			expectEmitted(await deliverToNewTrigger(dialect, typing, { events: ['conversation_typing_on'], options: { inboxIds: '12' } }));
			expectIgnored(
				await deliverToNewTrigger(dialect, typing, { events: ['conversation_typing_on'], options: { inboxIds: '13' } }),
				/inbox 12/,
			);
		});

		test('an event without an inbox is ignored when inboxes are listed', async () => {
			expectIgnored(await send('contact_created', { inboxIds: '12' }), /inbox unknown/);
		});

		test('an empty list means every inbox', async () => {
			expectEmitted(await send(INCOMING, { inboxIds: '' }));
		});
	});

	describe('sender types', () => {
		const everyMessage = { messageTypes: ALL_MESSAGE_TYPES };

		test('contact: a contact (no type key) passes; an agent is ignored', async () => {
			expectEmitted(await send(INCOMING, { ...everyMessage, senderTypes: ['contact'] }));
			expectIgnored(await send(OUTGOING, { ...everyMessage, senderTypes: ['contact'] }), /^filtered: sender type agent$/);
		});

		test('agent: an agent (type user) passes; a contact is ignored', async () => {
			expectEmitted(await send(OUTGOING, { ...everyMessage, senderTypes: ['agent'] }));
			expectIgnored(await send(INCOMING, { ...everyMessage, senderTypes: ['agent'] }), /sender type contact/);
		});

		test('bot: an agent bot (type agent_bot) passes; an agent is ignored', async () => {
			const item = expectEmitted(await send(OUTGOING, { ...everyMessage, senderTypes: ['bot'] }, { sender: BOT }));
			expect(item.klivo).toMatchObject({ sender: { type: 'bot', id: 9, name: 'Klivo Bot' } });
			expectIgnored(await send(OUTGOING, { ...everyMessage, senderTypes: ['bot'] }), /sender type agent/);
		});
	});

	describe('ignore sender ids', () => {
		test("a contact is ignored only when written as contact:ID, since contacts and agents are numbered separately", async () => {
			expectIgnored(await send(INCOMING, { ignoreSenderIds: '9, contact:845' }), /^filtered: sender contact 845$/);
			expectEmitted(await send(INCOMING, { ignoreSenderIds: '845' }));
			expectEmitted(await send(INCOMING, { ignoreSenderIds: 'agent:845, bot:845' }));
		});

		test("the bot's own replies are ignored by id (the loop guard for workflows that answer as a bot)", async () => {
			const outgoing = { messageTypes: ALL_MESSAGE_TYPES };
			expectIgnored(await send(OUTGOING, { ...outgoing, ignoreSenderIds: '9' }, { sender: BOT }), /^filtered: sender bot 9$/);
			expectIgnored(await send(OUTGOING, { ...outgoing, ignoreSenderIds: 'bot: 9' }, { sender: BOT }), /sender bot 9/);
			expectEmitted(await send(OUTGOING, { ...outgoing, ignoreSenderIds: 'agent:9, contact:9' }, { sender: BOT }));
		});
	});

	describe('conversation statuses', () => {
		test("a message in an open conversation passes 'open' and is ignored by 'resolved'", async () => {
			expectEmitted(await send(INCOMING, { conversationStatuses: ['open', 'pending'] }));
			expectIgnored(await send(INCOMING, { conversationStatuses: ['resolved'] }), /^filtered: conversation status open$/);
		});

		test('a conversation event uses its own status', async () => {
			const resolved = 'conversation_status_changed.resolved';
			expectEmitted(await send(resolved, { conversationStatuses: ['resolved'] }));
			expectIgnored(await send(resolved, { conversationStatuses: ['open'] }), /conversation status resolved/);
		});

		test('an event without a conversation is ignored when statuses are listed', async () => {
			expectIgnored(await send('contact_created', { conversationStatuses: ['open'] }), /conversation status unknown/);
		});
	});

	describe('changed attributes', () => {
		const assigned = 'conversation_updated.assignee_changed';

		test('an update that touched a watched attribute passes; one that did not is ignored', async () => {
			expectEmitted(await send(assigned, { changedAttributes: 'status, assignee_id' }));
			expectIgnored(await send(assigned, { changedAttributes: 'status,labels' }), /none of the watched attributes changed/);
		});

		test('contact_updated is filtered by its changed attributes too', async () => {
			expectEmitted(await send('contact_updated', { changedAttributes: 'email' }));
			expectIgnored(await send('contact_updated', { changedAttributes: 'phone_number' }), /none of the watched attributes/);
		});

		test("the filter only applies to 'updated' events", async () => {
			expectEmitted(await send('conversation_created', { changedAttributes: 'assignee_id' }));
		});
	});

	describe("activity-only contact updates (every incoming message makes one)", () => {
		const activityOnly = {
			changed_attributes: [
				{ last_activity_at: { previous_value: 1779973331, current_value: 1779973540 } },
				{ updated_at: { previous_value: '2026-05-28T13:02:11.530Z', current_value: '2026-05-28T13:05:40.233Z' } },
			],
		};

		test('dropped by default', async () => {
			expectIgnored(await send('contact_updated', {}, activityOnly), /^filtered: only activity timestamps changed$/);
		});

		test('emitted with Include Activity-Only Contact Updates', async () => {
			expectEmitted(await send('contact_updated', { includeActivityOnlyContactUpdates: true }, activityOnly));
		});

		test('a real change alongside the timestamps is emitted by default', async () => {
			expectEmitted(await send('contact_updated'));
		});
	});
});
