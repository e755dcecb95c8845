'use strict';
/**
 * The demo workflows `npm start` imports (scripts/demo.js), as plain n8n workflow JSON, so that tests
 * and the screenshots script build the very same ones:
 *
 * - autoReplyWorkflow: Klivo Trigger (incoming messages) → Klivo "Send message": every customer
 *   message gets an answer. Imported active.
 * - aiSupportWorkflow: Klivo Trigger → AI Agent with n8n's OpenAI Chat Model and six Klivo tools (read
 *   the history, reply, private note, add labels, set status, assign). Imported inactive: the user
 *   picks their own OpenAI (or OpenAI-compatible) credential on the model node, then activates it.
 *
 *   const { autoReplyWorkflow, aiSupportWorkflow } = require('../tools/demo/workflows.js');
 *   autoReplyWorkflow({ credential: { id, name } })
 *   aiSupportWorkflow({ credential, toolCredential?, openAiCredential?, model?, systemMessage? })
 *
 * A credential is `{ id, name }` as n8n's API returns it. No dependencies: runs in plain Node.
 */
const crypto = require('node:crypto');

const PACKAGE = 'n8n-nodes-klivo';
const TRIGGER_TYPE = `${PACKAGE}.klivoTrigger`;
const ACTION_TYPE = `${PACKAGE}.klivo`;
// n8n gives a node that is `usableAsTool` a tool variant named after it with the suffix "Tool".
const TOOL_TYPE = `${ACTION_TYPE}Tool`;
const AGENT_TYPE = '@n8n/n8n-nodes-langchain.agent';
const MODEL_TYPE = '@n8n/n8n-nodes-langchain.lmChatOpenAi';

const uuid = () => crypto.randomUUID();
const credentialRef = (type, credential) => ({ [type]: { id: String(credential.id), name: credential.name } });
const locator = (value) => ({ __rl: true, mode: 'id', value });
const fromAI = (key, description, type = 'string') => `={{ $fromAI('${key}', ${JSON.stringify(description)}, '${type}') }}`;
/** Tools act on the conversation that started the run, never on one the model makes up. */
const TRIGGER_CONVERSATION = "={{ $('Klivo Trigger').item.json.klivo.conversationId }}";

const SUPPORT_SYSTEM_MESSAGE = [
	'You are the support assistant of a shop, answering customers in Klivo.',
	'First read the conversation history. Answer briefly and kindly, in the language the customer writes in.',
	'Add a fitting label (for example pagamento for payments, suporte for help requests).',
	'When the customer asks for a person, or you cannot solve the problem: tell the customer a person will take over,',
	'write a private note summarising the case for the team, assign the conversation to team 2 (suporte) and set its status to open.',
].join(' ');

function triggerNode(credential, position = [0, 0]) {
	return {
		id: uuid(),
		name: 'Klivo Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 1.1,
		position,
		webhookId: uuid(),
		// Message Types stays at its default, incoming only: the workflow's own replies do not start it again.
		parameters: { events: ['message_created'], options: {} },
		credentials: credentialRef('klivoApi', credential),
	};
}

