'use strict';
/**
 * API cost of each operation: how many requests one call of each Klivo action operation makes to Klivo,
 * counted by the simulator (which logs every API request it serves), and how long Contact > Get Many
 * with Return All takes for 1,000 contacts.
 *
 * The BUILT node (dist/) runs inside n8n-core's real ExecuteContext, built the way test/helpers/n8n.ts
 * builds it (credential authentication through the credential type's `authenticate`, parameters
 * resolved by n8n), against the simulator with its demo data on 127.0.0.1. Every operation runs on one
 * input item; the request log is cleared before it and read after it. A run that fails is reported
 * with its error instead of a count, so a broken operation shows rather than counting 0.
 *
 *   node bench/api-cost.js [--dist path/to/dist] [--contacts 1000] [--reps 5] [--latency 50]
 *
 * Without --dist it builds the package in a temporary copy (the repository's dist/ is never touched).
 * `npm run bench` runs it as part 5 (about 10 seconds), on the dist it built for the other parts.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const L = require('./lib.js');
const { startSimulator } = require('../tools/simulator/server.js');

const ADMIN = 'admin-token-1';
const ACCOUNT = 1;

// ---- n8n-core's ExecuteContext around the built Klivo node (as test/helpers/n8n.ts) ---------------------

function loadNode(dist) {
	const { Klivo } = require(path.join(dist, 'nodes', 'Klivo', 'Klivo.node.js'));
	const { KlivoApi } = require(path.join(dist, 'credentials', 'KlivoApi.credentials.js'));
	return { node: new Klivo(), credential: new KlivoApi() };
}

const runOperation = (loaded, credentials, parameters, items) => L.runKlivoNode(loaded, credentials, parameters, items, 'Bench: API cost');

// ---- the operations ------------------------------------------------------------------------------

const rl = (value, mode = 'id') => ({ __rl: true, mode, value: String(value) });

/**
 * One row per case: the parameters of one call, what to seed first, and the cost the issue states.
 * `expect` is the count a correct node makes (a function of the seeded data for pages), so the table
 * says whether the measured count matches it.
 */
