'use strict';

const http = require('node:http');
const { startSimulator, SEED } = require('../../tools/simulator/server');
const { call } = require('./support');

const A = '/api/v1/accounts/1';
const NOT_AUTHORIZED = { error: 'You are not authorized to do this action' };

describe('simulator conversations', () => {
	let sim;
	let receiver;
	let received;
	beforeAll(async () => {
		sim = await startSimulator({ dialect: 'klivo' });
		received = [];
		receiver = http.createServer((req, res) => {
			const chunks = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', () => {
				received.push(JSON.parse(Buffer.concat(chunks).toString()));
				res.end('ok');
			});
		});
		await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
	});
	afterAll(async () => {
		await sim.close();
		await new Promise((r) => receiver.close(r));
	});
	beforeEach(async () => {
		await sim.settle();
		sim.reset();
		received.length = 0;
		sim.addWebhookDirect(1, {
			url: `http://127.0.0.1:${receiver.address().port}/hook`,
			subscriptions: ['conversation_status_changed', 'conversation_resolved', 'conversation_updated', 'conversation_typing_on', 'conversation_created'],
		});
	});

	test('list: data.meta counts before the assignee filter, data.payload, 25 per page', async () => {
		const res = await call(sim, 'GET', `${A}/conversations?status=all`);
		expect(res.status).toBe(200);
		expect(Object.keys(res.body.data)).toEqual(['meta', 'payload']);
		expect(res.body.data.meta).toEqual({ mine_count: 0, assigned_count: 2, unassigned_count: 2, all_count: 4 });
		expect(res.body.data.payload[0].meta.sender).toBeDefined();
		const open = await call(sim, 'GET', `${A}/conversations?assignee_type=unassigned`);
		expect(open.body.data.payload.map((c) => c.id)).toEqual([2]);
		expect(open.body.data.meta.all_count).toBe(2);
		sim.addConversations(1, 30, () => ({ inbox_id: 1, contact_id: 1 }));
		const p1 = await call(sim, 'GET', `${A}/conversations?page=1`);
		const p2 = await call(sim, 'GET', `${A}/conversations?page=2`);
		expect(p1.body.data.payload).toHaveLength(25);
		expect(p2.body.data.payload).toHaveLength(32 - 25);
		const ids = [...p1.body.data.payload, ...p2.body.data.payload].map((c) => c.id);
		expect(new Set(ids).size).toBe(32);
	});

	test('an agent sees only the inboxes they belong to; a bot token is refused on lists', async () => {
		const res = await call(sim, 'GET', `${A}/conversations?status=all`, { token: 'agent-token-1' });
		expect(res.body.data.payload.map((c) => c.id).sort()).toEqual([1, 2, 3]);
		const hidden = await call(sim, 'GET', `${A}/conversations/4`, { token: 'agent-token-1' });
		expect(hidden).toMatchObject({ status: 401, body: NOT_AUTHORIZED });
		const bot = await call(sim, 'GET', `${A}/conversations`, { token: 'bot-token-1' });
		expect(bot).toMatchObject({ status: 401, body: { error: 'Access to this endpoint is not authorized for bots' } });
		expect((await call(sim, 'GET', `${A}/conversations/999`)).status).toBe(404);
	});

	test('toggle_status answers {payload} without meta and delivers the status change (+ conversation_resolved in klivo)', async () => {
		const res = await call(sim, 'POST', `${A}/conversations/2/toggle_status`, { body: { status: 'resolved' } });
		expect(res.body).toEqual({ payload: { success: true, conversation_id: 2, current_status: 'resolved', snoozed_until: null } });
		await sim.settle();
		expect(received.map((p) => p.event).sort()).toEqual(['conversation_resolved', 'conversation_status_changed']);
		const snooze = await call(sim, 'POST', `${A}/conversations/2/toggle_status`, { body: { status: 'snoozed', snoozed_until: 1893456000 } });
		expect(snooze.body.payload.snoozed_until).toBe('2030-01-01T00:00:00.000Z');
		expect((await call(sim, 'POST', `${A}/conversations/2/toggle_status`, { body: { status: 'closed' } })).status).toBe(500);
	});

	test('toggle_priority: empty 200, null clears, "none" is a 500', async () => {
		const res = await call(sim, 'POST', `${A}/conversations/1/toggle_priority`, { body: { priority: 'urgent' } });
		expect(res.status).toBe(200);
		expect(res.text).toBe('');
		expect(sim.conversation(1, 1).priority).toBe('urgent');
		expect((await call(sim, 'POST', `${A}/conversations/1/toggle_priority`, { body: { priority: 'none' } })).status).toBe(500);
		await call(sim, 'POST', `${A}/conversations/1/toggle_priority`, { body: { priority: null }, token: 'bot-token-1' });
		expect(sim.conversation(1, 1).priority).toBeNull();
	});

	test('labels replace the whole list and fire conversation_updated', async () => {
		const res = await call(sim, 'POST', `${A}/conversations/1/labels`, { body: { labels: ['pagamento'] } });
		expect(res.body).toEqual({ payload: ['pagamento'] });
		expect((await call(sim, 'GET', `${A}/conversations/1/labels`)).body).toEqual({ payload: ['pagamento'] });
		await sim.settle();
		expect(received.map((p) => p.event)).toEqual(['conversation_updated']);
	});

	test('assignments: agent, team (raw), nobody (null)', async () => {
		const agent = await call(sim, 'POST', `${A}/conversations/2/assignments`, { body: { assignee_id: 3 } });
		expect(agent.body).toMatchObject({ id: 3, name: 'Carlos Souza', role: 'agent' });
		const team = await call(sim, 'POST', `${A}/conversations/2/assignments`, { body: { team_id: 2 } });
		expect(team.body).toMatchObject({ id: 2, name: 'suporte' });
		expect(team.body.is_member).toBeUndefined();
		const nobody = await call(sim, 'POST', `${A}/conversations/2/assignments`, { body: { assignee_id: null } });
		expect(nobody.text).toBe('null');
		expect(sim.conversation(1, 2)).toMatchObject({ assignee_id: null, team_id: 2 });
	});

	test('custom_attributes replace, typing fires typing events, create gives the next display id', async () => {
		const attrs = await call(sim, 'POST', `${A}/conversations/1/custom_attributes`, { body: { custom_attributes: { a: 1 } } });
		expect(attrs.body).toEqual({ custom_attributes: { a: 1 } });
		await call(sim, 'POST', `${A}/conversations/1/toggle_typing_status`, { body: { typing_status: 'on' } });
		const created = await call(sim, 'POST', `${A}/conversations`, { body: { inbox_id: 1, contact_id: 2, message: { content: 'Oi!' } } });
		// Display ids go on counting after reset(), so stale numbers stay unknown.
		expect(created.body.id).toBe(Math.max(...sim.conversations(1).map((c) => c.id)));
		expect(created.body.id).toBeGreaterThan(4);
		expect(created.body.messages[0]).toMatchObject({ content: 'Oi!', message_type: 1 });
		await sim.settle();
		expect(received.map((p) => p.event)).toEqual(expect.arrayContaining(['conversation_typing_on', 'conversation_created']));
		const refused = await call(sim, 'POST', `${A}/conversations`, { token: 'agent-token-1', body: { inbox_id: SEED.accounts[1].inboxes.api, contact_id: 2 } });
		expect(refused.status).toBe(401);
	});

	test('filter answers {meta, payload} without data or assigned_count', async () => {
		const res = await call(sim, 'POST', `${A}/conversations/filter`, {
			body: { payload: [{ attribute_key: 'labels', filter_operator: 'equal_to', values: ['vip'], query_operator: null }] },
		});
		expect(res.body.meta).toEqual({ mine_count: 0, unassigned_count: 0, all_count: 1 });
		expect(res.body.payload.map((c) => c.id)).toEqual([1]);
		const bad = await call(sim, 'POST', `${A}/conversations/filter`, { body: { payload: [{ attribute_key: 'foo', filter_operator: 'equal_to', values: ['x'] }] } });
		expect(bad.status).toBe(422);
		expect(bad.body.error).toMatch(/^Invalid attribute key - \[foo\]/);
	});
});
