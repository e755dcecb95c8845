/**
 * An agent bot's token (credential Token Type 'Agent bot'): the operations Klivo refuses to bots
 * (reference "Agent-bot tokens": Chatwoot's BOT_ACCESSIBLE_ENDPOINTS) fail before any request, naming
 * what a bot may do; the operations whose every request is bot-allowed work, and show as the bot.
 */
import type { IDataObject } from 'n8n-workflow';

import { runActionNode, type KlivoCredentialData } from '../helpers/n8n';
import { useStartedSimulator } from '../helpers/simulator';
import { credentialsFor, expectNoLeaks, locator, type Simulator } from './support';

const simulatorModule = require('../../tools/simulator/server.js');

const BOT = 'bot-token-1';

interface BotSimulator extends Simulator {
	conversation(account: number, displayId: number): IDataObject | null;
	messages(account: number, displayId: number): Array<{ content: string; private: boolean; sender_type: string; sender_id: number }>;
}

const useBotSimulator = (): (() => BotSimulator) =>
	useStartedSimulator(async () => (await simulatorModule.startSimulator({ dialect: 'chatwoot', port: 0 })) as BotSimulator);

const asBot = (sim: Simulator, overrides: Partial<KlivoCredentialData> = {}): KlivoCredentialData =>
	credentialsFor(sim, { accessToken: BOT, tokenType: 'agentBot', ...overrides });

async function run(sim: BotSimulator, parameters: IDataObject, credentials: KlivoCredentialData = asBot(sim)) {
	const result = await runActionNode({ parameters: parameters as never, credentials });
	expectNoLeaks(sim, result, [BOT]);
	if (result.error) expectNoLeaks(sim, result.error, [BOT]);
	return result;
}

const ALLOWED_LIST =
	/Conversation → Assign, Conversation → Start.*Conversation → Set Custom Attributes \(with Replace All\).*Message → Add Private Note, Message → Send/;

