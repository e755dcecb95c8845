import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { assignConversation } from '../../api/conversation';
import { concurrencyOptions } from '../concurrency';
import { agentRLC, conversationRLC, teamRLC } from '../common.descriptions';
import { AGENT_WORDS, readConversationId, readId, TEAM_WORDS } from '../helpers';

const properties: INodeProperties[] = [
	conversationRLC,
	{
		displayName: 'Assign To',
		name: 'assignTo',
		type: 'options',
		default: 'agent',
		options: [
			{ name: 'Agent', value: 'agent', description: 'A person: hand the conversation over to them' },
			{ name: 'Nobody', value: 'nobody', description: 'Remove the assigned agent (the team stays)' },
			{ name: 'Team', value: 'team', description: 'A team; Klivo may then auto-assign one of its members' },
		],
	},
	{ ...agentRLC, displayOptions: { show: { assignTo: ['agent'] } } },
	{ ...teamRLC, displayOptions: { show: { assignTo: ['team'] } } },
	concurrencyOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['assign'] } }, properties);

function unknown(ctx: IExecuteFunctions, what: string, outcome: string, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Klivo has no ${what} in this account`, {
		itemIndex,
		description: `${outcome} Pick one from the list, or check the ID.`,
	});
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readConversationId.call(this, itemIndex);
	const assignTo = this.getNodeParameter('assignTo', itemIndex) as string;
	if (assignTo === 'team') {
		const teamId = readId.call(this, 'teamId', TEAM_WORDS, itemIndex);
		const team = await assignConversation.call(this, id, { teamId }, itemIndex);
		// Klivo answers an unknown team with null, after removing the conversation's team.
		if (team === null) throw unknown(this, `team ${teamId}`, `Conversation #${id} now has no team.`, itemIndex);
		return { conversation_id: id, team };
	}
	const assigneeId = assignTo === 'nobody' ? null : readId.call(this, 'agentId', AGENT_WORDS, itemIndex);
	const assignee = await assignConversation.call(this, id, { assigneeId }, itemIndex);
	// Klivo answers an unknown agent with null, after unassigning the conversation.
	if (assignee === null && assigneeId !== null) {
		throw unknown(this, `agent ${assigneeId}`, `Conversation #${id} is now unassigned.`, itemIndex);
	}
	return { conversation_id: id, assignee };
}
