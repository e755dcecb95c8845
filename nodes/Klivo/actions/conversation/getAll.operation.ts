import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { listConversations, type AssigneeType, type ConversationFilters } from '../../api/conversation';
import { limitProperty, returnAllProperty } from '../common.descriptions';
import { getLimit, INBOX_WORDS, readNames, requireId, TEAM_WORDS } from '../helpers';

const properties: INodeProperties[] = [
	returnAllProperty,
	limitProperty,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Assignee',
				name: 'assigneeType',
				type: 'options',
				default: 'all',
				options: [
					{ name: 'All', value: 'all' },
					{ name: 'Assigned to Anyone', value: 'assigned' },
					{ name: 'Assigned to Me', value: 'me', description: "Assigned to the credential's user" },
					{ name: 'Unassigned', value: 'unassigned' },
				],
			},
			{
				displayName: 'Inbox Name or ID',
				name: 'inboxId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getInboxes' },
				default: '',
				description:
					'Only conversations of this inbox. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Label Names or IDs',
				name: 'labels',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getLabels' },
				default: [],
				description: 'Conversations with any of these labels. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Search Text',
				name: 'query',
				type: 'string',
				default: '',
				description: "Only conversations with a message containing this text (Klivo then ignores the status filter)",
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'all',
				options: [
					{ name: 'All', value: 'all' },
					{ name: 'Open', value: 'open' },
					{ name: 'Pending', value: 'pending' },
					{ name: 'Resolved', value: 'resolved' },
					{ name: 'Snoozed', value: 'snoozed' },
				],
			},
			{
				displayName: 'Team Name or ID',
				name: 'teamId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTeams' },
				default: '',
				description:
					'Only conversations of this team. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['getAll'] } }, properties);

const STATUSES = ['all', 'open', 'resolved', 'pending', 'snoozed'];
const ASSIGNEE_TYPES = ['all', 'me', 'assigned', 'unassigned'];

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || String(value).trim() === '';
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = getLimit.call(this, itemIndex, 50);
	const input = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const status = isBlank(input.status) ? 'all' : String(input.status).trim().toLowerCase();
	const assigneeType = isBlank(input.assigneeType) ? 'all' : String(input.assigneeType).trim().toLowerCase();
	if (!STATUSES.includes(status) || !ASSIGNEE_TYPES.includes(assigneeType)) {
		throw new NodeOperationError(this.getNode(), `Unknown filter value '${!STATUSES.includes(status) ? status : assigneeType}'`, {
			itemIndex,
			description: `Status is one of ${STATUSES.join(', ')}; Assignee is one of ${ASSIGNEE_TYPES.join(', ')}.`,
		});
	}
	const filters: ConversationFilters = { status: status as ConversationFilters['status'], assigneeType: assigneeType as AssigneeType };
	if (!isBlank(input.inboxId)) filters.inboxId = requireId.call(this, input.inboxId, INBOX_WORDS, itemIndex);
	if (!isBlank(input.teamId)) filters.teamId = requireId.call(this, input.teamId, TEAM_WORDS, itemIndex);
	const labels = readNames(input.labels);
	if (labels.length > 0) filters.labels = labels;
	if (!isBlank(input.query)) filters.query = String(input.query).trim();
	return await listConversations.call(this, filters, limit, itemIndex);
}
