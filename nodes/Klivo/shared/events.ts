import type { INodePropertyOptions } from 'n8n-workflow';

export interface KlivoEvent {
	value: string;
	name: string;
	description: string;
	/** Listed on Klivo's own documentation page */
	documented: boolean;
}

/**
 * The one event catalogue, shared by the action node (Create/Update/Ensure) and the trigger.
 * Klivo documents seven events; Chatwoot's server code accepts four more, which Klivo (a rebranded
 * Chatwoot) delivers too.
 */
export const KLIVO_EVENTS: readonly KlivoEvent[] = [
	{
		value: 'contact_created',
		name: 'Contact Created',
		description: 'A contact was created',
		documented: true,
	},
	{
		value: 'contact_updated',
		name: 'Contact Updated',
		description: 'A contact changed (name, e-mail, phone, attributes)',
		documented: true,
	},
	{
		value: 'conversation_created',
		name: 'Conversation Created',
		description: 'A new conversation started',
		documented: true,
	},
	{
		value: 'conversation_resolved',
		name: 'Conversation Resolved',
		description:
			'A conversation was resolved. Servers that reject this event deliver it as a status change instead.',
		documented: true,
	},
	{
		value: 'conversation_status_changed',
		name: 'Conversation Status Changed',
		description: 'A conversation was opened, resolved, snoozed or set pending',
		documented: false,
	},
	{
		value: 'conversation_typing_off',
		name: 'Conversation Typing Off',
		description: 'Someone stopped typing in a conversation',
		documented: false,
	},
	{
		value: 'conversation_typing_on',
		name: 'Conversation Typing On',
		description: 'Someone started typing in a conversation',
		documented: false,
	},
	{
		value: 'conversation_updated',
		name: 'Conversation Updated',
		description: 'A conversation changed (assignee, labels, attributes)',
		documented: true,
	},
	{
		value: 'message_created',
		name: 'Message Created',
		description: 'A message was sent or received, including private notes',
		documented: true,
	},
	{
		value: 'message_updated',
		name: 'Message Updated',
		description: 'A message changed, e.g. its delivery status became read',
		documented: false,
	},
	{
		value: 'webwidget_triggered',
		name: 'Web Widget Triggered',
		description: 'A visitor opened the web chat widget',
		documented: true,
	},
];

export const EVENT_NAMES: readonly string[] = KLIVO_EVENTS.map((event) => event.value);

/** Chatwoot rejects this subscription; its server announces resolutions as a status change. */
export const RESOLVED_EVENT = 'conversation_resolved';
export const STATUS_CHANGED_EVENT = 'conversation_status_changed';

export const EVENT_OPTIONS: INodePropertyOptions[] = KLIVO_EVENTS.map(({ name, value, description }) => ({
	name,
	value,
	description,
}));

export function isKnownEvent(value: unknown): boolean {
	return typeof value === 'string' && EVENT_NAMES.includes(value);
}

/** Order-insensitive comparison of two subscription lists. */
export function sameEvents(a: readonly string[], b: readonly string[]): boolean {
	const left = new Set(a);
	const right = new Set(b);
	if (left.size !== right.size) return false;
	for (const event of left) if (!right.has(event)) return false;
	return true;
}

/**
 * What to subscribe to on a server, given whether it accepts conversation_resolved. Shared by the
 * trigger and by Ensure "For a Klivo Trigger URL", so that both register the same subscription.
 */
export function subscriptionFor(chosen: readonly string[], resolvedViaStatus: boolean): string[] {
	const events = new Set(chosen);
	if (resolvedViaStatus && events.has(RESOLVED_EVENT)) {
		events.delete(RESOLVED_EVENT);
		events.add(STATUS_CHANGED_EVENT);
	}
	return [...events].sort();
}