/** Klivo Trigger (incoming messages) → Klivo Send message in the same conversation. */
function autoReplyWorkflow({ credential, name = 'Klivo demo: auto-reply to incoming messages', text } = {}) {
	const trigger = triggerNode(credential);
	const reply = {
		id: uuid(),
		name: 'Send reply',
		type: ACTION_TYPE,
		typeVersion: 1,
		position: [280, 0],
		parameters: {
			resource: 'message',
			operation: 'send',
			conversationId: locator('={{ $json.klivo.conversationId }}'),
			content:
				text ??
				'=Hi {{ $json.klivo.contact?.name ?? "there" }}, thanks for your message! We got: "{{ $json.klivo.messageText }}". A person will answer soon.',
			options: {},
		},
		credentials: credentialRef('klivoApi', credential),
	};
	return {
		name,
		nodes: [trigger, reply],
		connections: { [trigger.name]: { main: [[{ node: reply.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** The six Klivo tools of the support bot, as { name, parameters }. */
function supportTools() {
	const conversation = locator(TRIGGER_CONVERSATION);
	return [
		{ name: 'Read history', parameters: { resource: 'message', operation: 'getAll', conversationId: conversation, limit: 20, options: {} } },
		{
			name: 'Reply to customer',
			parameters: { resource: 'message', operation: 'send', conversationId: conversation, content: fromAI('content', 'The reply the customer reads, in their language'), options: {} },
		},
		{
			name: 'Write private note',
			parameters: {
				resource: 'message',
				operation: 'addNote',
				conversationId: conversation,
				content: fromAI('content', 'A summary for the person who takes over; the customer never sees it'),
				options: {},
			},
		},
		{
			name: 'Add labels',
			parameters: { resource: 'conversation', operation: 'addLabels', conversationId: conversation, labels: fromAI('labels', 'Label titles, separated by commas, e.g. pagamento') },
		},
		{
			name: 'Set status',
			parameters: { resource: 'conversation', operation: 'setStatus', conversationId: conversation, status: fromAI('status', 'One of open, pending, resolved, snoozed') },
		},
		{
			name: 'Assign to team',
			parameters: {
				resource: 'conversation',
				operation: 'assign',
				conversationId: conversation,
				assignTo: 'team',
				teamId: locator(fromAI('team', 'The team ID: 1 vendas (sales), 2 suporte (support)', 'number')),
			},
		},
	];
}

/**
 * Klivo Trigger → AI Agent, with the OpenAI Chat Model and the Klivo tools. `toolCredential` (default:
 * `credential`) is the one the tools use; `openAiCredential` absent leaves the model node without one,
 * for the user to choose. Reading the history and adding labels need a user's token: Klivo refuses
 * both to an agent bot's token.
 */
function aiSupportWorkflow({
	credential,
	toolCredential = credential,
	openAiCredential,
	name = 'Klivo demo: AI support bot',
	model = 'gpt-4.1-mini',
	systemMessage = SUPPORT_SYSTEM_MESSAGE,
	tools = supportTools(),
} = {}) {
	const trigger = triggerNode(credential);
	const agent = {
		id: uuid(),
		name: 'AI Agent',
		type: AGENT_TYPE,
		typeVersion: 3.1,
		position: [300, 0],
		parameters: {
			promptType: 'define',
			text: '=Customer message in Klivo conversation #{{ $json.klivo.conversationId }}:\n{{ $json.klivo.messageText }}',
			options: { systemMessage },
		},
	};
	const chatModel = {
		id: uuid(),
		name: 'OpenAI Chat Model',
		type: MODEL_TYPE,
		typeVersion: 1.3,
		position: [160, 240],
		parameters: { model: { __rl: true, mode: 'id', value: model }, responsesApiEnabled: false, options: {} },
		...(openAiCredential ? { credentials: credentialRef('openAiApi', openAiCredential) } : {}),
	};
	const toolNodes = tools.map((tool, i) => ({
		id: uuid(),
		name: tool.name,
		type: TOOL_TYPE,
		typeVersion: 1,
		position: [320 + i * 180, 240], // apart enough that the names under the nodes do not overlap
		parameters: tool.parameters,
		credentials: credentialRef('klivoApi', toolCredential),
	}));
	const connections = {
		[trigger.name]: { main: [[{ node: agent.name, type: 'main', index: 0 }]] },
		[chatModel.name]: { ai_languageModel: [[{ node: agent.name, type: 'ai_languageModel', index: 0 }]] },
	};
	for (const tool of toolNodes) connections[tool.name] = { ai_tool: [[{ node: agent.name, type: 'ai_tool', index: 0 }]] };
	return { name, nodes: [trigger, agent, chatModel, ...toolNodes], connections, settings: { executionOrder: 'v1' } };
}

module.exports = {
	autoReplyWorkflow,
	aiSupportWorkflow,
	supportTools,
	SUPPORT_SYSTEM_MESSAGE,
	TRIGGER_TYPE,
	ACTION_TYPE,
	TOOL_TYPE,
	AGENT_TYPE,
	MODEL_TYPE,
};
