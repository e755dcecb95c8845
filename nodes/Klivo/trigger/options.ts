import type { INodeProperties } from 'n8n-workflow';

/** Filters and output shape; defaults protect operators from bots that answer themselves. */
export const triggerOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Conversation Statuses',
			name: 'conversationStatuses',
			type: 'multiOptions',
			options: [
				{ name: 'Open', value: 'open' },
				{ name: 'Pending', value: 'pending' },
				{ name: 'Resolved', value: 'resolved' },
				{ name: 'Snoozed', value: 'snoozed' },
			],
			default: [],
			description: 'Only events of conversations in these statuses. Empty means any status.',
		},
		{
			displayName: 'Ignore Sender IDs',
			name: 'ignoreSenderIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. 4, bot:2, contact:845',
			description:
				"Comma-separated IDs of agents or bots whose events are ignored, e.g. the agent or bot this workflow replies as. Contacts are numbered separately: write 'contact:845' to ignore a contact, or 'agent:4' / 'bot:2' to be explicit.",
		},
		{
			displayName: 'Inbox IDs',
			name: 'inboxIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. 12, 14',
			description: 'Comma-separated inbox IDs. Klivo sends events of every inbox; empty means all of them.',
		},
		{
			displayName: 'Include Activity-Only Contact Updates',
			name: 'includeActivityOnlyContactUpdates',
			type: 'boolean',
			default: false,
			description:
				"Whether to emit Contact Updated events whose only changes are 'last_activity_at' and 'updated_at' (Klivo sends one for every incoming message)",
		},
		{
			displayName: 'Include Private Notes',
			name: 'includePrivateNotes',
			type: 'boolean',
			default: false,
			description: 'Whether message events for private notes between agents start the workflow',
		},
		{
			displayName: 'Message Types',
			name: 'messageTypes',
			type: 'multiOptions',
			options: [
				{ name: 'Activity', value: 'activity', description: 'System messages such as "conversation resolved"' },
				{ name: 'Incoming', value: 'incoming', description: 'Messages from contacts' },
				{ name: 'Outgoing', value: 'outgoing', description: 'Replies by agents, bots and this workflow' },
				{ name: 'Template', value: 'template', description: 'WhatsApp templates and campaign messages' },
			],
			default: ['incoming'],
			description:
				'For message events: which messages start the workflow. Incoming only by default, so a workflow that replies does not trigger itself.',
		},
		{
			displayName: 'Only When These Attributes Changed',
			name: 'changedAttributes',
			type: 'string',
			default: '',
			placeholder: 'e.g. assignee_id, status, email',
			description: "For 'updated' events: comma-separated attribute names; other updates are ignored. Empty means any change.",
		},
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			options: [
				{
					name: 'Event and Summary',
					value: 'full',
					description: "The payload as Klivo sent it, plus a 'klivo' object with the common fields",
				},
				{ name: 'Summary Only', value: 'summary', description: 'Only the common fields' },
			],
			default: 'full',
		},
		{
			displayName: 'Sender Types',
			name: 'senderTypes',
			type: 'multiOptions',
			options: [
				{ name: 'Agent', value: 'agent' },
				{ name: 'Bot', value: 'bot' },
				{ name: 'Contact', value: 'contact' },
			],
			default: [],
			description:
				'For events that have a sender (messages, typing): only those by these senders. Events without a sender (conversation and contact changes) are not affected. Empty means any sender.',
		},
	],
};
