'use strict';
/**
 * The simulator's chat page in a real browser (Debian's Chromium through playwright-core), e2e tier:
 *
 * 1. Page and simulator alone: the inbox as an agent sees it; a message written as the customer (with
 *    a picture) appears; a reply, a status change and an assignment made through the API appear
 *    without reloading the page.
 * 2. With n8n 2.41.1 and the demo workflows of `npm start` (tools/demo/workflows.js): the auto-reply's
 *    answer appears on the page; then the AI support bot (its OpenAI Chat Model pointed at the scripted
 *    model double, tools/openai-double) hands a conversation over: reply, label, private note, team
 *    and status open all show on the page.
 *
 * CHROMIUM_PATH overrides /usr/bin/chromium (Debian: apt-get install -y chromium).
 */
const fs = require('node:fs');

const { chromium } = require('playwright-core');

const { startSimulator } = require('../../tools/simulator/server.js');
const { startN8n } = require('../../tools/n8n/harness.js');
const { startOpenAiDouble } = require('../../tools/openai-double/server.js');
const { autoReplyWorkflow, aiSupportWorkflow, supportTools } = require('../../tools/demo/workflows.js');
const S = require('./support.js');

jest.setTimeout(300000);

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];
const VERSION = '2.41.1';
// A 1x1 PNG: the customer's picture.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let context;
let userDataDir;

