/**
 * The Conversation resource, run through n8n-core's real execution context against the simulator's
 * conversations (reference §2): every operation, paging 25 at a time, label and attribute merges,
 * priority none → null, continueOnFail with pairedItem, and the 404/422/401 wording.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { runActionNode } from '../helpers/n8n';
import { useStartedSimulator } from '../helpers/simulator';
import { AGENT, credentialsFor, expectNoLeaks, locator, runFail, runOk, type Simulator } from './support';

const simulatorModule = require('../../tools/simulator/server.js');

interface ConversationRecord {
	id: number;
	status: string;
	assignee_id: number | null;
	team_id: number | null;
	labels: string[];
	priority: string | null;
	custom_attributes: IDataObject;
	snoozed_until: number | null;
}

/** The parts of the simulator's resources API these tests use (tools/simulator/README.md). */
interface ConversationSimulator extends Simulator {
	conversation(account: number, displayId: number): ConversationRecord | null;
	messages(account: number, displayId: number): Array<{ content: string; message_type: string }>;
	addConversations(account: number, count: number, fields: (i: number) => IDataObject): ConversationRecord[];
	addContact(account: number, fields: IDataObject): { id: number };
}

function useConversationSimulator(options: IDataObject = {}): () => ConversationSimulator {
	return useStartedSimulator(
		async () => (await simulatorModule.startSimulator({ dialect: 'chatwoot', port: 0, ...options })) as ConversationSimulator,
	);
}

const conversation = (parameters: IDataObject): IDataObject => ({ resource: 'conversation', ...parameters });

