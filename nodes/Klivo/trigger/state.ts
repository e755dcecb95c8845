import type { IDataObject } from 'n8n-workflow';

import { EVENT_NAMES } from '../shared/events';

/** What the trigger remembers about its registration, in the node's static data. */
export interface TriggerState extends IDataObject {
	webhookId?: number;
	/**
	 * The URL this node registered (n8n's production or test URL with our token): deliveries and secret
	 * look-ups find our webhook by it, never by whatever URL n8n would give the node now.
	 */
	url?: string;
	/** Signing secret (Chatwoot 4.12+); never output or logged. */
	secret?: string;
	/** The token in the registered URL's query string. */
	urlToken?: string;
	/** The server rejects conversation_resolved, so we subscribe to status changes instead. */
	resolvedViaStatus?: boolean;
}

export const ALL_EVENTS = '*';

export function clearState(state: TriggerState, keepHints = false): void {
	const viaStatus = state.resolvedViaStatus;
	for (const key of Object.keys(state)) delete state[key];
	if (keepHints && viaStatus !== undefined) state.resolvedViaStatus = viaStatus;
}

function isPlainChoice(value: unknown): value is readonly string[] {
	if (!Array.isArray(value)) return false;
	for (let i = 0; i < value.length; i++) {
		const event = value[i] as unknown;
		if (typeof event !== 'string' || !EVENT_NAMES.includes(event) || value.indexOf(event) !== i) return false;
	}
	return true;
}

/** The user's choice, '*' expanded; unknown values are left out. */
export function chosenEvents(value: unknown): readonly string[] {
	// Known, distinct names (what the editor stores): used as they are, read on every delivery.
	if (isPlainChoice(value)) return value;
	const list = Array.isArray(value) ? value.map(String) : [];
	if (list.includes(ALL_EVENTS)) return [...EVENT_NAMES];
	return [...new Set(list.filter((event) => EVENT_NAMES.includes(event)))];
}
