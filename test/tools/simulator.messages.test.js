'use strict';

const { startSimulator } = require('../../tools/simulator/server');
const { call, multipart } = require('./support');

const A = '/api/v1/accounts/1';

describe('simulator messages', () => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator();
	});
	afterAll(() => sim.close());
	beforeEach(async () => {
		await sim.settle();
		sim.reset();
	});

	test('the before cursor walks 20 per page, oldest first, without gaps or duplicates', async () => {
		for (let i = 0; i < 45; i++) sim.addMessage(1, 2, { content: `m${i}` });
		const all = sim.messages(1, 2).map((m) => m.id);
		const seen = [];
		let before = null;
		for (;;) {
			const res = await call(sim, 'GET', `${A}/conversations/2/messages${before ? `?before=${before}` : ''}`);
			expect(Object.keys(res.body)).toEqual(['meta', 'payload']);
			const ids = res.body.payload.map((m) => m.id);
			expect(ids).toEqual([...ids].sort((a, b) => a - b));
			seen.unshift(...ids);
			if (ids.length < 20) break;
			before = ids[0];
		}
		expect(seen).toEqual(all);
	});

	test('send JSON: outgoing partial, message_created delivered; private notes; 422 for incoming outside API inboxes', async () => {
		const res = await call(sim, 'POST', `${A}/conversations/1/messages`, { body: { content: 'Olá!' } });
		expect(Object.keys(res.body)).toEqual(['id', 'content', 'inbox_id', 'conversation_id', 'message_type', 'content_type', 'status', 'content_attributes', 'created_at', 'private', 'source_id', 'sender']);
		expect(res.body).toMatchObject({ message_type: 1, sender: { id: 1, type: 'user' } });
		const note = await call(sim, 'POST', `${A}/conversations/1/messages`, { body: { content: 'nota', private: true }, token: 'agent-token-1' });
		expect(note.body.private).toBe(true);
		const bad = await call(sim, 'POST', `${A}/conversations/1/messages`, { body: { content: 'x', message_type: 'incoming' } });
		expect(bad).toMatchObject({ status: 422, body: { error: 'Incoming messages are only allowed in Api inboxes' } });
		const bot = await call(sim, 'POST', `${A}/conversations/1/messages`, { body: { content: 'bot' }, token: 'bot-token-1' });
		expect(bot.body.sender).toEqual({ id: 1, name: 'Klivo Bot', avatar_url: '', type: 'agent_bot' });
	});

	test('multipart attachments[] are stored byte-identical and listed back with names and sizes', async () => {
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
		const pdf = Buffer.from('%PDF-1.4 test');
		const { raw, headers } = multipart({ content: 'Segue' }, [
			{ name: 'comprovante.png', type: 'image/png', data: png },
			{ name: 'nota.pdf', type: 'application/pdf', data: pdf },
		]);
		const res = await call(sim, 'POST', `${A}/conversations/1/messages`, { raw, headers });
		expect(res.status).toBe(200);
		expect(res.body.attachments.map((a) => [a.file_type, a.extension, a.file_size])).toEqual([['image', 'png', 8], ['file', 'pdf', pdf.length]]);
		const stored = sim.attachments(1, 1);
		expect(stored.map((a) => a.file_name)).toEqual(['comprovante.png', 'nota.pdf']);
		expect(stored[0].data.equals(png)).toBe(true);
		const blob = await call(sim, 'GET', new URL(res.body.attachments[1].data_url).pathname, { token: null });
		expect(blob.bytes.equals(pdf)).toBe(true);
		const plain = multipart({}, [{ field: 'attachments', name: 'a.txt', type: 'text/plain', data: Buffer.from('a') }]);
		expect((await call(sim, 'POST', `${A}/conversations/1/messages`, plain)).status).toBe(422);
	});

	test('a template that is not approved is accepted, then fails', async () => {
		const res = await call(sim, 'POST', `${A}/conversations/1/messages`, {
			body: { content: 'x', template_params: { name: 'black_friday', language: 'pt_BR', processed_params: { body: { 1: 'Maria' } } } },
		});
		expect(res.body.status).toBe('sent');
		expect(sim.message(1, res.body.id).status).toBe('failed');
		const ok = await call(sim, 'POST', `${A}/conversations/1/messages`, { body: { template_params: { name: 'order_confirmation', language: 'pt_BR' } } });
		expect(sim.message(1, ok.body.id).status).toBe('sent');
	});

	test('delete is soft and answers the updated message; bots may not delete', async () => {
		expect((await call(sim, 'DELETE', `${A}/conversations/1/messages/2`, { token: 'bot-token-1' })).status).toBe(401);
		const res = await call(sim, 'DELETE', `${A}/conversations/1/messages/2`);
		expect(res.body).toMatchObject({ id: 2, content: 'This message was deleted', content_attributes: { deleted: true } });
		expect((await call(sim, 'DELETE', `${A}/conversations/2/messages/2`)).status).toBe(404);
	});

	test('customerMessage stores an incoming message and delivers message_created', async () => {
		const { message, deliveries } = await sim.customerMessage(1, 2, 'Alguém aí?');
		expect(message).toMatchObject({ message_type: 'incoming', sender_type: 'Contact', sender_id: 2 });
		expect(deliveries).toEqual([]);
	});
});

describe('simulator CLI resource commands', () => {
	const { main } = require('../../tools/simulator/cli');
	let sim;
	beforeAll(async () => {
		sim = await startSimulator();
	});
	afterAll(() => sim.close());

	test('customer-message stores an incoming message; latency and rate-limit set the limits', async () => {
		const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
		try {
			expect(await main(['customer-message', '2', 'Olá', 'de', 'novo', '--sim', sim.url])).toBe(0);
			expect(await main(['latency', '5', '--sim', sim.url])).toBe(0);
			expect(await main(['rate-limit', '1000', '--search', '100', '--sim', sim.url])).toBe(0);
			expect(await main(['messages', '2', '--sim', sim.url])).toBe(0);
		} finally {
			write.mockRestore();
		}
		expect(sim.messages(1, 2).pop()).toMatchObject({ content: 'Olá de novo', message_type: 'incoming' });
		expect(sim.limits()).toMatchObject({ latencyMs: 5, rateLimit: { perMinute: 1000, contactSearchPerMinute: 100 } });
	});
});
