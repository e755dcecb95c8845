/**
 * The delivery checks of trigger/payload.ts (content type, the fields that name an event's subject),
 * each first found by the reliability suite in real n8n 2.41:
 *
 * 1. An authenticated delivery with a form, XML or other non-JSON body started an execution: n8n
 *    parses `event=conversation_created&id=5` into an object all the same. Now 415.
 * 2. An authenticated delivery of a known event without the fields that name its subject (e.g. just
 *    `{"event":"conversation_created"}`), or with fields of the wrong type, started an execution full
 *    of nulls. Now 400, and the genuine payloads still pass.
 */
import type { IDataObject } from 'n8n-workflow';

import { isJsonContentType, malformation } from '../../nodes/Klivo/trigger/payload';
import {
	ACCOUNT,
	ALL_MESSAGE_TYPES,
	DIALECTS,
	REGISTRATION,
	callWebhook,
	deliverToNewTrigger,
	deliveryRequest,
	expectEmitted,
	fixture,
	fixtureNames,
	makeTrigger,
	payload,
	newlyRegisteredTrigger,
	useSimulator,
	type DeliveryOutcome,
	type Dialect,
} from './support';

afterEach(() => jest.restoreAllMocks());

function expectStatus(outcome: DeliveryOutcome, status: number, reason: RegExp): void {
	expect(outcome.status).toBe(status);
	expect(outcome.result.workflowData).toBeUndefined();
	expect(outcome.body).toMatchObject({ reason: expect.stringMatching(reason) });
}

describe.each(DIALECTS)('deliveries that must not start an execution (%s dialect)', (dialect: Dialect) => {
	async function deliverAs(contentType: string, raw: string, body: unknown): Promise<DeliveryOutcome> {
		const trigger = newlyRegisteredTrigger(dialect, { events: ['*'], options: { messageTypes: ALL_MESSAGE_TYPES } });
		const request = deliveryRequest(dialect, { raw: Buffer.from(raw), body });
		return await callWebhook(trigger, { ...request, headers: { ...request.headers, 'content-type': contentType } });
	}

	test.each([
		['application/x-www-form-urlencoded', 'event=conversation_created&id=5', { event: 'conversation_created', id: '5' }],
		['application/xml', '<event>conversation_created</event>', { event: 'conversation_created', id: 5 }],
		['text/plain', JSON.stringify({ event: 'conversation_created', id: 5 }), { event: 'conversation_created', id: 5 }],
	])('an authenticated %s body → 415', async (contentType, raw, body) => {
		expectStatus(await deliverAs(contentType, raw, body), 415, /not application\/json/);
	});

	test.each([
		['text/html', undefined],
		['application/octet-stream', undefined],
		['multipart/form-data; boundary=x', { event: 'conversation_created', id: '5' }],
	])('a %s body that n8n hands over without its bytes (version 1.1 nodes) → 415, signed or not', async (contentType, body) => {
		const trigger = newlyRegisteredTrigger(dialect, { events: ['*'], options: { messageTypes: ALL_MESSAGE_TYPES } });
		const request = deliveryRequest(dialect, { raw: Buffer.from('{"event":"conversation_created","id":5}'), body });
		const outcome = await callWebhook(trigger, { ...request, rawBody: undefined, headers: { ...request.headers, 'content-type': contentType } });
		expectStatus(outcome, 415, /not application\/json/);
	});

	test.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON'])('a genuine delivery sent as %s is emitted', async (contentType) => {
		const example = fixture('message_created.incoming');
		expectEmitted(await deliverAs(contentType, example.raw.toString(), example.body));
	});

	test.each<[string, IDataObject, RegExp]>([
		['a conversation event with only an event', { event: 'conversation_created' }, /must carry its id \('id'\)/],
		['a message without its id', payload('message_created.incoming', { id: undefined }), /must carry the message id/],
		['a message without its conversation', payload('message_created.incoming', { conversation: undefined }), /must carry the conversation/],
		['a contact without its id', payload('contact_created', { id: undefined }), /must carry its id/],
		['a message whose id is text', payload('message_created.incoming', { id: 'abc' }), /must carry the message id/],
		['a message whose conversation is a list', payload('message_created.incoming', { conversation: [] }), /must carry the conversation/],
		['a message whose content is a number', payload('message_created.incoming', { content: 42 }), /'content' must be a string/],
		['a message whose private flag is text', payload('message_created.incoming', { private: 'no' }), /'private' must be true or false/],
		['a message whose sender is text', payload('message_created.incoming', { sender: 'Maria' }), /'sender' must be an object/],
		['a conversation whose status is a number', payload('conversation_created', { status: 1 }), /'status' must be a string/],
		['a conversation whose changed_attributes is text', payload('conversation_updated.assignee_changed', { changed_attributes: 'status' }), /'changed_attributes' must be a list/],
		['a typing event without its conversation', { event: 'conversation_typing_on', user: { id: 4, type: 'user' } }, /must carry the conversation/],
		['a widget event without its contact', { event: 'webwidget_triggered', id: 5133 }, /must carry the contact/],
	])('%s → 400', async (_name, body, reason) => {
		const clean = JSON.parse(JSON.stringify(body)) as IDataObject; // drops the undefined fields, as the wire would
		expectStatus(await deliverToNewTrigger(dialect, clean, { events: ['*'], options: { messageTypes: ALL_MESSAGE_TYPES } }), 400, reason);
	});

	test.each(fixtureNames().filter((name) => !name.startsWith('signature-vector')))('the genuine %s still passes', async (name) => {
		const example = fixture(name);
		expectEmitted(await deliverToNewTrigger(dialect, example, { events: [String(example.body.event)], options: { messageTypes: ALL_MESSAGE_TYPES } }));
	});

	test('an unknown event is still ignored before any field check', async () => {
		const outcome = await deliverToNewTrigger(dialect, { event: 'account_deleted' });
		expect(outcome.status).toBe(200);
		expect(outcome.body).toEqual({ received: true, ignored: 'unknown event account_deleted' });
	});

	test("the secret and the URL token stay out of a refusal's answer", async () => {
		const outcome = await deliverToNewTrigger(dialect, { event: 'message_created', id: 1 });
		expect(outcome.status).toBe(400);
		const text = JSON.stringify(outcome.body);
		expect(text).not.toContain(REGISTRATION.secret);
		expect(text).not.toContain(REGISTRATION.urlToken);
	});
});

describe('payload checks', () => {
	test.each([
		['application/json', true],
		['application/json; charset=utf-8', true],
		['application/vnd.api+json', true],
		['text/json', true],
		[['application/json'], true],
		['text/plain', false],
		['application/x-www-form-urlencoded', false],
		['multipart/form-data; boundary=x', false],
		['application/jsonp', false],
		[undefined, false],
	])('content type %p is JSON: %p', (value, expected) => {
		expect(isJsonContentType(value)).toBe(expected);
	});

	test.each([
		['conversation_typing_on', { conversation: { id: 1 }, user: { id: 4 } }],
		['webwidget_triggered', { contact: { id: 851 }, current_conversation: null }],
		['message_created', { id: '77', conversation: { id: 1 }, content: null, sender: null, message_type: 0 }],
	])('a genuine %s shape passes', (event, body) => {
		expect(malformation(event, { event, ...body } as IDataObject)).toBeUndefined();
	});
});
