import type { INodeProperties } from 'n8n-workflow';

/**
 * Parameters that several resources share, written once without displayOptions: each operation wraps
 * them with `updateDisplayOptions` (n8n-workflow, present in 1.x and 2.x). Every id field accepts an
 * expression such as `{{ $json.klivo.conversationId }}` from the Klivo Trigger, or `$fromAI()`.
 */

/** A positive whole number, with an optional leading '#' as Klivo shows conversation numbers. */
const NUMBER_ID = '^\\s*#?[0-9]+\\s*$';

function locator(options: {
	displayName: string;
	name: string;
	description: string;
	searchListMethod: string;
	listPlaceholder: string;
	idPlaceholder: string;
	idError: string;
}): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: options.listPlaceholder,
				typeOptions: { searchListMethod: options.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: options.idPlaceholder,
				validation: [{ type: 'regex', properties: { regex: NUMBER_ID, errorMessage: options.idError } }],
			},
		],
	};
}

export const conversationRLC: INodeProperties = locator({
	displayName: 'Conversation',
	name: 'conversationId',
	description:
		"The conversation's number as Klivo shows it (#1287 → 1287), which is also what the Klivo Trigger outputs as klivo.conversationId. Not the internal database ID.",
	searchListMethod: 'searchConversations',
	listPlaceholder: 'Select a conversation...',
	idPlaceholder: 'e.g. 1287',
	idError: 'A conversation number is a whole number, such as 1287',
});

export const contactRLC: INodeProperties = locator({
	displayName: 'Contact',
	name: 'contactId',
	description: "The contact's ID in Klivo (the number in the contact's page address), or the Klivo Trigger's klivo.contact.id",
	searchListMethod: 'searchContacts',
	listPlaceholder: 'Select a contact...',
	idPlaceholder: 'e.g. 4521',
	idError: 'A contact ID is a whole number',
});

export const inboxRLC: INodeProperties = locator({
	displayName: 'Inbox',
	name: 'inboxId',
	description: 'The inbox (channel) in Klivo, such as a web chat or a WhatsApp number',
	searchListMethod: 'searchInboxes',
	listPlaceholder: 'Select an inbox...',
	idPlaceholder: 'e.g. 12',
	idError: 'An inbox ID is a whole number',
});

export const labelRLC: INodeProperties = locator({
	displayName: 'Label',
	name: 'labelId',
	description: 'An account label',
	searchListMethod: 'searchLabels',
	listPlaceholder: 'Select a label...',
	idPlaceholder: 'e.g. 5',
	idError: 'A label ID is a whole number',
});

export const agentRLC: INodeProperties = locator({
	displayName: 'Agent',
	name: 'agentId',
	description: 'A user of the Klivo account (agent or administrator)',
	searchListMethod: 'searchAgents',
	listPlaceholder: 'Select an agent...',
	idPlaceholder: 'e.g. 12',
	idError: 'An agent ID is a whole number',
});

export const teamRLC: INodeProperties = locator({
	displayName: 'Team',
	name: 'teamId',
	description: 'A team of the Klivo account',
	searchListMethod: 'searchTeams',
	listPlaceholder: 'Select a team...',
	idPlaceholder: 'e.g. 3',
	idError: 'A team ID is a whole number',
});

export const returnAllProperty: INodeProperties = {
	displayName: 'Return All',
	name: 'returnAll',
	type: 'boolean',
	default: false,
	description: 'Whether to return all results or only up to a given limit',
};

/** Shown only when Return All is off. A resource with another usual page (messages: 20) spreads it with its own default. */
export const limitProperty: INodeProperties = {
	displayName: 'Limit',
	name: 'limit',
	type: 'number',
	default: 50,
	typeOptions: { minValue: 1 },
	description: 'Max number of results to return',
	displayOptions: { show: { returnAll: [false] } },
};
