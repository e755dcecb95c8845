/**
 * The Message resource of the Klivo action node, through n8n-core's real ExecuteContext, over real
 * HTTP against the simulator's conversations and messages (seed: tools/simulator/README.md).
 */
import { ExecuteContext } from 'n8n-core';
import type { IDataObject, INodeExecutionData, INodeParameters, IRunExecutionData } from 'n8n-workflow';

import { makeHarness, nodeTypes, type RunResult } from '../helpers/n8n';
import { AGENT, credentialsFor, expectNoLeaks, locator, useSimulator, type Simulator } from './support';

interface SimAttachment {
	id: number;
	message_id: number;
	file_name: string;
	content_type: string;
	file_type: string;
	file_size: number;
	data: Buffer;
}

interface SimMessage {
	id: number;
	conversation_id: number;
	content: string | null;
	message_type: string;
	content_attributes: IDataObject;
	private: boolean;
	additional_attributes: IDataObject;
	attachments: SimAttachment[];
}

/** The part of the simulator's resources API (tools/simulator/README.md) these tests use. */
interface MessageSimulator extends Simulator {
	addConversation(account: number, fields: IDataObject): { id: number; inbox_id: number };
	addMessage(account: number, displayId: number, fields: IDataObject): SimMessage;
	messages(account: number, displayId: number): SimMessage[];
	clearRequests(): void;
}

/** Seeded conversations (README "Seed"): #1 WhatsApp (inbox 2), #2 web chat, #4 API inbox. */
const WHATSAPP = 1;
const WEB_CHAT = 2;
const MISSING = 9876;

function expectOk(result: RunResult): IDataObject[] {
	if (result.error) throw new Error(`expected success, got: ${result.error.message} (${result.error.description ?? ''})`);
	return (result.output?.[0] ?? []).map((item) => item.json);
}

function expectError(result: RunResult): NonNullable<RunResult['error']> {
	if (!result.error) throw new Error(`expected an error, got output ${JSON.stringify(result.output)}`);
	return result.error;
}

interface MessageRun {
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	accessToken?: string;
}

/** Runs the node on the message resource; items may carry binary data (support.ts's run takes JSON only). */
async function run(sim: Simulator, parameters: IDataObject, options: MessageRun = {}): Promise<RunResult> {
	const { workflow, node, additionalData } = makeHarness({
		parameters: { resource: 'message', ...parameters } as INodeParameters,
		credentials: credentialsFor(sim, options.accessToken ? { accessToken: options.accessToken } : {}),
		continueOnFail: options.continueOnFail,
	});
	const items = options.items ?? [{ json: {} }];
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'manual',
		{ resultData: { runData: {} } } as IRunExecutionData,
		0,
		items,
		{ main: [items] },
		{ node, data: { main: [items] }, source: null },
		[],
	);
	let result: RunResult;
	try {
		result = { output: (await nodeTypes.getByNameAndVersion(node.type).execute!.call(context)) as INodeExecutionData[][] };
	} catch (error) {
		result = { error: error as RunResult['error'] };
	}
	expectNoLeaks(sim, result.output ?? result.error);
	return result;
}

function conversation(id: number | string): IDataObject {
	return locator(id);
}

function binaryItem(files: Record<string, { bytes: Buffer; fileName: string; mimeType: string }>, json: IDataObject = {}): INodeExecutionData {
	const binary: INodeExecutionData['binary'] = {};
	for (const [name, file] of Object.entries(files)) {
		binary[name] = { data: file.bytes.toString('base64'), fileName: file.fileName, mimeType: file.mimeType };
	}
	return { json, binary };
}

/** Bytes that a text re-encoding anywhere on the way would change. */
function awkwardBytes(size: number, seed: number): Buffer {
	const bytes = Buffer.alloc(size);
	for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) % 256;
	bytes.write('\r\n--boundary\r\n', 10, 'latin1');
	return bytes;
}

