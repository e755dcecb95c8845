import type { IDataObject } from 'n8n-workflow';

import {
	changedAttributeNames,
	conversationOf,
	inboxId,
	isMessageEvent,
	messageType,
	senderOf,
	type SenderKind,
} from './summary';

export interface FilterConfig {
	messageTypes: string[];
	includePrivateNotes: boolean;
	inboxIds: number[];
	senderTypes: SenderKind[];
	/** `agent:4`, `bot:2`, `contact:845`; a bare number means an agent or bot (loop prevention). */
	ignoreSenders: Array<{ kind?: SenderKind; id: number }>;
	conversationStatuses: string[];
	changedAttributes: string[];
	includeActivityOnlyContactUpdates: boolean;
}

/** Every incoming message makes Klivo send a contact_updated that only touches these. */
const ACTIVITY_ONLY = new Set(['last_activity_at', 'updated_at']);

/** Lists come as text typed by a person (`12, 14`) or, from expressions, as arrays; empty means none. */
function idList(value: unknown): number[] {
	const parts = Array.isArray(value) ? value : String(value ?? '').split(/[\s,;]+/);
	return parts.map((part) => Number(String(part).trim())).filter((id) => Number.isInteger(id) && id > 0);
}

const SENDER_KINDS: Record<string, SenderKind> = { agent: 'agent', user: 'agent', bot: 'bot', agent_bot: 'bot', contact: 'contact' };

/** Contacts, agents and bots are numbered separately in Klivo, so an ID may carry its kind. */
function senderList(value: unknown): Array<{ kind?: SenderKind; id: number }> {
	const entries = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[,;\n]+/);
	return entries.flatMap((entry) => {
		const match = /^\s*(?:([a-z_]+)\s*:\s*)?(\d+)\s*$/i.exec(entry);
		if (!match) return [];
		const kind = match[1] ? SENDER_KINDS[match[1].toLowerCase()] : undefined;
		if (match[1] && !kind) return [];
		return [{ kind, id: Number(match[2]) }];
	});
}

/** A bare ID stands for the agents and bots a workflow replies as, never for a customer. */
function matchesKind(wanted: SenderKind | undefined, actual: SenderKind): boolean {
	return wanted === undefined ? actual !== 'contact' : wanted === actual;
}

function stringList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value : String(value ?? '').split(/[\s,;]+/);
	return parts.map((part) => String(part).trim()).filter((part) => part !== '');
}

/** Defaults protect operators from loops: incoming messages only, no private notes, no activity noise. */
export function readFilters(options: IDataObject): FilterConfig {
	return {
		messageTypes: options.messageTypes === undefined ? ['incoming'] : stringList(options.messageTypes),
		includePrivateNotes: options.includePrivateNotes === true,
		inboxIds: idList(options.inboxIds),
		senderTypes: stringList(options.senderTypes) as SenderKind[],
		ignoreSenders: senderList(options.ignoreSenderIds),
		conversationStatuses: stringList(options.conversationStatuses),
		changedAttributes: stringList(options.changedAttributes),
		includeActivityOnlyContactUpdates: options.includeActivityOnlyContactUpdates === true,
	};
}

/** Why a delivery is dropped, or undefined when it passes. */
export function filterReason(event: string, payload: IDataObject, filters: FilterConfig): string | undefined {
	if (isMessageEvent(event)) {
		const type = messageType(payload);
		if (filters.messageTypes.length > 0 && !filters.messageTypes.includes(type ?? '')) {
			return `message type ${type ?? 'unknown'}`;
		}
		if (payload.private === true && !filters.includePrivateNotes) return 'private note';
	}

	const sender = senderOf(event, payload);
	if (filters.senderTypes.length > 0 && sender && !filters.senderTypes.includes(sender.kind)) {
		return `sender type ${sender.kind}`;
	}
	if (sender?.id !== undefined && filters.ignoreSenders.some((s) => s.id === sender.id && matchesKind(s.kind, sender.kind))) {
		return `sender ${sender.kind} ${sender.id}`;
	}

	if (filters.inboxIds.length > 0) {
		const inbox = inboxId(payload);
		if (inbox === undefined || !filters.inboxIds.includes(inbox)) return `inbox ${inbox ?? 'unknown'}`;
	}

	if (filters.conversationStatuses.length > 0) {
		const status = conversationOf(event, payload)?.status;
		if (typeof status !== 'string' || !filters.conversationStatuses.includes(status)) {
			return `conversation status ${typeof status === 'string' ? status : 'unknown'}`;
		}
	}

	if (event.endsWith('_updated') && !isMessageEvent(event)) {
		const changed = changedAttributeNames(payload);
		if (filters.changedAttributes.length > 0 && !changed.some((name) => filters.changedAttributes.includes(name))) {
			return 'none of the watched attributes changed';
		}
		if (
			event === 'contact_updated' &&
			!filters.includeActivityOnlyContactUpdates &&
			changed.length > 0 &&
			changed.every((name) => ACTIVITY_ONLY.has(name))
		) {
			return 'only activity timestamps changed';
		}
	}
	return undefined;
}
