'use strict';

const { startSimulator } = require('../../tools/simulator/server');
const { call } = require('./support');

const A = '/api/v1/accounts/1';

describe('simulator contacts', () => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator({ demoData: false });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	test('list: 15 per page, meta.count total, current_page echoes the query; name-only contacts not listed', async () => {
		sim.addContacts(1, 40);
		sim.addContact(1, { name: 'só nome' });
		const first = await call(sim, 'GET', `${A}/contacts`);
		expect(first.body.meta).toEqual({ count: 40, current_page: 1 });
		expect(first.body.payload).toHaveLength(15);
		const third = await call(sim, 'GET', `${A}/contacts?page=3`);
		expect(third.body.meta).toEqual({ count: 40, current_page: '3' });
		expect(third.body.payload).toHaveLength(10);
	});

	test('search pages by has_more, count is the page size; blank q answers nulls', async () => {
		sim.addContacts(1, 20, (i) => ({ name: `Ana ${i}`, email: `ana${i}@x.example` }));
		const p1 = await call(sim, 'GET', `${A}/contacts/search?q=ana&page=1`);
		expect(p1.body.meta).toEqual({ count: 15, current_page: '1', has_more: true });
		const p2 = await call(sim, 'GET', `${A}/contacts/search?q=ana&page=2`);
		expect(p2.body.meta).toEqual({ count: 5, current_page: '2', has_more: false });
		expect((await call(sim, 'GET', `${A}/contacts/search`)).body).toEqual({ meta: { count: null, current_page: 1, has_more: null }, payload: [] });
	});

	test('create envelope, duplicate 422s, update merges attributes, delete is admin-only', async () => {
		const res = await call(sim, 'POST', `${A}/contacts`, { body: { name: 'Maria', email: 'Maria@X.example', phone_number: '+5511987654321', inbox_id: 2, custom_attributes: { a: 1 } } });
		expect(res.body.payload.contact_inbox.source_id).toBe('5511987654321');
		expect(res.body.payload.contact).toMatchObject({ email: 'maria@x.example' });
		expect(res.body.payload.contact.last_activity_at).toBeUndefined();
		const dup = await call(sim, 'POST', `${A}/contacts`, { token: 'agent-token-1', body: { email: 'maria@x.example', phone_number: '+5511987654321' } });
		expect(dup).toMatchObject({ status: 422, body: { message: 'Email has already been taken, Phone number has already been taken', attributes: ['email', 'phone_number'] } });
		expect((await call(sim, 'POST', `${A}/contacts`, { body: { phone_number: '11 98765' } })).body).toEqual({ message: 'Phone number should be in e164 format', attributes: ['phone_number'] });
		const id = res.body.payload.contact.id;
		const updated = await call(sim, 'PUT', `${A}/contacts/${id}`, { body: { custom_attributes: { b: 2 } } });
		expect(updated.body.payload.custom_attributes).toEqual({ a: 1, b: 2 });
		expect((await call(sim, 'DELETE', `${A}/contacts/${id}`, { token: 'agent-token-1' })).status).toBe(401);
		expect((await call(sim, 'DELETE', `${A}/contacts/${id}`)).text).toBe('');
		expect((await call(sim, 'GET', `${A}/contacts/${id}`)).status).toBe(404);
		expect((await call(sim, 'GET', `${A}/contacts`, { token: 'bot-token-1' })).status).toBe(401);
	});

	test('filter, labels, contact inboxes and contactable inboxes', async () => {
		const c = sim.addContact(1, { name: 'Rui', email: 'rui@crm.example', identifier: 'crm-9' });
		const filtered = await call(sim, 'POST', `${A}/contacts/filter`, { body: { payload: [{ attribute_key: 'identifier', filter_operator: 'equal_to', values: ['CRM-9'], query_operator: null }] } });
		expect(filtered.body.meta).toEqual({ count: 1, current_page: 1 });
		expect((await call(sim, 'POST', `${A}/contacts/${c.id}/labels`, { body: { labels: ['vip'] } })).body).toEqual({ payload: ['vip'] });
		const link = await call(sim, 'POST', `${A}/contacts/${c.id}/contact_inboxes`, { body: { inbox_id: 3 } });
		expect(link.body.inbox).toMatchObject({ id: 3, channel_type: 'Channel::Api' });
		expect((await call(sim, 'POST', `${A}/contacts/${c.id}/contact_inboxes`, { token: 'agent-token-1', body: { inbox_id: 3 } })).status).toBe(401);
		const contactable = await call(sim, 'GET', `${A}/contacts/${c.id}/contactable_inboxes`);
		expect(contactable.body.payload.map((p) => p.inbox.id)).toEqual([3]);
		sim.addConversation(1, { inbox_id: 1, contact_id: c.id });
		expect((await call(sim, 'GET', `${A}/contacts/${c.id}/conversations`)).body.payload).toHaveLength(1);
	});
});
