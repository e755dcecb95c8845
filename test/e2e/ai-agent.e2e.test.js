'use strict';
/**
 * End-to-end (issue 14): the Klivo node as TOOLS of n8n's AI Agent, in a real n8n 2.41.1 (only: the
 * AI Agent V3 and the OpenAI Chat Model 1.3 are what a user gets today).
 *
 * The workflow is the demo AI support bot `npm start` imports (tools/demo/workflows.js), published:
 * Klivo Trigger -> AI Agent (@n8n/n8n-nodes-langchain.agent 3.1), whose chat model
 * is n8n's OpenAI Chat Model node (1.3, "Use Responses API" off) with an openAiApi credential whose
 * base URL is the scripted double of tools/openai-double/server.js (a test double of the language
 * model only), and whose tools are Klivo tool nodes (n8n-nodes-klivo.klivoTool): Get Many messages,
 * Send, Add Private Note, Add Labels, Set Status, Assign. The agent's choices come through $fromAI();
 * the conversation comes from the trigger by expression.
 *
 * One n8n start for the whole file; one simulator per scenario (so that each workflow's trigger stays
 * active without hearing the others' events).
 *
 *   KLIVO_TEST_TIER=e2e npx jest test/e2e/ai-agent.e2e.test.js --runInBand
 */
const fs = require('node:fs');
const path = require('node:path');

const { startSimulator } = require('../../tools/simulator/server.js');
const { startN8n } = require('../../tools/n8n/harness.js');
const { startOpenAiDouble } = require('../../tools/openai-double/server.js');
const S = require('./support.js');

jest.setTimeout(300000);

const VERSION = '2.41.1';
// The demo AI support bot that `npm start` imports: the test runs that very workflow.
const demo = require('../../tools/demo/workflows.js');
// Bot tokens need the credential's tokenType (issue 14).
const BOT_TOKENS = /['"]tokenType['"]/.test(fs.readFileSync(path.join(S.ROOT, 'credentials', 'KlivoApi.credentials.ts'), 'utf8'));

const TEAM_SUPPORT = 2; // seed: team 2 'suporte'
const REPLY = 'Sinto muito pelo problema com o pagamento, Joao! Vou passar sua conversa para nossa equipe de suporte agora.';
const NOTE = 'Hand-off: customer says the card payment was refused twice. Needs a person from support.';

const strings = (v) => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
const FROM_AI = /\$fromAI\('([^']+)', ("(?:[^"\\]|\\.)*"), '(\w+)'\)/g;

/**
 * The demo's tools, each with its tool name (n8n: the node name, non-alphanumerics as _) and the
 * $fromAI() parameters it declares ({ key: { type, description } }). `conversationFromAI`: Read history
 * takes the conversation from the model (to let it name one that does not exist).
 */
function supportTools({ conversationFromAI = false } = {}) {
	return demo.supportTools().map((t) => {
		const parameters =
			conversationFromAI && t.name === 'Read history'
				? { ...t.parameters, conversationId: { __rl: true, mode: 'id', value: "={{ $fromAI('conversation', \"The conversation's number as Klivo shows it (#1287 -> 1287)\", 'number') }}" } }
				: t.parameters;
		const fromAI = {};
		for (const text of strings(parameters)) for (const m of text.matchAll(FROM_AI)) fromAI[m[1]] = { type: m[3], description: JSON.parse(m[2]) };
		return { name: t.name, parameters, tool: t.name.replace(/[^a-zA-Z0-9_-]+/g, '_'), fromAI, keys: Object.keys(fromAI) };
	});
}

/** The support-bot script: read, reply + label, note + team, status open, final text. */
function handOffScript(tools) {
	const t = Object.fromEntries(tools.map((x) => [x.name, x.tool]));
	return [
		{ toolCalls: [{ name: t['Read history'], arguments: {} }] },
		{
			toolCalls: [
				{ name: t['Reply to customer'], arguments: { content: REPLY } },
				{ name: t['Add labels'], arguments: { labels: 'pagamento' } },
			],
		},
		{
			toolCalls: [
				{ name: t['Write private note'], arguments: { content: NOTE } },
				{ name: t['Assign to team'], arguments: { team: TEAM_SUPPORT } },
			],
		},
		{ toolCalls: [{ name: t['Set status'], arguments: { status: 'open' } }] },
		{ text: 'Replied, labelled pagamento and handed the conversation to suporte.' },
	];
}