beforeAll(async () => {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
	userDataDir = S.mkTemp('klivo-chat-page-chromium-');
	context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
	if (context) await context.close();
	if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

async function api(sim, method, path, body, token = 'admin-token-1') {
	const response = await fetch(`${sim.url}/api/v1/accounts/1${path}`, {
		method,
		headers: { api_access_token: token, 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
	return response;
}

/** Opens the page on one conversation and marks the window, so a reload would show. */
async function openPage(sim, conversationId) {
	const page = await context.newPage();
	const errors = [];
	page.on('pageerror', (error) => errors.push(error.message));
	page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
	await page.goto(`${sim.url}/#conversation=${conversationId}`);
	await page.locator('#conversation-number').filter({ hasText: `#${conversationId}` }).waitFor({ timeout: 10000 });
	await page.evaluate(() => {
		window.__notReloaded = true;
	});
	return { page, errors, notReloaded: () => page.evaluate(() => window.__notReloaded === true) };
}

async function writeAsCustomer(page, text) {
	await page.locator('#customer-text').fill(text);
	await page.locator('#customer-text').press('Enter');
}

const lastOf = (page, selector) => page.locator(`#messages ${selector}`).last();

describe('the chat page in Chromium, with the simulator alone', () => {
	let sim;
	beforeAll(async () => {
		sim = await startSimulator({ dialect: 'klivo' });
	});
	afterAll(() => sim.close());

	it('shows the inbox as an agent sees it: conversations with status, assignee and labels, and notes', async () => {
		const { page, errors } = await openPage(sim, 4);
		try {
			const first = page.locator('[data-conversation-id="1"]');
			await expectText(first, ['Maria Souza', 'open', 'Ana Lima', 'vendas', 'lead', 'vip']);
			await expectText(page.locator('[data-conversation-id="3"]'), ['Fernanda Costa', 'resolved', 'Carlos Souza', 'suporte']);
			expect(await page.locator('[data-conversation-id]').count()).toBe(4);
			await expect(page.locator('#conversation-status').textContent()).resolves.toBe('pending');
			await expect(lastOf(page, '.message.note').textContent()).resolves.toContain('Verificar com a logística');
			await expect(lastOf(page, '.message.incoming').textContent()).resolves.toContain('Vocês entregam no sábado?');
			await page.locator('[data-conversation-id="1"]').click();
			await page.locator('#contact-name').filter({ hasText: 'Maria Souza' }).waitFor();
			expect(await page.locator('#messages .message.outgoing').count()).toBe(1);
			expect(errors).toEqual([]);
		} finally {
			await page.close();
		}
	});

	it('a message written as the customer appears, then a reply, a status and an assignee made through the API, without reloading', async () => {
		const { page, errors, notReloaded } = await openPage(sim, 2);
		try {
			await writeAsCustomer(page, 'Meu pedido 42 não chegou');
			await lastOf(page, '.message.incoming').filter({ hasText: 'Meu pedido 42 não chegou' }).waitFor({ timeout: 5000 });
			expect(sim.messages(1, 2).at(-1)).toMatchObject({ message_type: 'incoming', content: 'Meu pedido 42 não chegou' });
			await page.locator('#notice').filter({ hasText: 'No webhook is registered' }).waitFor();

			await page.locator('#customer-file').setInputFiles({ name: 'foto.png', mimeType: 'image/png', buffer: PNG });
			await page.locator('#customer-text').fill('Segue a foto');
			await page.locator('#customer-send').click();
			await lastOf(page, '.message.incoming').filter({ hasText: 'Segue a foto' }).locator('img[alt="foto.png"]').waitFor({ timeout: 5000 });
			expect(sim.messages(1, 2).at(-1).attachments[0]).toMatchObject({ file_name: 'foto.png', content_type: 'image/png' });

			await api(sim, 'POST', '/conversations/2/messages', { content: 'Seu pedido sai hoje!' }, 'bot-token-1');
			await lastOf(page, '.message.outgoing').filter({ hasText: 'Seu pedido sai hoje!' }).waitFor({ timeout: 5000 });
			await expect(lastOf(page, '.message.outgoing .who').textContent()).resolves.toBe('Klivo Bot');
			await api(sim, 'POST', '/conversations/2/messages', { content: 'Cliente VIP', private: true });
			await lastOf(page, '.message.note').filter({ hasText: 'Cliente VIP' }).waitFor({ timeout: 5000 });
			await api(sim, 'POST', '/conversations/2/toggle_status', { status: 'resolved' });
			await api(sim, 'POST', '/conversations/2/assignments', { assignee_id: 3 });
			await page.locator('#conversation-status').filter({ hasText: 'resolved' }).waitFor({ timeout: 5000 });
			await page.locator('#conversation-assignee').filter({ hasText: 'Carlos Souza' }).waitFor({ timeout: 5000 });
			await expectText(page.locator('[data-conversation-id="2"]'), ['resolved', 'Carlos Souza', 'Cliente VIP']);

			expect(await notReloaded()).toBe(true);
			expect(errors).toEqual([]);
		} finally {
			await page.close();
		}
	});
});

describe(`the chat page with n8n ${VERSION} and the demo workflows of npm start`, () => {
	let sim;
	let model;
	let n8n;
	let packDir;
	let n8nFolder;
	const ids = {};

	beforeAll(async () => {
		packDir = S.mkTemp('klivo-chat-page-pack-');
		const tarball = S.buildAndPack(packDir);
		sim = await startSimulator({ dialect: 'klivo' });
		model = await startOpenAiDouble();
		n8nFolder = S.mkTemp('klivo-chat-page-n8n-');
		n8n = await startN8n({ version: VERSION, userFolder: n8nFolder, packageTarball: tarball });
		const klivo = await n8n.createCredential({ name: 'Klivo simulator', type: 'klivoApi', data: { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 } });
		const openAi = await n8n.createCredential({ name: 'Scripted model', type: 'openAiApi', data: { apiKey: 'sk-scripted-double', url: model.url, header: false } });
		const credential = { id: klivo.id, name: klivo.name };
		ids.autoReply = (await n8n.api('POST', '/workflows', autoReplyWorkflow({ credential }))).id;
		ids.ai = (await n8n.api('POST', '/workflows', aiSupportWorkflow({ credential, openAiCredential: { id: openAi.id, name: openAi.name } }))).id;
		const activation = await n8n.activateWorkflow(ids.autoReply);
		if (!activation.ok) throw new Error(`activating the auto-reply failed: ${activation.message}`);
	}, 600000);

	afterAll(async () => {
		if (n8n) await n8n.stop();
		if (sim) await sim.close();
		if (model) await model.close();
		for (const dir of [packDir, n8nFolder]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
	}, 120000);

	it("the auto-reply's answer appears under the customer's message", async () => {
		const { page, errors, notReloaded } = await openPage(sim, 2);
		try {
			await writeAsCustomer(page, 'Oi, vocês entregam no sábado?');
			await page.locator('#notice').filter({ hasText: 'Delivered message_created to 1 webhook' }).waitFor({ timeout: 15000 });
			const reply = lastOf(page, '.message.outgoing').filter({ hasText: 'thanks for your message' });
			await reply.waitFor({ timeout: 30000 });
			await expect(reply.textContent()).resolves.toContain('We got: "Oi, vocês entregam no sábado?"');
			// Exactly one reply: the workflow's own message does not start it again.
			await S.sleep(2000);
			expect(sim.messages(1, 2).filter((m) => m.message_type === 'outgoing')).toHaveLength(1);
			expect(await notReloaded()).toBe(true);
			expect(errors).toEqual([]);
		} finally {
			await page.close();
		}
	});

	it('the AI support bot hands a conversation over: reply, label, note, team and status open show on the page', async () => {
		await n8n.deactivateWorkflow(ids.autoReply);
		const activation = await n8n.activateWorkflow(ids.ai);
		if (!activation.ok) throw new Error(`activating the AI support bot failed: ${activation.message}`);
		const tool = Object.fromEntries(supportTools().map((t) => [t.name, t.name.replace(/[^a-zA-Z0-9_-]+/g, '_')]));
		const REPLY = 'Claro! Vou passar você para uma pessoa da equipe de suporte agora.';
		const NOTE = 'Hand-off: customer asks for a person about a late delivery.';
		model.reset();
		model.script([
			{ toolCalls: [{ name: tool['Read history'], arguments: {} }] },
			{
				toolCalls: [
					{ name: tool['Reply to customer'], arguments: { content: REPLY } },
					{ name: tool['Add labels'], arguments: { labels: 'suporte' } },
				],
			},
			{
				toolCalls: [
					{ name: tool['Write private note'], arguments: { content: NOTE } },
					{ name: tool['Assign to team'], arguments: { team: 2 } },
				],
			},
			{ toolCalls: [{ name: tool['Set status'], arguments: { status: 'open' } }] },
			{ text: 'Handed the conversation to suporte.' },
		]);

		// Conversation 4 is pending, unassigned, without labels.
		const { page, errors, notReloaded } = await openPage(sim, 4);
		try {
			await expect(page.locator('#conversation-status').textContent()).resolves.toBe('pending');
			await writeAsCustomer(page, 'Quero falar com uma pessoa, por favor');
			await page.locator('#conversation-status').filter({ hasText: 'open' }).waitFor({ timeout: 60000 });
			await lastOf(page, '.message.note').filter({ hasText: NOTE }).waitFor({ timeout: 10000 });
			await lastOf(page, '.message.outgoing').filter({ hasText: REPLY }).waitFor({ timeout: 10000 });
			await page.locator('#conversation-team').filter({ hasText: 'suporte' }).waitFor({ timeout: 10000 });
			await page.locator('#conversation-labels .label').filter({ hasText: 'suporte' }).waitFor({ timeout: 10000 });
			expect(sim.conversation(1, 4)).toMatchObject({ status: 'open', team_id: 2, labels: ['suporte'] });
			expect(sim.messages(1, 4).filter((m) => m.message_type === 'outgoing' && !m.private).map((m) => m.content)).toEqual([REPLY]);
			expect(await notReloaded()).toBe(true);
			expect(errors).toEqual([]);
		} finally {
			await page.close();
		}
	});
});

/** Waits until the locator's text holds every part (the page redraws each second). */
async function expectText(locator, parts) {
	await locator.waitFor({ timeout: 10000 });
	const deadline = Date.now() + 10000;
	let text = '';
	while (Date.now() < deadline) {
		text = (await locator.textContent()) || '';
		if (parts.every((p) => text.includes(p))) return;
		await S.sleep(200);
	}
	throw new Error(`expected ${JSON.stringify(parts)} in ${JSON.stringify(text)}`);
}
