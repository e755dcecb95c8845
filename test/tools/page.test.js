'use strict';

/**
 * The simulator's chat page over HTTP: its files at the root URL (own files only, no CDN), the JSON
 * view it polls, and the customer box's route, which stores an incoming message and delivers
 * message_created to a registered webhook. The page in a real browser: test/e2e/chat-page.e2e.test.js.
 */

const http = require('node:http');

const { startSimulator } = require('../../tools/simulator/server.js');
const { call } = require('./support');

/** A webhook receiver on loopback that records each delivery's parsed body. */
async function receiver() {
	const bodies = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
			res.end('ok');
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${server.address().port}/webhook/klivo`, bodies, close: () => new Promise((r) => server.close(r)) };
}

describe('Simulator chat page', () => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	it('serves the page at the root URL, with its script and style, from its own files only', async () => {
		const page = await call(sim, 'GET', '/', { token: null });
		expect(page.status).toBe(200);
		expect(page.headers['content-type']).toMatch(/^text\/html/);
		expect(page.text).toContain('<script src="/page/app.js"></script>');
		expect(page.text).toContain('href="/page/style.css"');
		expect(page.text).toContain('id="customer-text"');
		expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
		// Offline: no address outside the simulator in any of its files.
		for (const path of ['/', '/page/app.js', '/page/style.css']) {
			const file = await call(sim, 'GET', path, { token: null });
			expect(file.status).toBe(200);
			expect(file.text).not.toMatch(/https?:\/\//);
		}
		expect((await call(sim, 'GET', '/page/app.js', { token: null })).headers['content-type']).toMatch(/^text\/javascript/);
		expect((await call(sim, 'GET', '/page/style.css', { token: null })).headers['content-type']).toMatch(/^text\/css/);
	});

	it('leaves the API as it was: other paths are not the page', async () => {
		expect((await call(sim, 'GET', '/page/../lib/http.js', { token: null })).status).toBe(404);
		expect((await call(sim, 'GET', '/page/nothing.js', { token: null })).status).toBe(404);
		expect((await call(sim, 'POST', '/', { token: null })).status).toBe(404);
		expect((await call(sim, 'GET', '/api/v1/accounts/1/conversations')).status).toBe(200);
	});

	it('gives the page its inbox view: conversations with status, assignee, team and labels, and one chat', async () => {
		const view = (await call(sim, 'GET', '/_sim/accounts/1/inbox?conversation=4', { token: null })).body;
		expect(view.conversations.map((c) => c.id)).toEqual([1, 2, 4, 3]);
		expect(view.conversations[0]).toMatchObject({
			id: 1,
			status: 'open',
			labels: ['lead', 'vip'],
			contact: { name: 'Maria Souza' },
			inbox: { name: 'WhatsApp Vendas' },
			assignee: { type: 'agent', name: 'Ana Lima' },
			team: 'vendas',
		});
		expect(view.selected.id).toBe(4);
		expect(view.selected.messages.map((m) => [m.kind, m.content, m.sender.name])).toEqual([
			['incoming', 'Vocês entregam no sábado?', 'misty-forest-208'],
			['note', 'Verificar com a logística', 'Bruno Admin'],
		]);
		// Without a choice, the conversation with the latest activity.
		expect((await call(sim, 'GET', '/_sim/accounts/1/inbox', { token: null })).body.selected.id).toBe(1);
		expect(JSON.stringify(view)).not.toMatch(/token/);
	});

	it('shows a reply sent through the API and an agent bot as assignee', async () => {
		await call(sim, 'POST', '/api/v1/accounts/1/conversations/2/messages', { token: 'bot-token-1', body: { content: 'Olá! Sou o bot.' } });
		await call(sim, 'POST', '/api/v1/accounts/1/conversations/2/assignments', { body: { assignee_id: 1, assignee_type: 'AgentBot' } });
		const view = (await call(sim, 'GET', '/_sim/accounts/1/inbox?conversation=2', { token: null })).body;
		expect(view.selected.messages.at(-1)).toMatchObject({ kind: 'outgoing', content: 'Olá! Sou o bot.', sender: { type: 'bot', name: 'Klivo Bot' } });
		expect(view.conversations[0]).toMatchObject({ id: 2, last_message: { kind: 'outgoing', content: 'Olá! Sou o bot.' } });
	});

	it("the customer box's route stores an incoming message with a file and delivers message_created", async () => {
		const hook = await receiver();
		try {
			sim.addWebhookDirect(1, { url: `${hook.url}?klivo_token=s3cr3t-in-query`, subscriptions: ['message_created'] });
			const answer = await call(sim, 'POST', '/_sim/accounts/1/conversations/2/customer-message', {
				token: null,
				body: { content: 'Quero falar com uma pessoa', attachments: [{ file_name: 'pedido.txt', content_type: 'text/plain', data_base64: Buffer.from('pedido 42').toString('base64') }] },
			});
			expect(answer.status).toBe(200);
			expect(answer.body.deliveries).toEqual([expect.objectContaining({ ok: true, status: 200, event: 'message_created' })]);
			expect(hook.bodies).toHaveLength(1);
			expect(hook.bodies[0]).toMatchObject({ event: 'message_created', content: 'Quero falar com uma pessoa', message_type: 'incoming' });
			expect(JSON.stringify(hook.bodies[0])).toContain('pedido.txt');

			const view = (await call(sim, 'GET', '/_sim/accounts/1/inbox?conversation=2', { token: null })).body;
			const last = view.selected.messages.at(-1);
			expect(last).toMatchObject({ kind: 'incoming', content: 'Quero falar com uma pessoa', sender: { type: 'contact', name: 'João Pereira' } });
			const file = await call(sim, 'GET', last.attachments[0].url, { token: null });
			expect(file.text).toBe('pedido 42');
			expect(view.webhooks).toEqual([expect.objectContaining({ url: hook.url, disabled: false })]);
			expect(JSON.stringify(view)).not.toContain('s3cr3t-in-query');
		} finally {
			await hook.close();
		}
	});

	it('answers 404 for an unknown conversation in the customer box', async () => {
		const answer = await call(sim, 'POST', '/_sim/accounts/1/conversations/999/customer-message', { token: null, body: { content: 'x' } });
		expect(answer.status).toBe(404);
	});
});
