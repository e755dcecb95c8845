'use strict';

const { startSimulator } = require('../../tools/simulator/server');
const { call } = require('./support');

const A = '/api/v1/accounts/1';

describe('simulator labels, inboxes, agents, teams, latency and rate limits', () => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator();
	});
	afterAll(() => sim.close());
	beforeEach(() => {
		sim.reset();
		sim.setLatency(0);
		sim.setRateLimit(null);
	});

	test('labels: ordered by title, admin-only writes, title rules', async () => {
		const list = await call(sim, 'GET', `${A}/labels`, { token: 'agent-token-1' });
		expect(list.body.payload.map((l) => l.title)).toEqual(['lead', 'pagamento', 'suporte', 'vip']);
		expect((await call(sim, 'POST', `${A}/labels`, { token: 'agent-token-1', body: { title: 'x1' } })).status).toBe(401);
		const created = await call(sim, 'POST', `${A}/labels`, { body: { title: 'Lead_Quente' } });
		expect(created.body).toMatchObject({ title: 'lead_quente', color: '#1f93ff' });
		expect((await call(sim, 'POST', `${A}/labels`, { body: { title: 'com espaço' } })).body).toEqual({ message: 'Title is invalid', attributes: ['title'] });
		expect((await call(sim, 'POST', `${A}/labels`, { body: { label: { title: 'vip' } } })).body).toEqual({ message: 'Title has already been taken', attributes: ['title'] });
		expect((await call(sim, 'POST', `${A}/labels`, { body: { title: '' } })).body.message).toBe('Title must not be blank, Title is invalid');
		const id = created.body.id;
		expect((await call(sim, 'PATCH', `${A}/labels/${id}`, { body: { color: '#000' } })).body.color).toBe('#000');
		expect((await call(sim, 'DELETE', `${A}/labels/${id}`)).text).toBe('');
		expect((await call(sim, 'GET', `${A}/labels/${id}`)).status).toBe(404);
	});

	test('inboxes: agents see their own without secrets; WhatsApp lists its templates', async () => {
		const admin = await call(sim, 'GET', `${A}/inboxes`);
		expect(admin.body.payload.map((i) => i.name)).toEqual(['Klivo API', 'Site Klivo', 'WhatsApp Vendas']);
		const wa = admin.body.payload.find((i) => i.channel_type === 'Channel::Whatsapp');
		expect(wa.message_templates.map((t) => `${t.name}:${t.status}`)).toContain('black_friday:REJECTED');
		expect(wa.provider_config).toBeDefined();
		const agent = await call(sim, 'GET', `${A}/inboxes`, { token: 'agent-token-1' });
		expect(agent.body.payload.map((i) => i.id).sort()).toEqual([1, 2]);
		expect(agent.body.payload.find((i) => i.id === 2).provider_config).toBeUndefined();
		expect((await call(sim, 'GET', `${A}/inboxes/3`, { token: 'agent-token-1' })).status).toBe(401);
	});

	test('agents and teams are bare arrays', async () => {
		const agents = await call(sim, 'GET', `${A}/agents`, { token: 'agent-token-1' });
		expect(agents.body.map((a) => a.name)).toEqual(['Ana Lima', 'Bruno Admin', 'Carlos Souza']);
		const teams = await call(sim, 'GET', `${A}/teams`, { token: 'agent-token-1' });
		expect(teams.body.map((t) => [t.name, t.is_member])).toEqual([['vendas', true], ['suporte', false]]);
	});

	test('the rate limiter answers 429 "Retry later" without Retry-After in fixed windows', async () => {
		let now = 120000;
		const limited = await startSimulator({ rateLimit: { perMinute: 2 }, now: () => now });
		try {
			expect((await call(limited, 'GET', `${A}/labels`)).status).toBe(200);
			expect((await call(limited, 'GET', `${A}/labels`)).status).toBe(200);
			const third = await call(limited, 'GET', `${A}/labels`);
			expect(third.status).toBe(429);
			expect(third.text.trim()).toBe('Retry later');
			expect(third.headers['retry-after']).toBeUndefined();
			now += 60000;
			expect((await call(limited, 'GET', `${A}/labels`)).status).toBe(200);
		} finally {
			await limited.close();
		}
	});

	test('latency delays each API request; the control API sets both', async () => {
		const set = await call(sim, 'POST', '/_sim/latency', { body: { ms: 60 } });
		expect(set.body).toEqual({ latencyMs: 60 });
		const started = Date.now();
		await call(sim, 'GET', `${A}/labels`);
		expect(Date.now() - started).toBeGreaterThanOrEqual(55);
		const limit = await call(sim, 'POST', '/_sim/rate-limit', { body: { contactSearchPerMinute: 1 } });
		expect(limit.body.rateLimit).toEqual({ windowMs: 60000, contactSearchPerMinute: 1 });
		expect((await call(sim, 'GET', `${A}/contacts/search?q=a`)).status).toBe(200);
		expect((await call(sim, 'GET', `${A}/contacts/search?q=a`)).status).toBe(429);
		expect((await call(sim, 'GET', `${A}/contacts`)).status).toBe(200);
	});
});