describe('Conversation resource (seeded account)', () => {
	const sim = useConversationSimulator();

	it('Get: one conversation by its number, from the list, by ID, with # or from an expression', async () => {
		for (const conversationId of [locator(1, 'list'), locator('#1'), 1, '={{ $json.klivo.conversationId }}']) {
			const [item] = await runOk(sim(), conversation({ operation: 'get', conversationId }), { items: [{ klivo: { conversationId: 1 } }] });
			expect(item.id).toBe(1);
			expect(item.labels).toEqual(['lead', 'vip']);
			expect((item.meta as IDataObject & { sender: IDataObject }).sender.name).toBe('Maria Souza');
		}
	});

	it('Get Many: every status by default (the API alone would give only open ones), and filters', async () => {
		const all = await runOk(sim(), conversation({ operation: 'getAll', returnAll: true }));
		expect(all.map((c) => c.id).sort()).toEqual([1, 2, 3, 4]);
		const resolved = await runOk(sim(), conversation({ operation: 'getAll', returnAll: true, filters: { status: 'resolved' } }));
		expect(resolved.map((c) => c.id)).toEqual([3]);
		const vip = await runOk(sim(), conversation({ operation: 'getAll', returnAll: true, filters: { labels: ['vip', 'suporte'] } }));
		expect(vip.map((c) => c.id).sort()).toEqual([1, 3]);
		const unassignedWeb = await runOk(
			sim(),
			conversation({ operation: 'getAll', returnAll: true, filters: { assigneeType: 'unassigned', inboxId: '1' } }),
		);
		expect(unassignedWeb.map((c) => c.id)).toEqual([2]);
		const team = await runOk(sim(), conversation({ operation: 'getAll', returnAll: true, filters: { teamId: 2 } }));
		expect(team).toEqual([]);
	});

	it('Start: a conversation with a contact in an inbox, with a first message', async () => {
		const [created] = await runOk(
			sim(),
			conversation({
				operation: 'create',
				contactId: locator(2),
				inboxId: locator(3, 'list'),
				message: 'Olá João, tudo bem?',
				additionalFields: { status: 'pending', teamId: '1', customAttributes: '{"order_id": "A-1029"}' },
			}),
		);
		expect(created.inbox_id).toBe(3);
		expect(created.status).toBe('pending');
		expect(created.custom_attributes).toEqual({ order_id: 'A-1029' });
		const stored = sim().conversation(1, created.id as number)!;
		expect(stored.team_id).toBe(1);
		expect(sim().messages(1, created.id as number).map((m) => [m.message_type, m.content])).toEqual([['outgoing', 'Olá João, tudo bem?']]);
	});

	it('Set Status: resolve, and snooze until a time (sent as Unix seconds)', async () => {
		const [resolved] = await runOk(sim(), conversation({ operation: 'setStatus', conversationId: locator(1), status: 'resolved' }));
		expect(resolved).toMatchObject({ conversation_id: 1, current_status: 'resolved' });
		const [snoozed] = await runOk(
			sim(),
			conversation({ operation: 'setStatus', conversationId: locator(2), status: 'snoozed', snoozedUntil: '2030-05-30T08:00:00Z' }),
		);
		expect(snoozed).toMatchObject({ current_status: 'snoozed', snoozed_until: '2030-05-30T08:00:00.000Z' });
		expect(sim().conversation(1, 2)!.snoozed_until).toBe(Date.parse('2030-05-30T08:00:00Z') / 1000);
	});

	it('Assign: to an agent, to a team, to nobody', async () => {
		const [agent] = await runOk(sim(), conversation({ operation: 'assign', conversationId: locator(2), assignTo: 'agent', agentId: locator(3) }));
		expect(agent).toMatchObject({ conversation_id: 2, assignee: { id: 3, name: 'Carlos Souza' } });
		expect(sim().conversation(1, 2)!.assignee_id).toBe(3);
		const [team] = await runOk(sim(), conversation({ operation: 'assign', conversationId: locator(2), assignTo: 'team', teamId: locator(2) }));
		expect(team).toMatchObject({ conversation_id: 2, team: { id: 2, name: 'suporte' } });
		const [nobody] = await runOk(sim(), conversation({ operation: 'assign', conversationId: locator(2), assignTo: 'nobody' }));
		expect(nobody).toEqual({ conversation_id: 2, assignee: null });
		expect(sim().conversation(1, 2)).toMatchObject({ assignee_id: null, team_id: 2 });
	});

	it('Assign: an unknown agent is an error, not a silent unassignment', async () => {
		const error = await runFail(sim(), conversation({ operation: 'assign', conversationId: locator(1), assignTo: 'agent', agentId: locator(999) }));
		expect(error.message).toMatch(/no agent 999/);
		expect(error.description).toMatch(/#1 is now unassigned/);
	});

	it('Add Labels keeps the other labels; Remove Labels removes only the given ones', async () => {
		const [added] = await runOk(sim(), conversation({ operation: 'addLabels', conversationId: locator(1), labels: ['pagamento', 'VIP'] }));
		expect(added).toEqual({ conversation_id: 1, labels: ['lead', 'vip', 'pagamento'] });
		const [removed] = await runOk(sim(), conversation({ operation: 'removeLabels', conversationId: locator(1), labels: 'vip, suporte' }));
		expect(removed).toEqual({ conversation_id: 1, labels: ['lead', 'pagamento'] });
		expect(sim().conversation(1, 1)!.labels).toEqual(['lead', 'pagamento']);
	});

	it('Add Labels writes nothing when every label is already there', async () => {
		const before = sim().countRequests({ route: 'conversations.labels.set' });
		const [same] = await runOk(sim(), conversation({ operation: 'addLabels', conversationId: locator(1), labels: ['lead'] }));
		expect(same.labels).toEqual(['lead', 'vip']);
		expect(sim().countRequests({ route: 'conversations.labels.set' })).toBe(before);
	});

	it('Set Custom Attributes merges by default, and replaces with Replace All', async () => {
		await runOk(sim(), conversation({ operation: 'setCustomAttributes', conversationId: locator(2), attributesInput: 'json', customAttributesJson: '{"order_id":"A-1","plan":"pro"}', options: { replace: true } }));
		const [merged] = await runOk(
			sim(),
			conversation({ operation: 'setCustomAttributes', conversationId: locator(2), customAttributes: { attribute: [{ key: 'plan', value: 'max' }, { key: 'paid', value: 'yes' }] } }),
		);
		expect(merged).toEqual({ conversation_id: 2, custom_attributes: { order_id: 'A-1', plan: 'max', paid: 'yes' } });
		const [replaced] = await runOk(
			sim(),
			conversation({ operation: 'setCustomAttributes', conversationId: locator(2), attributesInput: 'json', customAttributesJson: { only: 1 }, options: { replace: true } }),
		);
		expect(replaced.custom_attributes).toEqual({ only: 1 });
		expect(sim().conversation(1, 2)!.custom_attributes).toEqual({ only: 1 });
	});

	it('Set Priority: urgent, then none is sent as null (the string answers 500)', async () => {
		const [urgent] = await runOk(sim(), conversation({ operation: 'setPriority', conversationId: locator(1), priority: 'urgent' }));
		expect(urgent).toMatchObject({ id: 1, priority: 'urgent' });
		const [none] = await runOk(sim(), conversation({ operation: 'setPriority', conversationId: locator(1), priority: 'none' }));
		expect(none.priority).toBeNull();
		expect(sim().conversation(1, 1)!.priority).toBeNull();
	});

	it('Set Typing: on and off', async () => {
		for (const typing of ['on', 'off']) {
			expect(await runOk(sim(), conversation({ operation: 'setTyping', conversationId: locator(1), typing }))).toEqual([{ conversation_id: 1, typing }]);
		}
		expect(sim().countRequests({ route: 'conversations.toggle_typing_status' })).toBe(2);
	});

	it('404: names the conversation number and says it is the number shown in Klivo', async () => {
		const error = await runFail(sim(), conversation({ operation: 'get', conversationId: locator(987) }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Conversation #987 does not exist in account 1');
		expect(error.description).toMatch(/number Klivo shows/);
		expect(error.httpCode).toBe('404');
	});

	it("422: quotes the server's reason", async () => {
		const error = await runFail(
			sim(),
			conversation({ operation: 'setCustomAttributes', conversationId: locator(1), customAttributes: { attribute: [{ key: 'note', value: 'x'.repeat(1600) }] } }),
		);
		expect(error.message).toBe('Klivo refused to change conversation #1: Custom attributes note length should be < 1500');
		expect(error.httpCode).toBe('422');
	});

	it("401: an agent's token outside the agent's inboxes says so", async () => {
		// Conversation #4 is in the API inbox, of which Ana (the agent) is not a member.
		const error = await runFail(sim(), conversation({ operation: 'get', conversationId: locator(4) }), { credentials: { accessToken: AGENT } });
		expect(error.message).toBe("This token's user may not see conversation #4");
		expect(error.description).toMatch(/members of/);
	});

	it('refuses a conversation number that is not one, before any request', async () => {
		const before = sim().countRequests({ route: 'any' });
		const error = await runFail(sim(), conversation({ operation: 'get', conversationId: locator('abc') }));
		expect(error.message).toBe("'abc' is not a conversation number");
		expect(sim().countRequests({ route: 'any' })).toBe(before);
	});

	it('continueOnFail: one output per item with its pairedItem, the failure as an error item', async () => {
		const result = await runActionNode({
			parameters: conversation({ operation: 'get', conversationId: '={{ $json.number }}' }) as never,
			credentials: credentialsFor(sim()),
			items: [{ number: 1 }, { number: 555 }, { number: '#2' }],
			continueOnFail: true,
		});
		const output = result.output![0];
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.id).toBe(1);
		expect(output[1].json.error).toEqual({ message: 'Conversation #555 does not exist in account 1', description: expect.stringMatching(/Klivo shows/) });
		expect(output[2].json.id).toBe(2);
		expectNoLeaks(sim(), output);
	});
});

describe('Conversation Get Many over several pages (25 a page)', () => {
	const sim = useConversationSimulator({ demoData: false });

	beforeEach(() => {
		const contact = sim().addContact(1, { name: 'Paging Test', email: 'paging@example.com' });
		// 50 open (two full pages: only meta.count says there is no third), 10 resolved.
		sim().addConversations(1, 60, (i) => ({ inbox_id: 1, contact_id: contact.id, status: i < 50 ? 'open' : 'resolved' }));
	});

	it('Return All walks the pages until the short one: 60 conversations in 3 requests, no duplicates', async () => {
		const before = sim().countRequests({ route: 'conversations.list' });
		const all = await runOk(sim(), conversation({ operation: 'getAll', returnAll: true }));
		expect(all).toHaveLength(60);
		expect(new Set(all.map((c) => c.id)).size).toBe(60);
		expect(sim().countRequests({ route: 'conversations.list' }) - before).toBe(3);
	});

	it('a limit asks only for the pages it needs', async () => {
		const before = sim().countRequests({ route: 'conversations.list' });
		expect(await runOk(sim(), conversation({ operation: 'getAll', returnAll: false, limit: 30 }))).toHaveLength(30);
		expect(sim().countRequests({ route: 'conversations.list' }) - before).toBe(2);
	});

	it("stops on the assignee type's meta count when it ends on a full page", async () => {
		const before = sim().countRequests({ route: 'conversations.list' });
		const open = await runOk(sim(), conversation({ operation: 'getAll', returnAll: true, filters: { status: 'open', assigneeType: 'all' } }));
		expect(open).toHaveLength(50);
		expect(open.every((c) => c.status === 'open')).toBe(true);
		expect(sim().countRequests({ route: 'conversations.list' }) - before).toBe(2);
	});
});

/** The parts of the simulator these tests add: account labels, and messages with their template. */
interface LabelAndTemplateSimulator extends ConversationSimulator {
	labels(account: number): Array<{ id: number; title: string; show_on_sidebar: boolean | null }>;
	conversations(account: number): ConversationRecord[];
	messages(
		account: number,
		displayId: number,
	): Array<{ content: string; message_type: string; status: string; additional_attributes: IDataObject }>;
}

describe('Conversation › Add Labels › Create Missing Labels', () => {
	const sim = useConversationSimulator() as () => LabelAndTemplateSimulator;
	const titles = () => sim().labels(1).map((label) => label.title);

	it('creates the account labels the account lacks (one list, one create per missing title), and keeps the other labels', async () => {
		const before = { list: sim().countRequests({ route: 'labels.list' }), create: sim().countRequests({ route: 'labels.create' }) };
		const [out] = await runOk(
			sim(),
			conversation({ operation: 'addLabels', conversationId: locator(1), labels: ['pagamento', 'cliente-novo', 'retorno_2026'], createMissing: true }),
		);
		expect(out).toEqual({
			conversation_id: 1,
			labels: ['lead', 'vip', 'pagamento', 'cliente-novo', 'retorno_2026'],
			createdAccountLabels: ['cliente-novo', 'retorno_2026'],
		});
		expect(sim().conversation(1, 1)!.labels).toEqual(['lead', 'vip', 'pagamento', 'cliente-novo', 'retorno_2026']);
		expect(titles()).toEqual(expect.arrayContaining(['lead', 'vip', 'suporte', 'pagamento', 'cliente-novo', 'retorno_2026']));
		expect(titles()).toHaveLength(6);
		expect(sim().labels(1).find((label) => label.title === 'cliente-novo')!.show_on_sidebar).toBe(true);
		expect(sim().countRequests({ route: 'labels.list' }) - before.list).toBe(1);
		expect(sim().countRequests({ route: 'labels.create' }) - before.create).toBe(2);
	});

	it('creates nothing when the account has every label, and says nothing about it', async () => {
		const [out] = await runOk(sim(), conversation({ operation: 'addLabels', conversationId: locator(2), labels: 'VIP, lead', createMissing: true }));
		// Tagged 'vip' as the account label has it, not 'VIP' as typed: the sidebar shows the exact title.
		expect(out).toEqual({ conversation_id: 2, labels: ['vip', 'lead'] });
		expect(sim().countRequests({ route: 'labels.create' })).toBe(0);
		expect(titles()).toHaveLength(4);
	});

	it('off (the default): the label is added as a free tag, and no account label is read or created', async () => {
		const [out] = await runOk(sim(), conversation({ operation: 'addLabels', conversationId: locator(1), labels: ['cliente-novo'] }));
		expect(out).toEqual({ conversation_id: 1, labels: ['lead', 'vip', 'cliente-novo'] });
		expect(sim().countRequests({ route: 'labels.*' })).toBe(0);
		expect(titles()).not.toContain('cliente-novo');
	});

	it('refuses a title Klivo would refuse as an account label, with a suggestion, before any request', async () => {
		const before = sim().countRequests({ route: 'any' });
		const error = await runFail(sim(), conversation({ operation: 'addLabels', conversationId: locator(1), labels: ['vip', 'Cliente Novo'], createMissing: true }));
		expect(error.message).toBe("'Cliente Novo' is not a valid label title");
		expect(error.description).toContain("Did you mean 'cliente-novo'?");
		expect(error.description).toContain('at least 2 characters');
		expect(sim().countRequests({ route: 'any' })).toBe(before);
		expect(sim().conversation(1, 1)!.labels).toEqual(['lead', 'vip']);
	});

	it("an agent's token: says that only administrators create account labels, and leaves the conversation as it was", async () => {
		// Ana (the agent) sees conversation #1 (WhatsApp inbox), but may not create account labels.
		const error = await runFail(sim(), conversation({ operation: 'addLabels', conversationId: locator(1), labels: ['cliente-novo'], createMissing: true }), {
			credentials: { accessToken: AGENT },
		});
		expect(error.message).toBe("The account label 'cliente-novo' does not exist, and only administrators may create it");
		expect(error.description).toMatch(/turn Create Missing Labels off/);
		expect(sim().countRequests({ route: 'conversations.labels.set' })).toBe(0);
		expect(sim().conversation(1, 1)!.labels).toEqual(['lead', 'vip']);
		expectNoLeaks(sim(), error);
	});
});

describe('Conversation › Start with a WhatsApp template as the first message', () => {
	const sim = useConversationSimulator() as () => LabelAndTemplateSimulator;
	const WHATSAPP = 2;
	const start = (parameters: IDataObject): IDataObject =>
		conversation({ operation: 'create', contactId: locator(2), inboxId: locator(WHATSAPP, 'list'), firstMessage: 'template', ...parameters });

	it('positional template: checked against the inbox (one read), sent with its template_params, the rendered text stored', async () => {
		const [created] = await runOk(sim(), start({ template: 'order_confirmation|pt_BR', templateParameters: '["João", "A-1029"]' }));
		expect(created.inbox_id).toBe(WHATSAPP);
		const [message, ...rest] = sim().messages(1, created.id as number);
		expect(rest).toEqual([]);
		expect(message).toMatchObject({ message_type: 'outgoing', content: 'Olá João, seu pedido A-1029 foi confirmado!' });
		expect(message.status).not.toBe('failed');
		expect(message.additional_attributes.template_params).toEqual({
			name: 'order_confirmation',
			language: 'pt_BR',
			category: 'UTILITY',
			processed_params: { body: { 1: 'João', 2: 'A-1029' } },
		});
		expect(sim().countRequests({ route: 'inboxes.list' })).toBe(1);
		expect(sim().countRequests({ route: 'conversations.create' })).toBe(1);
		expect(sim().countRequests({ route: 'messages.create' })).toBe(0);
	});

	it('named template by expression, without case, with a header image and a URL button', async () => {
		const [created] = await runOk(
			sim(),
			start({
				template: '={{ $json.template }}',
				templateParameters: '={{ $json.params }}',
				templateOptions: { headerMediaUrl: 'https://cdn.example.com/agenda.png', buttonParameters: '["consulta/77"]' },
			}),
			{ items: [{ template: 'Appointment_Reminder', params: { customer_name: 'João', date: '30/05' } }] },
		);
		const [message] = sim().messages(1, created.id as number);
		expect(message.content).toBe('Olá João, lembrete da sua consulta em 30/05.');
		expect(message.additional_attributes.template_params).toEqual({
			name: 'appointment_reminder',
			language: 'pt_BR',
			category: 'UTILITY',
			processed_params: {
				body: { customer_name: 'João', date: '30/05' },
				header: { media_url: 'https://cdn.example.com/agenda.png', media_type: 'image' },
				buttons: [{ type: 'url', parameter: 'consulta/77' }],
			},
		});
		expect(message.status).not.toBe('failed');
	});

	it.each([
		[{ template: 'order_confirmaton' }, "Inbox 'WhatsApp Vendas' has no WhatsApp template 'order_confirmaton'", /Approved templates of inbox 'WhatsApp Vendas': .*order_confirmation \(pt_BR\).*Not approved: black_friday \(pt_BR\): REJECTED/],
		[{ template: 'black_friday' }, "WhatsApp has not approved template 'black_friday': black_friday (pt_BR) is REJECTED", /only approved templates/],
		[{ template: 'order_confirmation', templateParameters: '["João"]' }, "Template 'order_confirmation' takes 2 body parameters, not 1", /\{\{1\}\}, \{\{2\}\}/],
		[{ template: 'appointment_reminder', templateParameters: '{"customer_name": "João"}' }, "The template parameters do not match template 'appointment_reminder': missing {{date}}", /\{\{customer_name\}\}, \{\{date\}\}/],
		[{ template: 'appointment_reminder', templateParameters: '{"customer_name": "João", "date": "30/05"}' }, "Template 'appointment_reminder' shows image media in its header: give its URL", /Header Media URL/],
		[{ template: 'welcome_offer', templateParameters: '[""]' }, 'Body parameter {{1}} is empty', /empty placeholder/],
		[{ template: '' }, 'Give the template to start with', /order_confirmation\|pt_BR/],
	])('refuses %j before any conversation exists', async (parameters, message, description) => {
		const before = sim().conversations(1).length;
		const error = await runFail(sim(), start(parameters));
		expect(error.message).toBe(message);
		expect(error.description).toMatch(description);
		expect(sim().countRequests({ route: 'conversations.create' })).toBe(0);
		expect(sim().conversations(1)).toHaveLength(before);
	});

	it('a web chat inbox has no templates: says so, and creates nothing', async () => {
		const error = await runFail(sim(), start({ inboxId: locator(1), template: 'order_confirmation' }));
		expect(error.message).toBe("Inbox 'Site Klivo' is not a WhatsApp inbox, so it has no templates");
		expect(error.description).toMatch(/First Message → Text/);
		expect(sim().countRequests({ route: 'conversations.create' })).toBe(0);
	});

	it("an inbox the agent's token does not see is named, before any conversation exists", async () => {
		// Ana is a member of inboxes 1 and 2, not of 3.
		const error = await runFail(sim(), start({ inboxId: locator(3), template: 'order_confirmation' }), { credentials: { accessToken: AGENT } });
		expect(error.message).toBe("Inbox 3 is not among the inboxes this token's user can see");
		expect(sim().countRequests({ route: 'conversations.create' })).toBe(0);
	});

	it('First Message → Text (the default) sends the Message text and reads no inbox', async () => {
		const [created] = await runOk(sim(), start({ firstMessage: 'text', message: 'Oi João!', template: 'order_confirmation' }));
		expect(sim().messages(1, created.id as number).map((m) => [m.message_type, m.content, m.additional_attributes.template_params])).toEqual([
			['outgoing', 'Oi João!', undefined],
		]);
		expect(sim().countRequests({ route: 'inboxes.*' })).toBe(0);
	});
});

describe('Conversation › Add Labels › Create Missing Labels: the tag is the account label\'s title', () => {
	const sim = useConversationSimulator() as () => LabelAndTemplateSimulator;

	it('a title typed with capitals: Klivo stores the account label lower-case, and the conversation is tagged the same', async () => {
		const [out] = await runOk(sim(), conversation({ operation: 'addLabels', conversationId: locator(1), labels: ['Novo-Cliente', 'VIP'], createMissing: true }));
		expect(sim().labels(1).map((label) => label.title)).toContain('novo-cliente');
		expect(out).toEqual({ conversation_id: 1, labels: ['lead', 'vip', 'novo-cliente'], createdAccountLabels: ['novo-cliente'] });
		expect(sim().conversation(1, 1)!.labels).toEqual(['lead', 'vip', 'novo-cliente']);
	});

	it('an account label kept with capitals (made before Klivo lowercased titles): tagged with that title, nothing created', async () => {
		sim().injectFault({
			route: 'labels.list',
			status: 200,
			body: { payload: [{ id: 9, title: 'Cliente-Antigo', description: null, color: '#1f93ff', show_on_sidebar: true }] },
		});
		const [out] = await runOk(sim(), conversation({ operation: 'addLabels', conversationId: locator(1), labels: ['cliente-antigo'], createMissing: true }));
		expect(out).toEqual({ conversation_id: 1, labels: ['lead', 'vip', 'Cliente-Antigo'] });
		expect(sim().countRequests({ route: 'labels.create' })).toBe(0);
	});
});