/** A pending conversation of João (seed contact 2) in the web chat, with the label lead and one earlier message. */
function seedConversation(sim) {
	return sim.addConversation(1, {
		inbox_id: 1,
		contact_id: 2,
		status: 'pending',
		labels: ['lead'],
		messages: [{ content: 'Oi, comprei um tenis ontem pelo site.', message_type: 'incoming' }],
	});
}

describe(`the Klivo node as tools of n8n's AI Agent (n8n ${VERSION})`, () => {
	let n8n;
	let model;
	let packDir;
	let userFolder;
	const sims = {};
	const workflows = {};
	let fileStart;

	async function activate(key, { triggerCred, toolCred, tools }) {
		const workflow = demo.aiSupportWorkflow({ name: `Klivo AI support (${key})`, credential: triggerCred, toolCredential: toolCred, openAiCredential: workflows.openAiCred, tools });
		const wf = await n8n.api('POST', '/workflows', workflow);
		const act = await n8n.activateWorkflow(wf.id);
		if (!act.ok) throw new Error(`activation of ${key} failed: ${act.status} ${act.message}`);
		workflows[key] = { id: wf.id, tools };
	}

	beforeAll(async () => {
		fileStart = Date.now();
		packDir = S.mkTemp('klivo-ai-e2e-pack-');
		const tarball = S.buildAndPack(packDir);
		S.log(`ai-agent: built and packed in ${((Date.now() - fileStart) / 1000).toFixed(1)} s`);
		for (const key of ['handoff', 'errors', 'bot']) sims[key] = await startSimulator({ dialect: 'klivo' });
		model = await startOpenAiDouble();
		userFolder = S.mkTemp(`klivo-ai-e2e-n8n-${VERSION}-`);
		const t0 = Date.now();
		n8n = await startN8n({ version: VERSION, userFolder, packageTarball: tarball });
		S.log(`ai-agent: n8n ${VERSION} up on ${n8n.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

		workflows.openAiCred = await n8n.createCredential({ name: 'Scripted model', type: 'openAiApi', data: { apiKey: 'sk-scripted-double', url: model.url, header: false } });
		const admin = {};
		for (const key of Object.keys(sims)) {
			admin[key] = await n8n.createCredential({ name: `Klivo admin (${key})`, type: 'klivoApi', data: { baseUrl: sims[key].url, accessToken: 'admin-token-1', accountId: '1', timeout: 10 } });
		}
		await activate('handoff', { triggerCred: admin.handoff, toolCred: admin.handoff, tools: supportTools() });
		await activate('errors', { triggerCred: admin.errors, toolCred: admin.errors, tools: supportTools({ conversationFromAI: true }) });
		if (BOT_TOKENS) {
			// The trigger manages webhooks (an administrator's token); the tools act as the bot.
			const bot = await n8n.createCredential({
				name: 'Klivo bot',
				type: 'klivoApi',
				data: { baseUrl: sims.bot.url, accessToken: 'bot-token-1', accountId: '1', tokenType: 'agentBot', timeout: 10 },
			});
			await activate('bot', { triggerCred: admin.bot, toolCred: bot, tools: supportTools() });
		}
		S.log(`ai-agent: set up (build, n8n, credentials, ${BOT_TOKENS ? 3 : 2} workflows) in ${((Date.now() - fileStart) / 1000).toFixed(1)} s`);
	}, 600000);

	afterAll(async () => {
		if (n8n) {
			const lines = n8n
				.logs()
				.split('\n')
				.filter((l) => /klivo|agent|openai/i.test(l) && /warn|error|fail/i.test(l));
			if (lines.length) S.log(`ai-agent: n8n log lines about errors:\n  ${[...new Set(lines)].slice(0, 20).join('\n  ')}`);
			await n8n.stop();
		}
		for (const sim of Object.values(sims)) await sim.close();
		if (model) await model.close();
		for (const dir of [userFolder, packDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
		S.log(`ai-agent: whole file took ${((Date.now() - fileStart) / 1000).toFixed(1)} s`);
	}, 120000);

	/** One customer message through the workflow of `key` with `script`; resolves { conversation, execution, requests }. */
	async function runCustomerMessage(key, script, text) {
		const sim = sims[key];
		const conversation = seedConversation(sim);
		model.reset();
		model.script(script);
		sim.clearRequests();
		const t0 = Date.now();
		const { deliveries } = await sim.customerMessage(1, conversation.id, text);
		expect(deliveries).toEqual([expect.objectContaining({ ok: true })]);
		const [execution] = await S.waitForExecutions(n8n, workflows[key].id, 1, 180000);
		await sim.settle(); // the deliveries of the bot's own writes (reply, note, status...) have been answered
		await S.sleep(1500); // and an execution they would start would exist by now
		S.log(`ai-agent ${key}: customer message -> finished execution in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${model.completions().length} model requests`);
		return { conversation, execution, requests: model.completions(), sim };
	}

	/** The tool results sent with a run's last model request: each request repeats the whole conversation, so this is every result of the run, in order. */
	const resultsOf = (requests) => requests[requests.length - 1].toolResults;

	describe('a customer message makes the scripted agent read, reply, label and hand off', () => {
		let run;
		const tools = supportTools();

		let actions; // 'message.send' -> the operation's action, as n8n loaded the node

		beforeAll(async () => {
			const types = await n8n.request('GET', '/types/nodes.json');
			const klivo = types.find((n) => n.name === S.ACTION_TYPE);
			actions = {};
			for (const p of klivo.properties.filter((x) => x.name === 'operation')) {
				for (const resource of (p.displayOptions && p.displayOptions.show && p.displayOptions.show.resource) || []) for (const o of p.options) actions[`${resource}.${o.value}`] = o.action;
			}
			run = await runCustomerMessage('handoff', handOffScript(tools), 'Meu pagamento no cartao foi recusado duas vezes, quero falar com uma pessoa.');
		}, 240000);

		test('the execution succeeds, once: the reply and the note (outgoing, private) start no execution', async () => {
			expect(run.execution.status).toBe('success');
			expect(S.executionError(run.execution)).toBeUndefined();
			const runData = run.execution.data.resultData.runData;
			for (const t of tools) expect(Object.keys(runData)).toContain(t.name);
			expect(S.nodeOutput(run.execution, 'AI Agent')[0].output).toBe('Replied, labelled pagamento and handed the conversation to suporte.');
			expect(await S.executions(n8n, workflows.handoff.id)).toHaveLength(1);
			// the bot's writes were delivered to the trigger, and dropped there
			const delivered = run.sim.deliveries.filter((d) => d.event === 'message_created' && d.action !== 'customer-message');
			expect(delivered.length).toBeGreaterThanOrEqual(2);
			expect(delivered.every((d) => d.ok)).toBe(true);
			expect(JSON.stringify(run.execution.data)).not.toContain('admin-token-1');
			expect(JSON.stringify(run.execution.data)).not.toContain('sk-scripted-double');
		});

		test('Klivo: exactly one reply with the scripted text, the label beside the existing one, the note, the team, status open', () => {
			const { sim, conversation } = run;
			const messages = sim.messages(1, conversation.id);
			const replies = messages.filter((m) => m.message_type === 'outgoing' && !m.private);
			expect(replies.map((m) => m.content)).toEqual([REPLY]);
			expect(messages.filter((m) => m.private).map((m) => m.content)).toEqual([NOTE]);
			const after = sim.conversation(1, conversation.id);
			expect(after.labels).toEqual(['lead', 'pagamento']);
			expect(after.team_id).toBe(TEAM_SUPPORT);
			expect(after.status).toBe('open');
			expect(sim.countRequests({ route: 'messages.list' })).toBe(1);
			expect(sim.countRequests({ route: 'messages.create' })).toBe(2);
			expect(sim.countRequests({ route: 'conversations.labels.set' })).toBe(1);
			expect(sim.countRequests({ route: 'conversations.assignments' })).toBe(1);
			expect(sim.countRequests({ route: 'conversations.toggle_status' })).toBe(1);
		});

		test('the model was sent each Klivo tool with its name, the action-based description and the $fromAI() parameters', () => {
			const [first] = run.requests;
			expect(first.userText).toContain(`Klivo conversation #${run.conversation.id}`);
			expect(first.userText).toContain('pagamento no cartao foi recusado');
			expect(first.messages[0]).toMatchObject({ role: 'system' });
			expect(JSON.stringify(first.messages[0].content)).toContain(JSON.stringify(demo.SUPPORT_SYSTEM_MESSAGE).slice(1, -1));
			const sent = Object.fromEntries(first.tools.map((t) => [t.name, t]));
			expect(Object.keys(sent).sort()).toEqual(tools.map((t) => t.tool).sort());
			// n8n's automatic tool description is the operation's `action` + ' in Klivo', taken here from what n8n loaded
			const described = Object.fromEntries(tools.map((t) => [t.name, `${actions[`${t.parameters.resource}.${t.parameters.operation}`]} in Klivo`]));
			for (const t of tools) expect(described[t.name]).toMatch(/^\S.{15,} in Klivo$/);
			for (const t of tools) {
				const s = sent[t.tool];
				expect(s.description).toBe(described[t.name]);
				expect(s.parameters).toMatchObject({ type: 'object' });
				expect(Object.keys(s.parameters.properties || {}).sort()).toEqual([...t.keys].sort());
				expect(s.parameters.required || []).toEqual(expect.arrayContaining(t.keys));
			}
			for (const t of tools) {
				for (const [key, { type, description }] of Object.entries(t.fromAI)) {
					expect(description.length).toBeGreaterThan(10);
					expect(sent[t.tool].parameters.properties[key]).toEqual({ type, description });
				}
			}
			expect(tools.flatMap((t) => t.keys).sort()).toEqual(['content', 'content', 'labels', 'status', 'team']);
			S.log(`ai-agent: tools sent to the model: ${JSON.stringify(first.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })))}`);
		});

		test('the model read what each tool did: the history, the reply sent, the labels, the team and the status', () => {
			const { requests } = run;
			expect(requests).toHaveLength(5);
			const byTool = Object.fromEntries(resultsOf(requests).map((r) => [r.name, r.content]));
			expect(resultsOf(requests)).toHaveLength(tools.length);
			expect(byTool.Read_history).toContain('Oi, comprei um tenis ontem pelo site.');
			expect(byTool.Read_history).toContain('quero falar com uma pessoa');
			expect(byTool.Reply_to_customer).toContain(REPLY.slice(0, 40));
			expect(byTool.Add_labels).toContain('pagamento');
			expect(byTool.Write_private_note).toContain('Hand-off');
			expect(byTool.Assign_to_team).toContain('suporte');
			expect(byTool.Set_status).toContain('open');
			S.log(`ai-agent: tool results as the model read them: ${JSON.stringify(byTool).slice(0, 3000)}`);
		});
	});

	describe('bad tool arguments give the agent an error it can read, and it recovers', () => {
		let run;
		const tools = supportTools({ conversationFromAI: true });

		beforeAll(async () => {
			run = await runCustomerMessage(
				'errors',
				[
					{ toolCalls: [{ name: 'Read_history', arguments: { conversation: 99999 } }] },
					{ toolCalls: [{ name: 'Reply_to_customer', arguments: { content: '' } }] },
					// recovers: the conversation from the user message, then a real reply
					{ toolCalls: [{ name: 'Read_history', arguments: (ctx) => ({ conversation: ctx.userMatch(/conversation #(\d+)/) }) }] },
					{ toolCalls: [{ name: 'Reply_to_customer', arguments: { content: REPLY } }] },
					{ text: 'Answered after two mistakes.' },
				],
				'O pagamento falhou.',
			);
		}, 240000);

		test('an unknown conversation and an empty reply come back as tool results naming the problem', () => {
			const { requests } = run;
			expect(requests).toHaveLength(5);
			const [unknown] = resultsOf(requests.slice(0, 2));
			expect(unknown.name).toBe('Read_history');
			expect(unknown.content).toMatch(/Conversation #99999 does not exist/);
			const empty = requests[2].toolResults.find((r) => r.name === 'Reply_to_customer');
			expect(empty.content).toMatch(/Nothing to send: the reply is empty/);
			const recovered = requests[3].toolResults.filter((r) => r.name === 'Read_history').pop();
			expect(recovered.content).toContain('O pagamento falhou.');
			S.log(`ai-agent errors: the model read ${JSON.stringify([unknown.content, empty.content])}`);
		});

		test('the workflow still succeeds, with exactly the one good reply in Klivo', () => {
			expect(run.execution.status).toBe('success');
			expect(S.nodeOutput(run.execution, 'AI Agent')[0].output).toBe('Answered after two mistakes.');
			const replies = run.sim.messages(1, run.conversation.id).filter((m) => m.message_type === 'outgoing' && !m.private);
			expect(replies.map((m) => m.content)).toEqual([REPLY]);
			expect(run.sim.countRequests({ route: 'messages.create' })).toBe(1); // the empty reply made no request
		});
	});

	(BOT_TOKENS ? describe : describe.skip)('the same hand-off with an agent-bot token (tokenType agentBot)', () => {
		let run;
		const tools = supportTools();

		beforeAll(async () => {
			run = await runCustomerMessage('bot', handOffScript(tools), 'Meu pagamento no cartao foi recusado duas vezes, quero falar com uma pessoa.');
		}, 240000);

		test('what a bot may do is done as the bot; what it may not is refused before any request, in words the agent reads', async () => {
			const { sim, conversation, requests } = run;
			expect(run.execution.status).toBe('success');
			expect(await S.executions(n8n, workflows.bot.id)).toHaveLength(1);
			expect(requests).toHaveLength(5);
			const results = resultsOf(requests); // the last request carries every tool result of the run
			S.log(`ai-agent bot: the model read ${JSON.stringify(results.map((r) => [r.name, r.content.slice(0, 400)]))}`);
			const messages = sim.messages(1, conversation.id);
			const replies = messages.filter((m) => m.message_type === 'outgoing' && !m.private);
			expect(replies.map((m) => [m.content, m.sender_type])).toEqual([[REPLY, 'AgentBot']]);
			expect(messages.filter((m) => m.private).map((m) => m.content)).toEqual([NOTE]);
			const after = sim.conversation(1, conversation.id);
			expect(after.team_id).toBe(TEAM_SUPPORT);
			expect(after.status).toBe('open');
			// Chatwoot lets bots neither read messages nor set labels: refused by the node, not by the server
			const refused = results.filter((r) => r.name === 'Read_history' || r.name === 'Add_labels');
			expect(refused).toHaveLength(2);
			for (const r of refused) expect(r.content).toMatch(/agent bot's token/);
			expect(refused.find((r) => r.name === 'Read_history').content).toContain('Get Many');
			expect(refused.find((r) => r.name === 'Add_labels').content).toContain('Add Labels');
			expect(sim.countRequests({ route: 'messages.list' })).toBe(0);
			expect(sim.countRequests({ route: 'conversations.labels.list' }) + sim.countRequests({ route: 'conversations.labels.set' })).toBe(0);
			expect(sim.requests.filter((r) => r.status === 401)).toEqual([]);
			expect(after.labels).toEqual(['lead']);
			expect(JSON.stringify(run.execution.data)).not.toContain('bot-token-1');
		});
	});
});