function cases(sim) {
	const conversations = 60; // → with the 4 seeded: 64, i.e. 3 pages of 25
	const messages = 50; // in conversation #2 (1 seeded): 51, cursor pages of 20
	const contacts = 40; // with the 3 listed seeds: 43, i.e. 3 pages of 15
	const list = [];
	const add = (resource, operation, label, parameters, expected, extra = {}) => list.push({ resource, operation, label, parameters: { resource, operation, ...parameters }, expected, ...extra });
	
	// Conversation
	add('conversation', 'get', 'Get', { conversationId: rl(1) }, '1');
	add('conversation', 'getAll', `Get Many, Limit 50 (${conversations + 4} conversations)`, { returnAll: false, limit: 50, filters: {} }, '2 = 50/25', {
		setup: () => sim.addConversations(ACCOUNT, conversations, (i) => ({ inbox_id: 1, contact_id: 2, status: i % 2 ? 'open' : 'resolved' })),
	});
	add('conversation', 'getAll', `Get Many, Return All (${conversations + 4} conversations)`, { returnAll: true, filters: {} }, `${Math.ceil((conversations + 4) / 25)} = n/25 pages`);
	add('conversation', 'create', 'Start, with a first message', { contactId: rl(2), inboxId: rl(1), firstMessage: 'text', message: 'Olá! Podemos ajudar?', additionalFields: {} }, '1');
	add('conversation', 'create', 'Start, with a WhatsApp template', { contactId: rl(1), inboxId: rl(2), firstMessage: 'template', template: 'order_confirmation|pt_BR', templateParameters: '["Maria", "#1287"]', templateOptions: {}, additionalFields: {} }, '2 (inbox templates, create)');
	add('conversation', 'setStatus', 'Set Status (resolved)', { conversationId: rl(2), status: 'resolved' }, '1');
	add('conversation', 'setStatus', 'Set Status (snoozed until a time)', { conversationId: rl(2), status: 'snoozed', snoozedUntil: '2030-01-01T08:00:00Z' }, '1');
	add('conversation', 'assign', 'Assign (agent)', { conversationId: rl(2), assignTo: 'agent', agentId: rl(2) }, '1');
	add('conversation', 'assign', 'Assign (team)', { conversationId: rl(2), assignTo: 'team', teamId: rl(1) }, '1');
	add('conversation', 'assign', 'Assign (nobody)', { conversationId: rl(2), assignTo: 'nobody' }, '1');
	add('conversation', 'addLabels', 'Add Labels', { conversationId: rl(1), labels: ['suporte'] }, '2 (read, write)');
	add('conversation', 'addLabels', 'Add Labels, all already there', { conversationId: rl(1), labels: ['vip'] }, '1 (read only)');
	add('conversation', 'addLabels', 'Add Labels, Create Missing Labels (1 new)', { conversationId: rl(1), labels: ['promo-natal'], createMissing: true }, '4 (labels, create label, read, write)');
	add('conversation', 'removeLabels', 'Remove Labels', { conversationId: rl(1), labels: ['suporte'] }, '2 (read, write)');
	add('conversation', 'setCustomAttributes', 'Set Custom Attributes (merge)', { conversationId: rl(1), attributesInput: 'pairs', customAttributes: { attribute: [{ key: 'order_id', value: 'A-1029' }] }, options: {} }, '2 (read, write)');
	add('conversation', 'setCustomAttributes', 'Set Custom Attributes (Replace All)', { conversationId: rl(1), attributesInput: 'json', customAttributesJson: '{"order_id":"A-1030"}', options: { replace: true } }, '1');
	add('conversation', 'setPriority', 'Set Priority (high)', { conversationId: rl(1), priority: 'high' }, '1');
	add('conversation', 'setPriority', 'Set Priority (none → null)', { conversationId: rl(1), priority: 'none' }, '1');
	add('conversation', 'setTyping', 'Set Typing (on)', { conversationId: rl(1), typing: 'on' }, '1');

	// Message
	add('message', 'send', 'Send (text)', { conversationId: rl(2), content: 'Oi! Já vamos ver o seu pedido.', options: {} }, '1');
	add('message', 'send', 'Send (text + 2 files)', { conversationId: rl(2), content: 'Segue a fatura.', options: { attachments: 'invoice, photo' } }, '1 (one multipart request)', {
		items: [
			{
				json: {},
				binary: {
					invoice: { data: Buffer.from('%PDF-1.4 fatura 4471\n').toString('base64'), fileName: 'fatura.pdf', mimeType: 'application/pdf' },
					photo: { data: Buffer.alloc(2048, 7).toString('base64'), fileName: 'foto.png', mimeType: 'image/png' },
				},
			},
		],
	});
	add('message', 'sendTemplate', 'Send WhatsApp Template', { conversationId: rl(1), template: rl('order_confirmation|pt_BR', 'list'), parameters: '["Maria", "#1287"]', options: {} }, '3 (conversation, inbox templates, send)');
	add('message', 'addNote', 'Add Private Note', { conversationId: rl(2), content: 'Cliente quer falar com uma pessoa: pedido 4471.', options: {} }, '1');
	add('message', 'getAll', 'Get Many, Limit 20', { conversationId: rl(2), returnAll: false, limit: 20, options: {} }, '1');
	add('message', 'getAll', `Get Many, Return All (${messages + 1}+ messages)`, { conversationId: rl(2), returnAll: true, options: {} }, 'n/20 pages (before cursor)', {
		setup: () => {
			for (let i = 0; i < messages; i++) sim.addMessage(ACCOUNT, 2, { content: `mensagem ${i}`, message_type: i % 2 ? 'outgoing' : 'incoming' });
		},
	});
	add('message', 'delete', 'Delete', { conversationId: rl(2), messageId: () => String(sim.messages(ACCOUNT, 2).filter((m) => m.message_type !== 'activity').pop().id) }, '1');

	// Contact
	add('contact', 'get', 'Get', { contactId: rl(1) }, '1');
	add('contact', 'getAll', `Get Many, Limit 50 (${contacts + 3} contacts)`, { returnAll: false, limit: 50, options: {} }, '3 = 43/15 pages (43 < 50)', {
		setup: () => sim.addContacts(ACCOUNT, contacts, (i) => ({ name: `Bench ${i}`, email: `bench${i}@example.com` })),
	});
	add('contact', 'getAll', `Get Many, Return All (${contacts + 3} contacts)`, { returnAll: true, options: {} }, `${Math.ceil((contacts + 3) / 15)} = n/15 pages (meta.count)`);
	add('contact', 'search', 'Search, Return All ("bench", 40 matches)', { query: 'bench', returnAll: true }, '3 (15 a page, has_more)');
	add('contact', 'create', 'Create', { name: 'Paula Nunes', additionalFields: { email: 'paula@example.com', phoneNumber: '+55 (011) 97777-1234' } }, '1');
	add('contact', 'create', 'Create, e-mail already taken (fails)', { name: 'Maria de novo', additionalFields: { email: 'maria.souza@example.com' } }, '2 (422, look-up that names the contact)', { fails: true });
	add('contact', 'update', 'Update (name + custom attribute)', { contactId: rl(1), updateFields: { name: 'Maria S. Souza', customAttributes: '{"plan":"pro"}' } }, '1 (Klivo merges attributes)');
	add('contact', 'upsert', 'Create or Update, found (by e-mail)', { name: 'Maria Souza', additionalFields: { email: 'maria.souza@example.com', customAttributes: '{"plan":"enterprise"}' } }, '2 (exact filter, update)');
	add('contact', 'upsert', 'Create or Update, new', { name: 'Rafael Lima', additionalFields: { identifier: 'crm-9001', phoneNumber: '+55 11 96666-0000' } }, '2 (exact filter, create)');
	add('contact', 'getConversations', 'Get Conversations', { contactId: rl(1) }, '1');
	add('contact', 'addLabels', 'Add Labels', { contactId: rl(1), labels: ['vip'], createMissing: false }, '2 (read, write)');
	add('contact', 'addLabels', 'Add Labels, Create Missing Labels (1 new)', { contactId: rl(1), labels: ['cliente-novo'], createMissing: true }, '4 (labels, create label, read, write)');
	add('contact', 'removeLabels', 'Remove Labels', { contactId: rl(1), labels: ['vip'] }, '2 (read, write)');
	add('contact', 'delete', 'Delete', { contactId: () => rl(sim.contacts(ACCOUNT).find((c) => c.name === 'Paula Nunes').id) }, '1');

	// Label
	add('label', 'getAll', 'Get Many', { returnAll: true }, '1');
	add('label', 'create', 'Create', { title: 'lead-quente', additionalFields: { color: '#ff6600' } }, '1');
	add('label', 'update', 'Update (by ID)', { labelId: () => rl(sim.labels(ACCOUNT).find((l) => l.title === 'lead-quente').id), updateFields: { description: 'Lead pronto para comprar' } }, '1');
	add('label', 'update', 'Update (by title)', { labelId: rl('lead-quente', 'title'), updateFields: { color: '#00aa00' } }, '2 (list, update)');
	add('label', 'delete', 'Delete (by ID)', { labelId: () => rl(sim.labels(ACCOUNT).find((l) => l.title === 'lead-quente').id) }, '1');
	return list;
}

