'use strict';
/**
 * End-to-end: the Conversation, Message and Contact operations of the packed n8n-nodes-klivo inside a
 * REAL running n8n (the versions of test/e2e/support.js, `S.versions()`), against the Klivo simulator
 * (issues 12 and 13, "Proven"):
 * - a published workflow "Klivo Trigger (incoming messages) → Klivo Send" answers one customer
 *   message with exactly one reply, and its own reply (an outgoing message_created) starts nothing;
 * - a workflow that upserts a list of 50 contacts, run twice, leaves exactly 50 contacts;
 * - a workflow that tags a conversation's contact keeps the contact's earlier labels.
 *
 * CI time matters: the package is packed once per run and n8n starts once per version; every
 * workflow is created in that one instance. The block's time per version is logged on stderr.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startSimulator } = require('../../tools/simulator/server.js');
const { startN8n, waitFor } = require('../../tools/n8n/harness.js');
const S = require('./support.js');

jest.setTimeout(240000);

const VERSIONS = S.versions();
// Time for a delivery that n8n would wrongly turn into an execution to show up in the execution list.
const SETTLE_MS = 2500;

let packDir;
let tarball;

beforeAll(() => {
	const t0 = Date.now();
	packDir = S.mkTemp('klivo-e2e-actions-pack-');
	tarball = S.buildAndPack(packDir);
	S.log(`actions: built and packed ${path.basename(tarball)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 300000);

afterAll(() => {
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

const rlId = (value) => ({ __rl: true, mode: 'id', value });

function node(name, type, position, parameters, extra = {}) {
	return { id: S.uuid(), name, type, typeVersion: 1, position: [position * 260, 0], parameters, ...extra };
}

/** A linear workflow: nodes connected in the given order. */
function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** Webhook (POST /webhook/<path>, answers with all items of the last node). */
function webhookNode(hookPath) {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		0,
		{ httpMethod: 'POST', path: hookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		{ typeVersion: 2, webhookId: S.uuid() },
	);
}