describe('Klivo node, Message resource', () => {
	const started = useSimulator('chatwoot');
	const sim = () => started() as MessageSimulator;

	function messageRequests(): number {
		return sim().countRequests({ route: 'messages.*' });
	}

	describe('send', () => {
		it('posts one outgoing reply and outputs the server message with message_type as a name', async () => {
			const before = sim().messages(1, WHATSAPP).length;
			const [item] = expectOk(await run(sim(), { operation: 'send', conversationId: conversation(WHATSAPP), content: 'Olá Maria! O plano Pro custa R$ 99/mês.' }));
			expect(item).toMatchObject({ content: 'Olá Maria! O plano Pro custa R$ 99/mês.', conversation_id: WHATSAPP, message_type: 'outgoing', private: false });
			expect(typeof item.id).toBe('number');
			// The server's own keys, as Chatwoot's documentation names them (§1.8 partial).
			expect(Object.keys(item).slice(0, 4)).toEqual(['id', 'content', 'inbox_id', 'conversation_id']);
			const stored = sim().messages(1, WHATSAPP);
			expect(stored).toHaveLength(before + 1);
			expect(stored.at(-1)).toMatchObject({ id: item.id, message_type: 'outgoing', private: false });
			expect(sim().countRequests({ route: 'messages.create' })).toBe(1);
		});

		it('accepts the conversation as "#1287" and from an expression on the trigger output', async () => {
			const [first] = expectOk(await run(sim(), { operation: 'send', conversationId: conversation(`#${WHATSAPP}`), content: 'um' }));
			expect(first.conversation_id).toBe(WHATSAPP);
			const [second] = expectOk(
				await run(
					sim(),
					{ operation: 'send', conversationId: { __rl: true, mode: 'id', value: '={{ $json.klivo.conversationId }}' }, content: '={{ $json.klivo.messageText }} recebido' },
					{ items: [{ json: { klivo: { conversationId: WEB_CHAT, messageText: 'Pedido' } } }] },
				),
			);
			expect(second).toMatchObject({ conversation_id: WEB_CHAT, content: 'Pedido recebido' });
		});

		it('sends two files in ONE multipart request as attachments[], byte-identical, with names and sizes', async () => {
			const pdf = awkwardBytes(70_000, 1);
			const png = awkwardBytes(1_234, 2);
			const item = binaryItem({
				data: { bytes: pdf, fileName: 'comprovante.pdf', mimeType: 'application/pdf' },
				photo: { bytes: png, fileName: 'foto.png', mimeType: 'image/png' },
			});
			const [output] = expectOk(
				await run(sim(), { operation: 'send', conversationId: conversation(WHATSAPP), content: 'Segue o comprovante', options: { attachments: 'data, photo' } }, { items: [item] }),
			);
			expect(sim().countRequests({ route: 'messages.create' })).toBe(1);
			const stored = sim().messages(1, WHATSAPP).at(-1)!;
			expect(stored.id).toBe(output.id);
			expect(stored.content).toBe('Segue o comprovante');
			expect(stored.attachments.map((a) => [a.file_name, a.content_type, a.file_size])).toEqual([
				['comprovante.pdf', 'application/pdf', pdf.length],
				['foto.png', 'image/png', png.length],
			]);
			expect(Buffer.compare(stored.attachments[0].data, pdf)).toBe(0);
			expect(Buffer.compare(stored.attachments[1].data, png)).toBe(0);
			const attachments = output.attachments as IDataObject[];
			expect(attachments.map((a) => a.file_type)).toEqual(['file', 'image']);
			expect(attachments.map((a) => a.file_size)).toEqual([pdf.length, png.length]);
		});

		it('sends files without text', async () => {
			const bytes = awkwardBytes(500, 3);
			const [output] = expectOk(
				await run(sim(), { operation: 'send', conversationId: conversation(WHATSAPP), content: '', options: { attachments: 'data' } }, {
					items: [binaryItem({ data: { bytes, fileName: 'nota.txt', mimeType: 'text/plain' } })],
				}),
			);
			expect((output.attachments as IDataObject[]).length).toBe(1);
			expect(Buffer.compare(sim().messages(1, WHATSAPP).at(-1)!.attachments[0].data, bytes)).toBe(0);
		});

		it('answers a message with replyTo (content_attributes.in_reply_to)', async () => {
			const customer = sim().messages(1, WHATSAPP)[0];
			const [output] = expectOk(
				await run(sim(), { operation: 'send', conversationId: conversation(WHATSAPP), content: 'Sim!', options: { replyTo: String(customer.id) } }),
			);
			expect(sim().messages(1, WHATSAPP).at(-1)!.content_attributes).toMatchObject({ in_reply_to: customer.id });
			expect(output.content_attributes).toMatchObject({ in_reply_to: customer.id });
		});

		it('refuses an empty reply with no files before any request', async () => {
			sim().clearRequests();
			const error = expectError(await run(sim(), { operation: 'send', conversationId: conversation(WHATSAPP), content: '   ' }));
			expect(error.message).toMatch(/Nothing to send: the reply is empty and has no files/);
			expect(sim().requests).toHaveLength(0);
		});

		it('names the missing binary property and the ones the item has', async () => {
			sim().clearRequests();
			const error = expectError(
				await run(sim(), { operation: 'send', conversationId: conversation(WHATSAPP), content: 'x', options: { attachments: 'invoice' } }, {
					items: [binaryItem({ data: { bytes: Buffer.from('a'), fileName: 'a.txt', mimeType: 'text/plain' } })],
				}),
			);
			expect(error.message).toContain("no binary property 'invoice'");
			expect(error.description).toContain('data');
			expect(sim().requests).toHaveLength(0);
		});

		it('says a 404 is about the conversation number shown in Klivo', async () => {
			const error = expectError(await run(sim(), { operation: 'send', conversationId: conversation(MISSING), content: 'Oi' }));
			expect(error.message).toBe(`Conversation #${MISSING} does not exist in account 1`);
			expect(error.description).toContain(`number shown in Klivo (#${MISSING})`);
			expect(error.httpCode).toBe('404');
		});

		it("says when an agent's token may not see the conversation's inbox", async () => {
			// Ana (agent-token-1) is a member of inboxes 1 and 2, not of the API inbox 3 (conversation #4).
			const error = expectError(await run(sim(), { operation: 'send', conversationId: conversation(4), content: 'Oi' }, { accessToken: AGENT }));
			expect(error.message).toBe("This token's user may not see conversation #4");
			expect(error.description).toMatch(/add the agent to the conversation's inbox/);
		});

		it('quotes the reason of a 422', async () => {
			sim().injectFault({ route: 'messages.create', status: 422, body: { error: 'Validation failed: Too many messages' } });
			const error = expectError(await run(sim(), { operation: 'send', conversationId: conversation(WHATSAPP), content: 'Oi' }));
			expect(error.message).toBe('Klivo refused the message: Validation failed: Too many messages');
		});
	});

	describe('addNote', () => {
		it('adds a private note, with a file', async () => {
			const bytes = awkwardBytes(2_000, 4);
			const [output] = expectOk(
				await run(sim(), { operation: 'addNote', conversationId: conversation(WHATSAPP), content: 'Cliente quer o plano Pro; passar para vendas.', options: { attachments: 'data' } }, {
					items: [binaryItem({ data: { bytes, fileName: 'resumo.txt', mimeType: 'text/plain' } })],
				}),
			);
			expect(output).toMatchObject({ private: true, message_type: 'outgoing', content: 'Cliente quer o plano Pro; passar para vendas.' });
			const stored = sim().messages(1, WHATSAPP).at(-1)!;
			expect(stored.private).toBe(true);
			expect(Buffer.compare(stored.attachments[0].data, bytes)).toBe(0);
		});

		it('refuses an empty note before any request', async () => {
			sim().clearRequests();
			const error = expectError(await run(sim(), { operation: 'addNote', conversationId: conversation(WHATSAPP), content: '' }));
			expect(error.message).toMatch(/the note is empty/);
			expect(sim().requests).toHaveLength(0);
		});
	});

	describe('getAll', () => {
		/** A fresh conversation with `count` messages: every 7th a private note, every 10th activity. */
		function longConversation(count: number): { id: number; messages: SimMessage[] } {
			const { id } = sim().addConversation(1, { inbox_id: 1, contact_id: 2, status: 'open' });
			for (let i = 1; i <= count; i++) {
				const fields: IDataObject = { content: `mensagem ${i}`, message_type: i % 2 === 0 ? 'outgoing' : 'incoming' };
				if (i % 7 === 0) Object.assign(fields, { message_type: 'outgoing', private: true, content: `nota ${i}` });
				if (i % 10 === 0) Object.assign(fields, { message_type: 'activity', private: false, content: `atividade ${i}` });
				sim().addMessage(1, id, fields);
			}
			return { id, messages: sim().messages(1, id) };
		}

		const wanted = (m: SimMessage, notes: boolean, activity: boolean) => (notes || !m.private) && (activity || m.message_type !== 'activity');

		it('returns the whole history oldest first over several pages, without gaps or duplicates', async () => {
			const { id, messages } = longConversation(67);
			sim().clearRequests();
			const items = expectOk(await run(sim(), { operation: 'getAll', conversationId: conversation(id), returnAll: true, options: { includeActivity: true } }));
			expect(items.map((m) => m.id)).toEqual(messages.map((m) => m.id));
			expect(sim().countRequests({ route: 'messages.list' })).toBe(4); // 20 + 20 + 20 + 7
			expect(new Set(items.map((m) => m.message_type))).toEqual(new Set(['incoming', 'outgoing', 'activity']));
		});

		it('stops on an exact multiple of the page size after one empty page', async () => {
			const { id, messages } = longConversation(40);
			sim().clearRequests();
			const items = expectOk(await run(sim(), { operation: 'getAll', conversationId: conversation(id), returnAll: true, options: { includeActivity: true } }));
			expect(items.map((m) => m.id)).toEqual(messages.map((m) => m.id));
			expect(sim().countRequests({ route: 'messages.list' })).toBe(3);
		});

		it('with a limit, returns the latest messages in reading order and fetches only the pages needed', async () => {
			const { id, messages } = longConversation(67);
			sim().clearRequests();
			const items = expectOk(await run(sim(), { operation: 'getAll', conversationId: conversation(id), limit: 25, options: { includeActivity: true } }));
			expect(items.map((m) => m.id)).toEqual(messages.slice(-25).map((m) => m.id));
			expect(sim().countRequests({ route: 'messages.list' })).toBe(2);
		});

		it('defaults: 20 messages, private notes in, activity out', async () => {
			const { id, messages } = longConversation(67);
			const items = expectOk(await run(sim(), { operation: 'getAll', conversationId: conversation(id) }));
			expect(items.map((m) => m.id)).toEqual(messages.filter((m) => wanted(m, true, false)).slice(-20).map((m) => m.id));
			expect(items.some((m) => m.private === true)).toBe(true);
			expect(items.some((m) => m.message_type === 'activity')).toBe(false);
		});

		it.each([
			[false, true],
			[false, false],
			[true, true],
		])('filters with includePrivateNotes=%s, includeActivity=%s, over every page', async (notes, activity) => {
			const { id, messages } = longConversation(67);
			const items = expectOk(
				await run(sim(), { operation: 'getAll', conversationId: conversation(id), returnAll: true, options: { includePrivateNotes: notes, includeActivity: activity } }),
			);
			expect(items.map((m) => m.id)).toEqual(messages.filter((m) => wanted(m, notes, activity)).map((m) => m.id));
		});

		it('outputs one item per message, each paired with its input item', async () => {
			const { id } = longConversation(3);
			const result = await run(sim(), { operation: 'getAll', conversationId: conversation(id), returnAll: true }, { items: [{ json: { a: 1 } }, { json: { a: 2 } }] });
			const output = result.output![0];
			expect(output).toHaveLength(6);
			expect(output.map((item) => item.pairedItem)).toEqual([0, 0, 0, 1, 1, 1].map((item) => ({ item })));
		});
	});

	describe('delete', () => {
		it('deletes a message and outputs it as the server left it', async () => {
			const target = sim().messages(1, WHATSAPP)[0];
			const [output] = expectOk(await run(sim(), { operation: 'delete', conversationId: conversation(WHATSAPP), messageId: String(target.id) }));
			expect(output).toMatchObject({ id: target.id, content: 'This message was deleted', content_attributes: { deleted: true } });
			expect(typeof output.message_type).toBe('string');
		});

		it('names the message and the conversation when the message is not in it', async () => {
			const other = sim().messages(1, WEB_CHAT)[0];
			const error = expectError(await run(sim(), { operation: 'delete', conversationId: conversation(WHATSAPP), messageId: String(other.id) }));
			expect(error.message).toBe(`Message ${other.id} was not found in conversation #${WHATSAPP} of account 1`);
		});

		it('refuses a message ID that is not a number before any request', async () => {
			sim().clearRequests();
			const error = expectError(await run(sim(), { operation: 'delete', conversationId: conversation(WHATSAPP), messageId: 'abc' }));
			expect(error.message).toBe("'abc' is not a message ID");
			expect(sim().requests).toHaveLength(0);
		});
	});

	describe('sendTemplate', () => {
		function sent(): SimMessage {
			return sim().messages(1, WHATSAPP).at(-1)!;
		}

		it('sends an approved positional template with template_params, after checking it', async () => {
			sim().clearRequests();
			const [output] = expectOk(
				await run(sim(), { operation: 'sendTemplate', conversationId: conversation(WHATSAPP), template: { __rl: true, mode: 'list', value: 'order_confirmation|pt_BR' }, parameters: '["Maria", "#1287"]' }),
			);
			expect(sent().additional_attributes.template_params).toEqual({
				name: 'order_confirmation',
				language: 'pt_BR',
				category: expect.any(String),
				processed_params: { body: { '1': 'Maria', '2': '#1287' } },
			});
			expect(output.content).toContain('Maria');
			expect(output.content).toContain('#1287');
			expect(output.content).not.toContain('{{');
			expect(sim().countRequests({ route: 'conversations.get' })).toBe(1);
			expect(sim().countRequests({ route: 'inboxes.get' })).toBe(1);
			expect(sim().countRequests({ route: 'messages.create' })).toBe(1);
		});

		it('takes the name alone (any case) and parameters by name, a header URL and a button value', async () => {
			expectOk(
				await run(sim(), {
					operation: 'sendTemplate',
					conversationId: conversation(WHATSAPP),
					template: { __rl: true, mode: 'name', value: 'Appointment_Reminder' },
					parameters: { date: '30/05', customer_name: 'Maria' },
					options: { headerMediaUrl: 'https://example.com/clinic.jpg', buttonParameters: '["1287"]' },
				}),
			);
			const params = sent().additional_attributes.template_params as IDataObject;
			expect(params).toMatchObject({ name: 'appointment_reminder', language: 'pt_BR' });
			expect(params.processed_params).toEqual({
				body: { date: '30/05', customer_name: 'Maria' },
				header: { media_url: 'https://example.com/clinic.jpg', media_type: 'image' },
				buttons: [{ type: 'url', parameter: '1287' }],
			});
			expect(sent().content).toBe('Olá Maria, lembrete da sua consulta em 30/05.');
		});

		it("maps an array in order onto a named template's placeholders", async () => {
			expectOk(
				await run(sim(), {
					operation: 'sendTemplate',
					conversationId: conversation(WHATSAPP),
					template: { __rl: true, mode: 'list', value: 'appointment_reminder|pt_BR' },
					parameters: '["Maria", "30/05"]',
					options: { headerMediaUrl: 'https://example.com/clinic.jpg' },
				}),
			);
			expect((sent().additional_attributes.template_params as IDataObject).processed_params).toEqual({
				body: { customer_name: 'Maria', date: '30/05' },
				header: { media_url: 'https://example.com/clinic.jpg', media_type: 'image' },
			});
		});

		it('names missing named placeholders and a missing header image before sending', async () => {
			sim().clearRequests();
			const template = { __rl: true, mode: 'list', value: 'appointment_reminder|pt_BR' };
			const missing = expectError(await run(sim(), { operation: 'sendTemplate', conversationId: conversation(WHATSAPP), template, parameters: { customer_name: 'Maria' } }));
			expect(missing.message).toBe("The parameters do not match template 'appointment_reminder': missing {{date}}");
			const header = expectError(await run(sim(), { operation: 'sendTemplate', conversationId: conversation(WHATSAPP), template, parameters: '["Maria", "30/05"]' }));
			expect(header.message).toBe("Template 'appointment_reminder' shows an image in its header: give its URL");
			expect(sim().countRequests({ route: 'messages.create' })).toBe(0);
		});

		it('refuses an unknown template, naming the ones that exist, and sends nothing', async () => {
			sim().clearRequests();
			const error = expectError(
				await run(sim(), { operation: 'sendTemplate', conversationId: conversation(WHATSAPP), template: { __rl: true, mode: 'name', value: 'order_confirmaton' }, parameters: '[]' }),
			);
			expect(error.message).toBe("Inbox 'WhatsApp Vendas' has no WhatsApp template 'order_confirmaton'");
			expect(error.description).toContain('order_confirmation (pt_BR)');
			expect(error.description).toContain('welcome_offer (en_US)');
			expect(error.description).toMatch(/Not approved: black_friday \(pt_BR\): REJECTED/);
			expect(sim().countRequests({ route: 'messages.create' })).toBe(0);
		});

		it('refuses a template WhatsApp has not approved', async () => {
			const error = expectError(
				await run(sim(), { operation: 'sendTemplate', conversationId: conversation(WHATSAPP), template: { __rl: true, mode: 'name', value: 'black_friday|pt_BR' }, parameters: '[]' }),
			);
			expect(error.message).toMatch(/^WhatsApp has not approved template 'black_friday \(pt_BR\)': black_friday \(pt_BR\) is REJECTED/);
			expect(error.description).toContain('order_confirmation (pt_BR)');
			expect(sim().countRequests({ route: 'messages.create' })).toBe(0);
		});

		it('refuses a known template in a language it does not have', async () => {
			const error = expectError(
				await run(sim(), { operation: 'sendTemplate', conversationId: conversation(WHATSAPP), template: { __rl: true, mode: 'name', value: 'order_confirmation|en_US' }, parameters: '["a","b"]' }),
			);
			expect(error.message).toContain("no WhatsApp template 'order_confirmation (en_US)'");
		});

		it('says how many body parameters the template takes', async () => {
			const error = expectError(
				await run(sim(), { operation: 'sendTemplate', conversationId: conversation(WHATSAPP), template: { __rl: true, mode: 'list', value: 'order_confirmation|pt_BR' }, parameters: '["Maria"]' }),
			);
			expect(error.message).toBe("Template 'order_confirmation' takes 2 body parameters, not 1");
			expect(error.description).toContain('{{1}}, {{2}}');
			expect(sim().countRequests({ route: 'messages.create' })).toBe(0);
		});

		it('refuses a conversation outside a WhatsApp inbox', async () => {
			const error = expectError(
				await run(sim(), { operation: 'sendTemplate', conversationId: conversation(WEB_CHAT), template: { __rl: true, mode: 'name', value: 'order_confirmation' }, parameters: '["a","b"]' }),
			);
			expect(error.message).toBe(`Conversation #${WEB_CHAT} is in inbox 'Site Klivo', which is not a WhatsApp inbox`);
			expect(error.description).toContain('Send operation');
		});

		it('says a 404 is about the conversation number', async () => {
			const error = expectError(
				await run(sim(), { operation: 'sendTemplate', conversationId: conversation(MISSING), template: { __rl: true, mode: 'name', value: 'order_confirmation' }, parameters: '[]' }),
			);
			expect(error.message).toBe(`Conversation #${MISSING} does not exist in account 1`);
		});
	});

	describe('item loop', () => {
		it('continues on fail with one output per item, paired, and the error in its own words', async () => {
			const result = await run(
				sim(),
				{ operation: 'send', conversationId: { __rl: true, mode: 'id', value: '={{ $json.conversation }}' }, content: '={{ $json.text }}' },
				{
					continueOnFail: true,
					items: [
						{ json: { conversation: WHATSAPP, text: 'primeiro' } },
						{ json: { conversation: MISSING, text: 'perdido' } },
						{ json: { conversation: WHATSAPP, text: '' } },
						{ json: { conversation: WEB_CHAT, text: 'terceiro' } },
					],
				},
			);
			const output = result.output![0];
			expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
			expect(output[0].json).toMatchObject({ content: 'primeiro', conversation_id: WHATSAPP });
			expect(JSON.stringify(output[1].json.error)).toContain(`Conversation #${MISSING} does not exist`);
			expect(JSON.stringify(output[2].json.error)).toContain('Nothing to send');
			expect(output[3].json).toMatchObject({ content: 'terceiro', conversation_id: WEB_CHAT });
			expect(sim().countRequests({ route: 'messages.create' })).toBe(3);
		});

		it('stops at the first failing item without continueOnFail, naming the item', async () => {
			const error = expectError(
				await run(sim(), { operation: 'send', conversationId: { __rl: true, mode: 'id', value: '={{ $json.conversation }}' }, content: 'x' }, {
					items: [{ json: { conversation: WHATSAPP } }, { json: { conversation: MISSING } }],
				}),
			);
			expect((error as unknown as { context: IDataObject }).context.itemIndex).toBe(1);
		});
	});
});
