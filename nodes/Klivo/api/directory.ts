import type { IDataObject } from 'n8n-workflow';

import { unexpectedFormat } from '../transport/errors';
import { withoutSecrets } from '../transport/output';
import { klivoRequest } from '../transport/request';
import type { KlivoContext } from '../transport/types';

/**
 * The account's inboxes, agents and teams (reference §6-7), read for pickers. None is paged:
 * `GET /inboxes` answers `{payload:[…]}` (an administrator's copy carries the inbox secrets, which
 * never leave here), `/agents` and `/teams` bare arrays.
 */

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{payload:[…]}`, a bare array, or `{data:[…]}`. */
export function unwrapDirectory(body: unknown): IDataObject[] | undefined {
	const list = Array.isArray(body) ? body : isObject(body) ? (Array.isArray(body.payload) ? body.payload : Array.isArray(body.data) ? body.data : undefined) : undefined;
	return list?.filter(isObject).map((entry) => withoutSecrets(entry));
}

async function listOf(ctx: KlivoContext, resource: string, path: string, itemIndex?: number): Promise<IDataObject[]> {
	const response = await klivoRequest.call(ctx, { method: 'GET', path, context: { resource }, itemIndex });
	const list = unwrapDirectory(response.body);
	if (!list) throw unexpectedFormat(ctx.getNode(), response.subject.baseUrl, `${resource} list`, itemIndex);
	return list;
}

export async function listInboxes(this: KlivoContext, itemIndex?: number): Promise<IDataObject[]> {
	return await listOf(this, 'inbox', '/inboxes', itemIndex);
}

export async function listAgents(this: KlivoContext, itemIndex?: number): Promise<IDataObject[]> {
	return await listOf(this, 'agent', '/agents', itemIndex);
}

export async function listTeams(this: KlivoContext, itemIndex?: number): Promise<IDataObject[]> {
	return await listOf(this, 'team', '/teams', itemIndex);
}