describe.each(VERSIONS)('n8n %s', (version) => {
	let n8n;
	let sim;
	let cred;
	let userFolder;
	let startedAt;
	const active = [];

	const klivo = (name, position, parameters) => ({
		...node(name, S.ACTION_TYPE, position, parameters),
		credentials: { klivoApi: { id: String(cred.id), name: cred.name } },
	});

	async function publish(workflow) {
		const wf = await n8n.api('POST', '/workflows', workflow);
		const r = await n8n.activateWorkflow(wf.id);
		expect(r).toMatchObject({ ok: true });
		active.push(wf.id);
		return wf.id;
	}

	/** POSTs to an action workflow's webhook, waiting until n8n serves it. */
	async function call(hookPath, body) {
		return waitFor(
			async () => {
				const r = await S.postJson(n8n.webhook(hookPath), body);
				return r.status !== 404 ? r : false;
			},
			{ timeoutMs: 30000, message: `webhook ${hookPath} live` },
		);
	}

	beforeAll(async () => {
		startedAt = Date.now();
		sim = await startSimulator({ dialect: 'klivo' });
		userFolder = S.mkTemp(`klivo-e2e-actions-${version}-`);
		const t0 = Date.now();
		n8n = await startN8n({ version, userFolder, packageTarball: tarball });
		S.log(`actions: n8n ${version} up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		cred = await n8n.createCredential({
			name: 'Klivo',
			type: 'klivoApi',
			data: { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 },
		});
	}, 300000);

	afterAll(async () => {
		if (n8n) {
			for (const id of active) await n8n.deactivateWorkflow(id).catch(() => {});
			const lines = n8n
				.logs()
				.split('\n')
				.filter((l) => /klivo/i.test(l) && /warn|error|refused|could not/i.test(l));
			if (lines.length) S.log(`actions: n8n ${version} logged about Klivo:\n  ${[...new Set(lines)].slice(0, 15).join('\n  ')}`);
			await n8n.stop();
		}
		if (sim) await sim.close();
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
		S.log(`actions: n8n ${version}: whole block took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
	}, 120000);

	test('Klivo Trigger (incoming messages) → Klivo Send answers one customer message with exactly one reply, and its own reply starts nothing', async () => {
		const webhookId = S.uuid();
		const trigger = {
			...node('Klivo Trigger', S.TRIGGER_TYPE, 0, { events: ['message_created'], options: {} }, { typeVersion: 1.1, webhookId }),
			credentials: { klivoApi: { id: String(cred.id), name: cred.name } },
		};
		const send = klivo('Klivo Send', 1, {
			resource: 'message',
			operation: 'send',
			conversationId: rlId('={{ $json.klivo.conversationId }}'),
			content: '=Thanks! We got: {{ $json.klivo.messageText }}',
			options: {},
		});
		const wfId = await publish(chain('Klivo auto-reply', [trigger, send]));
		expect(sim.webhooks(1)).toHaveLength(1);
		expect(sim.webhooks(1)[0].subscriptions).toEqual(['message_created']);

		const conversation = 2; // João, web chat (seed)
		const before = sim.messages(1, conversation).length;
		sim.clearDeliveries();
		const { deliveries } = await sim.customerMessage(1, conversation, 'Do you deliver on Sundays?');
		expect(deliveries).toEqual([expect.objectContaining({ event: 'message_created', ok: true })]);

		const list = await S.waitForExecutions(n8n, wfId, 1);
		expect(S.executionError(list[0])).toBeUndefined();
		// n8n 1.85's public API may leave `status` out; `finished` says the same there
		expect(list[0].status === 'success' || (list[0].status === undefined && list[0].finished === true)).toBe(true);
		expect(S.nodeOutput(list[0], 'Klivo Send')).toEqual([
			expect.objectContaining({ content: 'Thanks! We got: Do you deliver on Sundays?', message_type: 'outgoing', conversation_id: conversation }),
		]);
		// Send's own message comes back as an outgoing message_created: wait until n8n answered it, and longer
		await waitFor(async () => sim.deliveries.length >= 2, { timeoutMs: 30000, message: "the reply's delivery" });
		await sim.settle();
		await S.sleep(SETTLE_MS);

		const echoes = sim.deliveries.filter((d) => d.action !== 'customer-message');
		expect(echoes).toEqual([expect.objectContaining({ event: 'message_created', ok: true })]);
		expect(await S.executions(n8n, wfId)).toHaveLength(1);
		const added = sim.messages(1, conversation).slice(before);
		expect(added.map((m) => [m.message_type, m.content])).toEqual([
			['incoming', 'Do you deliver on Sundays?'],
			['outgoing', 'Thanks! We got: Do you deliver on Sundays?'],
		]);
		expect(sim.deliveries).toHaveLength(2);
	});

	test('a workflow that upserts a list of 50 contacts, run twice, leaves exactly 50 contacts (updated the second time)', async () => {
		const hookPath = `klivo-actions-upsert-${version}`;
		const splitOut = node('Split Out', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.contacts', options: {} });
		const upsert = klivo('Klivo', 2, {
			resource: 'contact',
			operation: 'upsert',
			name: '={{ $json.name }}',
			additionalFields: { email: '={{ $json.email }}', phoneNumber: '={{ $json.phone }}' },
		});
		await publish(chain('Klivo contact sync', [webhookNode(hookPath), splitOut, upsert]));

		const seeded = sim.contacts(1).length;
		const people = (suffix) =>
			Array.from({ length: 50 }, (_, i) => ({
				name: `Sync Person ${i + 1}${suffix}`,
				email: `sync.person${i + 1}@example.com`,
				phone: `+5511955${String(i + 1).padStart(6, '0')}`,
			}));
		const ours = () => sim.contacts(1).filter((c) => /^sync\.person\d+@example\.com$/.test(c.email || ''));

		const first = await call(hookPath, { contacts: people('') });
		expect(first.status).toBe(200);
		expect(first.json).toHaveLength(50);
		expect(first.json.map((c) => c.action)).toEqual(Array(50).fill('created'));
		expect(ours()).toHaveLength(50);

		const second = await call(hookPath, { contacts: people(' (updated)') });
		expect(second.status).toBe(200);
		expect(second.json).toHaveLength(50);
		expect(second.json.map((c) => c.action)).toEqual(Array(50).fill('updated'));
		expect(second.json.map((c) => c.id)).toEqual(first.json.map((c) => c.id));

		expect(sim.contacts(1)).toHaveLength(seeded + 50);
		const stored = ours().sort((a, b) => a.id - b.id);
		expect(stored).toHaveLength(50);
		expect(new Set(stored.map((c) => c.phone_number)).size).toBe(50);
		for (const c of stored) expect(c.name).toMatch(/^Sync Person \d+ \(updated\)$/);
	});

	test("a workflow that tags a conversation's contact keeps the contact's earlier labels", async () => {
		const contact = sim.addContact(1, { name: 'Paula Reis', email: 'paula.reis@example.com', labels: ['lead', 'cliente-antigo'] });
		const conversation = sim.addConversation(1, { inbox_id: 1, contact_id: contact.id, labels: ['suporte'] });
		const hookPath = `klivo-actions-tag-${version}`;
		const get = klivo('Get Conversation', 1, {
			resource: 'conversation',
			operation: 'get',
			conversationId: rlId('={{ $json.body.conversationId }}'),
		});
		const tag = klivo('Tag Contact', 2, {
			resource: 'contact',
			operation: 'addLabels',
			contactId: rlId('={{ $json.meta.sender.id }}'),
			labels: '={{ $("Webhook").first().json.body.labels }}',
			createMissing: true,
		});
		await publish(chain('Klivo tag the customer', [webhookNode(hookPath), get, tag]));

		const first = await call(hookPath, { conversationId: conversation.id, labels: ['vip'] });
		expect(first.status).toBe(200);
		expect(first.json).toEqual([expect.objectContaining({ contactId: contact.id, added: ['vip'] })]);
		expect(sim.contact(1, contact.id).labels.sort()).toEqual(['cliente-antigo', 'lead', 'vip']);

		const second = await call(hookPath, { conversationId: conversation.id, labels: ['pagamento', 'Novo-Cliente', 'vip'] });
		expect(second.status).toBe(200);
		expect(second.json).toEqual([
			expect.objectContaining({ contactId: contact.id, added: ['pagamento', 'novo-cliente'], createdAccountLabels: ['novo-cliente'] }),
		]);
		expect(sim.contact(1, contact.id).labels.sort()).toEqual(['cliente-antigo', 'lead', 'novo-cliente', 'pagamento', 'vip']);
		expect(sim.labels(1).map((l) => l.title)).toContain('novo-cliente');
		// the conversation's own labels are another list, left alone
		expect(sim.conversation(1, conversation.id).labels).toEqual(['suporte']);
	});
});
