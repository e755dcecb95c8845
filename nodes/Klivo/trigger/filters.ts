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
	ignoreSenderIds: number[];
	conversationStatuses: string[];
	changedAttributes: string[];
	includeActivityOnlyContactUpdates: boolean;
}

/** Every incoming message makes Klivo send a contact_updated that only touches these. */
const ACTIVITY_ONLY = new Set(['last_activity_at', 'updated_at']);

function idList(value: unknown): number[] {
	const parts = Array.isArray(value) ? value : String(value ?? '').split(/[\s,;]+/);
	return parts.map((part) => Number(String(part).trim())).filter((id) => Number.isInteger(id) && id > 0);
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
		ignoreSenderIds: idList(options.ignoreSenderIds),
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
	if (sender?.id !== undefined && filters.ignoreSenderIds.includes(sender.id)) return `sender ${sender.id}`;

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
