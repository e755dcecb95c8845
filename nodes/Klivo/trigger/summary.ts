import type { IDataObject } from 'n8n-workflow';

export type SenderKind = 'contact' | 'agent' | 'bot';

function obj(value: unknown): IDataObject | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as IDataObject) : undefined;
}

function num(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	return undefined;
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

const MESSAGE_TYPES: Record<number, string> = { 0: 'incoming', 1: 'outgoing', 2: 'activity', 3: 'template' };

/** Top-level message_type is a string; inside conversation.messages[] it is a number. Accept both. */
export function messageType(payload: IDataObject): string | undefined {
	const value = payload.message_type;
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return MESSAGE_TYPES[value];
	return undefined;
}

export function isMessageEvent(event: string): boolean {
	return event === 'message_created' || event === 'message_updated';
}

function isContactEvent(event: string): boolean {
	return event === 'contact_created' || event === 'contact_updated';
}

/** Inbox id lives in a different place for each family of events. */
export function inboxId(payload: IDataObject): number | undefined {
	return num(obj(payload.inbox)?.id) ?? num(payload.inbox_id) ?? num(obj(payload.conversation)?.inbox_id);
}

export function conversationOf(event: string, payload: IDataObject): IDataObject | undefined {
	if (event.startsWith('conversation_') && !event.startsWith('conversation_typing')) return payload;
	if (event === 'webwidget_triggered') return obj(payload.current_conversation);
	return obj(payload.conversation);
}

/** A contact has no `type` key; agents are `user`, bots `agent_bot`. */
export function senderOf(event: string, payload: IDataObject): { kind: SenderKind; id?: number; name?: string } | undefined {
	const sender = obj(payload.sender) ?? (event.startsWith('conversation_typing') ? obj(payload.user) : undefined);
	if (!sender) return undefined;
	const type = typeof sender.type === 'string' ? sender.type.toLowerCase() : '';
	const kind: SenderKind = type === 'user' ? 'agent' : type === 'agent_bot' || type === 'agentbot' ? 'bot' : 'contact';
	return { kind, id: num(sender.id), name: str(sender.name) };
}

export function contactOf(event: string, payload: IDataObject): IDataObject | undefined {
	if (isContactEvent(event)) return payload;
	if (event === 'webwidget_triggered') return obj(payload.contact);
	const conversation = conversationOf(event, payload);
	const metaSender = obj(obj(conversation?.meta)?.sender);
	if (metaSender) return metaSender;
	const sender = obj(payload.sender);
	if (sender && senderOf(event, payload)?.kind === 'contact') return sender;
	return obj(payload.contact);
}

/** `changed_attributes` is an array of single-key objects; null on status changes. */
export function changedAttributeNames(payload: IDataObject): string[] {
	const changed = payload.changed_attributes;
	if (Array.isArray(changed)) {
		return changed.flatMap((entry) => (obj(entry) ? Object.keys(entry as IDataObject) : []));
	}
	const single = obj(changed);
	return single ? Object.keys(single) : [];
}

/** Conversation events carry the account only inside their messages. */
function accountIdOf(payload: IDataObject): number | undefined {
	const firstMessage = Array.isArray(payload.messages) ? obj(payload.messages[0]) : undefined;
	return num(obj(payload.account)?.id) ?? num(payload.account_id) ?? num(firstMessage?.account_id);
}

export interface DeliveryMeta {
	id?: string;
	timestamp?: number;
	signatureVerified: boolean;
	verifiedBy: 'signature' | 'urlToken';
}

/** The common cases, one expression away: `{{ $json.klivo.messageText }}` and friends. */
export function summarize(event: string, deliveredEvent: string, payload: IDataObject, delivery: DeliveryMeta): IDataObject {
	const conversation = conversationOf(event, payload);
	const contact = contactOf(event, payload);
	const sender = senderOf(event, payload);
	const message = isMessageEvent(event);
	return {
		event,
		deliveredEvent,
		messageText: message ? (str(payload.content) ?? null) : null,
		messageType: message ? (messageType(payload) ?? null) : null,
		isPrivate: message ? payload.private === true : null,
		conversationId: num(conversation?.id) ?? num(conversation?.display_id) ?? null,
		conversationStatus: str(conversation?.status) ?? null,
		inboxId: inboxId(payload) ?? null,
		contact: contact
			? {
					id: num(contact.id) ?? null,
					name: str(contact.name) ?? null,
					phone: str(contact.phone_number) ?? null,
					email: str(contact.email) ?? null,
				}
			: null,
		sender: sender ? { type: sender.kind, id: sender.id ?? null, name: sender.name ?? null } : null,
		changedAttributes: changedAttributeNames(payload),
		accountId: accountIdOf(payload) ?? null,
		delivery: {
			id: delivery.id ?? null,
			timestamp: delivery.timestamp ?? null,
			signatureVerified: delivery.signatureVerified,
			verifiedBy: delivery.verifiedBy,
		},
	};
}
