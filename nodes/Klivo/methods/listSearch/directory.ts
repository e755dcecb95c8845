import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { listAgents, listInboxes, listTeams } from '../../api/directory';

/**
 * Pickers for inboxes, agents and teams: none of these lists is paged by Klivo, so one request each,
 * filtered here by name or ID. `get*` feed the options fields inside collections.
 */

interface Entry {
	name: string;
	value: string;
	description?: string;
}

function matching(entries: Entry[], filter?: string): INodeListSearchResult {
	const needle = (filter ?? '').trim().toLowerCase();
	return {
		results: entries
			.filter((entry) => needle === '' || entry.name.toLowerCase().includes(needle) || entry.value === needle)
			.map(({ name, value }) => ({ name, value })),
	};
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

const CHANNELS: Record<string, string> = {
	'Channel::WebWidget': 'web chat',
	'Channel::Whatsapp': 'WhatsApp',
	'Channel::Api': 'API',
	'Channel::Email': 'e-mail',
	'Channel::Sms': 'SMS',
	'Channel::TwilioSms': 'Twilio',
	'Channel::FacebookPage': 'Facebook',
	'Channel::Instagram': 'Instagram',
	'Channel::Telegram': 'Telegram',
	'Channel::Line': 'LINE',
};

function inboxEntry(inbox: IDataObject): Entry {
	const channel = CHANNELS[text(inbox.channel_type)] ?? text(inbox.channel_type).replace(/^Channel::/, '');
	return { name: channel ? `${text(inbox.name)} (${channel})` : text(inbox.name), value: String(inbox.id) };
}

function agentEntry(agent: IDataObject): Entry {
	const name = text(agent.available_name) || text(agent.name) || `User ${String(agent.id)}`;
	return { name: agent.email ? `${name} (${text(agent.email)})` : name, value: String(agent.id), description: text(agent.role) || undefined };
}

function teamEntry(team: IDataObject): Entry {
	return { name: text(team.name) || `Team ${String(team.id)}`, value: String(team.id), description: text(team.description) || undefined };
}

function options(entries: Entry[]): INodePropertyOptions[] {
	return entries.map(({ name, value, description }) => (description ? { name, value, description } : { name, value }));
}

export async function searchInboxes(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return matching((await listInboxes.call(this)).map(inboxEntry), filter);
}

export async function searchAgents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return matching((await listAgents.call(this)).map(agentEntry), filter);
}

export async function searchTeams(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return matching((await listTeams.call(this)).map(teamEntry), filter);
}

export async function getInboxes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return options((await listInboxes.call(this)).map(inboxEntry));
}

export async function getAgents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return options((await listAgents.call(this)).map(agentEntry));
}

export async function getTeams(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return options((await listTeams.call(this)).map(teamEntry));
}