describe('Agent bot token: refused before any request', () => {
	const sim = useBotSimulator();

	const refused: Array<[string, IDataObject, RegExp]> = [
		['Message → Get Many', { resource: 'message', operation: 'getAll', conversationId: locator(1), returnAll: true }, /AI support bot/],
		['Conversation → Add Labels', { resource: 'conversation', operation: 'addLabels', conversationId: locator(1), labels: ['vip'] }, /AI support bot/],
		['Conversation → Remove Labels', { resource: 'conversation', operation: 'removeLabels', conversationId: locator(1), labels: ['vip'] }, /AI support bot/],
		['Conversation → Get', { resource: 'conversation', operation: 'get', conversationId: locator(1) }, /user's token/],
		['Conversation → Get Many', { resource: 'conversation', operation: 'getAll', returnAll: true }, /user's token/],
		['Message → Delete', { resource: 'message', operation: 'delete', conversationId: locator(1), messageId: '1' }, /user's token/],
		['Contact → Get Many', { resource: 'contact', operation: 'getAll', returnAll: true }, /user's token/],
		['Label → Get Many', { resource: 'label', operation: 'getAll' }, /user's token/],
		['Webhook → Get Many', { resource: 'webhook', operation: 'getAll' }, /user's token/],
	];

	it.each(refused)("refuses '%s', names what a bot may use, and sends nothing", async (label, parameters, advice) => {
		const result = await run(sim(), parameters);
		expect(result.error?.message).toBe(`Klivo does not let an agent bot's token use '${label}': it needs a Klivo credential with a user's token`);
		expect(result.error?.description).toMatch(ALLOWED_LIST);
		expect(result.error?.description).toMatch(advice);
		expect(sim().requests).toEqual([]);
	});

	it("refuses Set Custom Attributes' merge (it reads first) and says to turn on Replace All", async () => {
		const result = await run(sim(), {
			resource: 'conversation',
			operation: 'setCustomAttributes',
			conversationId: locator(2),
			customAttributes: { attribute: [{ key: 'plan', value: 'pro' }] },
		});
		expect(result.error?.description).toMatch(/turn on the option 'Replace All'/);
		expect(sim().requests).toEqual([]);
	});

	it('honours continueOnFail per item, and a user token runs the same operation', async () => {
		const parameters = { resource: 'conversation', operation: 'addLabels', conversationId: locator(1), labels: ['vip'] };
		const failed = await runActionNode({ parameters: parameters as never, credentials: asBot(sim()), continueOnFail: true, items: [{}, {}] });
		expect(failed.output?.[0].map((i) => [i.pairedItem, (i.json.error as IDataObject).message])).toEqual([
			[{ item: 0 }, "Klivo does not let an agent bot's token use 'Conversation → Add Labels': it needs a Klivo credential with a user's token"],
			[{ item: 1 }, "Klivo does not let an agent bot's token use 'Conversation → Add Labels': it needs a Klivo credential with a user's token"],
		]);
		expect(sim().requests).toEqual([]);
		const ok = await run(sim(), parameters, credentialsFor(sim()));
		expect(ok.error).toBeUndefined();
	});

	it("without Token Type 'Agent bot' the request goes out and the simulator answers Chatwoot's 401 for bots", async () => {
		const result = await run(sim(), { resource: 'message', operation: 'getAll', conversationId: locator(1), returnAll: true }, asBot(sim(), { tokenType: 'user' }));
		expect(result.error).toBeDefined();
		expect(sim().requests.map((r) => [r.route, r.status])).toEqual([['messages.list', 401]]);
	});
});

describe('Agent bot token: allowed operations work', () => {
	const sim = useBotSimulator();
	const ok = async (parameters: IDataObject): Promise<IDataObject> => {
		const result = await run(sim(), parameters);
		if (result.error) throw new Error(`${result.error.message}: ${result.error.description ?? ''}`);
		return result.output![0][0].json;
	};

	it('Send and Add Private Note post as the bot', async () => {
		await ok({ resource: 'message', operation: 'send', conversationId: locator(1), content: 'Olá! Sou o bot.' });
		await ok({ resource: 'message', operation: 'addNote', conversationId: locator(1), content: 'Passar para vendas.' });
		const [reply, note] = sim().messages(1, 1).slice(-2);
		expect(reply).toMatchObject({ content: 'Olá! Sou o bot.', private: false, sender_type: 'AgentBot', sender_id: 1 });
		expect(note).toMatchObject({ content: 'Passar para vendas.', private: true, sender_type: 'AgentBot' });
	});

	it('Set Status, Set Priority, Set Typing, Assign, Set Custom Attributes with Replace All, Start', async () => {
		await ok({ resource: 'conversation', operation: 'setStatus', conversationId: locator(2), status: 'open' });
		await ok({ resource: 'conversation', operation: 'setPriority', conversationId: locator(2), priority: 'high' });
		await ok({ resource: 'conversation', operation: 'setTyping', conversationId: locator(2), typing: 'on' });
		await ok({ resource: 'conversation', operation: 'assign', conversationId: locator(2), assignTo: 'team', teamId: locator(2) });
		await ok({
			resource: 'conversation',
			operation: 'setCustomAttributes',
			conversationId: locator(2),
			attributesInput: 'json',
			customAttributesJson: '{"order_id":"A-1"}',
			options: { replace: true },
		});
		expect(sim().conversation(1, 2)).toMatchObject({ status: 'open', priority: 'high', team_id: 2, custom_attributes: { order_id: 'A-1' } });
		const created = await ok({ resource: 'conversation', operation: 'create', contactId: locator(2), inboxId: locator(3), message: 'Olá' });
		expect(created.id).toEqual(expect.any(Number));
		expect(sim().requests.every((r) => r.status === 200)).toBe(true);
		expect(sim().requests).toHaveLength(6);
	});
});