function routes(sim) {
	const counts = {};
	for (const r of sim.requests) counts[r.route] = (counts[r.route] || 0) + 1;
	return Object.entries(counts)
		.map(([route, n]) => (n > 1 ? `${route} ×${n}` : route))
		.join(', ');
}

/** Parameters may be functions of the simulator's state at the time of the call (ids made by earlier cases). */
function resolveParameters(parameters) {
	const out = {};
	for (const [key, value] of Object.entries(parameters)) out[key] = typeof value === 'function' ? value() : value;
	return out;
}

async function countAll(loaded, { say }) {
	const sim = await startSimulator({ dialect: 'chatwoot' });
	const credentials = { baseUrl: sim.url, accessToken: ADMIN, accountId: String(ACCOUNT), timeout: 20 };
	const rows = [];
	try {
		for (const c of cases(sim)) {
			if (c.setup) c.setup();
			await sim.settle();
			sim.clearRequests();
			let error = null;
			let items = 0;
			try {
				const out = await runOperation(loaded, credentials, resolveParameters(c.parameters), c.items);
				items = out[0].length;
			} catch (e) {
				error = e;
			}
			const requests = sim.requests.length;
			const detail = routes(sim);
			const ok = c.fails ? error !== null : error === null;
			// The expected count leads the `expected` text when it is a number: a change shows in the table.
			const want = /^\d+/.test(c.expected) ? Number(/^\d+/.exec(c.expected)[0]) : null;
			rows.push({ resource: c.resource, operation: c.operation, label: c.label, requests, items, detail, expected: c.expected, differs: want !== null && want !== requests, error: ok ? null : String(error ? error.message : 'no error') });
			say(`API cost: ${c.resource} ${c.label}: ${requests} request(s) (${detail})${ok ? '' : ` UNEXPECTED: ${rows[rows.length - 1].error}`}`);
		}
	} finally {
		await sim.close();
	}
	return rows;
}

