import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { description as contactDescription } from './contact';
import { description as conversationDescription } from './conversation';
import { description as labelDescription } from './label';
import { description as messageDescription } from './message';
import { description as webhookDescription } from './webhook';

/**
 * What an agent bot's token may do. Klivo (Chatwoot's `BOT_ACCESSIBLE_ENDPOINTS`) lets a bot call only
 * create/update conversation, toggle status/priority/typing, custom attributes, create message and
 * create assignment, and answers 401 to everything else. An operation is listed here only when every
 * request it makes is one of those, so a bot credential fails before any request instead of halfway.
 *
 * A function entry allows the operation only with some parameters and returns, otherwise, what to change.
 */
type Condition = (ctx: IExecuteFunctions, itemIndex: number) => string | undefined;

export const BOT_ALLOWED: Readonly<Record<string, true | Condition>> = {
	'conversation.assign': true,
	'conversation.create': true,
	// Merging reads the conversation first (GET, refused to bots); Replace All writes in one request.
	'conversation.setCustomAttributes': (ctx, itemIndex) => {
		const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
		return options.replace === true ? undefined : "turn on the option 'Replace All' (merging reads the conversation first, which Klivo refuses to bots)";
	},
	'conversation.setPriority': true,
	'conversation.setStatus': true,
	'conversation.setTyping': true,
	'message.addNote': true,
	'message.send': true,
};

export const TOKEN_TYPES = { user: 'user', agentBot: 'agentBot' } as const;

const DESCRIPTIONS: Record<string, INodeProperties[]> = {
	contact: contactDescription,
	conversation: conversationDescription,
	label: labelDescription,
	message: messageDescription,
	webhook: webhookDescription,
};

function capitalised(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** 'Message → Get Many', from the node's own option names, so the words match what the user picked. */
export function operationLabel(resource: string, operation: string): string {
	const property = (DESCRIPTIONS[resource] ?? []).find(
		(p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(resource),
	);
	const option = (property?.options ?? []).find((o) => 'value' in o && o.value === operation);
	return `${capitalised(resource)} → ${option?.name ?? operation}`;
}

export function botAllowedLabels(): string[] {
	return Object.entries(BOT_ALLOWED).map(([key, rule]) => {
		const [resource, operation] = key.split('.');
		const label = operationLabel(resource, operation);
		return rule === true ? label : `${label} (with Replace All)`;
	});
}

/** An AI support bot's usual tools that Klivo refuses to bots: said in the refusal, where it matters. */
const AI_TOOLS_NOT_FOR_BOTS = new Set(['message.getAll', 'conversation.addLabels', 'conversation.removeLabels', 'conversation.get']);

/**
 * Refuses, before any request, an operation Klivo would answer 401 to with an agent bot's token. The
 * token type is read by the caller once per execution (`tokenType`), not per item.
 */
export function assertBotMayRun(
	this: IExecuteFunctions,
	tokenType: unknown,
	resource: string,
	operation: string,
	itemIndex: number,
): void {
	if (tokenType !== TOKEN_TYPES.agentBot) return;
	const key = `${resource}.${operation}`;
	const rule = BOT_ALLOWED[key];
	if (rule === true) return;
	const change = typeof rule === 'function' ? rule(this, itemIndex) : undefined;
	if (typeof rule === 'function' && change === undefined) return;
	const label = operationLabel(resource, operation);
	const allowed = botAllowedLabels().join(', ');
	const hint = change
		? `To run it with the bot's token, ${change}.`
		: `Use a Klivo credential with a user's token (an administrator's or agent's) for this node.${
				AI_TOOLS_NOT_FOR_BOTS.has(key)
					? ' An AI support bot that reads the history or labels conversations needs such a credential on those tools; its replies can still be sent with the bot credential.'
					: ''
			}`;
	// An AI agent is told only the message of a tool's error, so what to do goes there too.
	const todo = change ? `${change} to run it with the bot's token` : "it needs a Klivo credential with a user's token";
	throw new NodeOperationError(this.getNode(), `Klivo does not let an agent bot's token use '${label}': ${todo}`, {
		itemIndex,
		description: `The Klivo API credential's Token Type is 'Agent bot'. Klivo lets bots only: ${allowed}. ${hint}`,
	});
}

/** The credential's token type; credentials saved before the field existed count as a user's token. */
export async function readTokenType(this: IExecuteFunctions): Promise<string> {
	const credentials = await this.getCredentials('klivoApi');
	return credentials.tokenType === TOKEN_TYPES.agentBot ? TOKEN_TYPES.agentBot : TOKEN_TYPES.user;
}