/** Contact > Get Many, Return All over `count` contacts seeded with addContacts: wall time, median of reps. */
async function timeReturnAll(loaded, { count, reps, latencyMs, say }) {
	const sim = await startSimulator({ dialect: 'chatwoot', demoData: false });
	const credentials = { baseUrl: sim.url, accessToken: ADMIN, accountId: String(ACCOUNT), timeout: 20 };
	const parameters = { resource: 'contact', operation: 'getAll', returnAll: true, options: {} };
	try {
		sim.addContacts(ACCOUNT, count, (i) => ({ name: `Cliente ${i}`, email: `cliente${i}@example.com`, phone_number: `+55119${String(10000000 + i)}` }));
		await runOperation(loaded, credentials, parameters); // warm-up: module loading, JIT
		const measure = async (reps) => {
			const times = [];
			let last = null;
			for (let i = 0; i < reps; i++) {
				sim.clearRequests();
				const t0 = process.hrtime.bigint();
				const out = await runOperation(loaded, credentials, parameters);
				times.push(Number(process.hrtime.bigint() - t0) / 1e6);
				const ids = new Set(out[0].map((item) => item.json.id));
				last = { items: out[0].length, distinct: ids.size, requests: sim.requests.length };
			}
			return { ms: L.median(times), min: Math.min(...times), ...last };
		};
		const local = await measure(reps);
		say(`API cost: Return All of ${count} contacts: ${local.ms.toFixed(0)} ms (median of ${reps}), ${local.requests} requests, ${local.items} items`);
		sim.setLatency(latencyMs);
		const slow = await measure(1);
		say(`API cost: the same with ${latencyMs} ms per request: ${slow.ms.toFixed(0)} ms`);
		return { count, reps, latencyMs, local, slow };
	} finally {
		await sim.close();
	}
}

async function measure({ dist, contacts = 1000, reps = 5, latencyMs = 50, say = () => undefined }) {
	const loaded = loadNode(dist);
	const rows = await countAll(loaded, { say });
	const returnAll = await timeReturnAll(loaded, { count: contacts, reps, latencyMs, say });
	return { rows, returnAll };
}

const RESOURCE = { conversation: 'Conversation', message: 'Message', contact: 'Contact', label: 'Label' };

function report(result) {
	const { rows, returnAll: r } = result;
	const table = L.table(
		['resource', 'operation (one call, one item)', 'requests', 'expected', 'requests made (simulator routes)'],
		rows.map((row) => [RESOURCE[row.resource], row.label, row.error ? `FAILED: ${row.error}` : row.differs ? `${row.requests} (UNEXPECTED)` : String(row.requests), row.expected, row.detail || 'none']),
	);
	const failed = rows.filter((row) => row.error || row.differs).length;
	return [
		`API cost of each operation: requests to Klivo per call, counted by the simulator (Chatwoot dialect, demo data; built node on n8n-core's ExecuteContext)${failed ? `; ${failed} case(s) FAILED` : ''}`,
		table,
		'',
		`Contact > Get Many, Return All, ${r.count} contacts: ${r.local.requests} requests (15 a page), ${r.local.items} items (${r.local.distinct} distinct); ` +
			`${r.local.ms.toFixed(0)} ms (median of ${r.reps}, fastest ${r.local.min.toFixed(0)} ms) on loopback, ${r.slow.ms.toFixed(0)} ms with ${r.latencyMs} ms added to every request`,
	].join('\n');
}

// ---- standalone ---------------------------------------------------------------------------------

/** gulp build in a temporary copy of the sources, as lib.js's buildAndPack does, without packing. */
function buildTemporary(say) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-api-cost-'));
	for (const entry of ['package.json', 'tsconfig.json', 'gulpfile.js', 'nodes', 'credentials']) {
		fs.cpSync(path.join(L.ROOT, entry), path.join(dir, entry), { recursive: true });
	}
	fs.symlinkSync(path.join(L.ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	say('building n8n-nodes-klivo (gulp build, in a temporary copy)');
	const res = spawnSync(process.execPath, [path.join(L.ROOT, 'node_modules', 'gulp', 'bin', 'gulp.js'), 'build'], { cwd: dir, encoding: 'utf8', timeout: 300000 });
	if (res.status !== 0) throw new Error(`gulp build failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
	return dir;
}

if (require.main === module) {
	const args = {};
	const argv = process.argv.slice(2);
	for (let i = 0; i < argv.length; i++) if (argv[i].startsWith('--')) args[argv[i].slice(2)] = argv[i + 1];
	const say = (line) => process.stderr.write(`[api-cost] ${line}\n`);
	let temp = null;
	(async () => {
		let dist = args.dist ? path.resolve(args.dist) : null;
		if (!dist) {
			temp = buildTemporary(say);
			dist = path.join(temp, 'dist');
		}
		const result = await measure({ dist, contacts: Number(args.contacts || 1000), reps: Number(args.reps || 5), latencyMs: Number(args.latency || 50), say });
		process.stdout.write(`${report(result)}\n`);
		if (result.rows.some((row) => row.error || row.differs)) process.exitCode = 1;
	})()
		.catch((e) => {
			process.stderr.write(`api-cost failed: ${e.stack || e}\n`);
			process.exitCode = 1;
		})
		.finally(() => {
			if (temp) fs.rmSync(temp, { recursive: true, force: true });
		});
}

module.exports = { measure, report };
