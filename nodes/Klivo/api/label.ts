import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { asNodeError, failureReason, TOKEN_HINT, toNodeApiError, type Failure, type RequestContext } from '../transport/errors';
import { withoutSecrets } from '../transport/output';
import { klivoRequest, type KlivoResponse } from '../transport/request';
import type { KlivoContext } from '../transport/types';

/**
 * Account labels (reference §5): `GET /labels` answers `{payload:[label]}` (every label, by title, no
 * pages) to any member; show, create, update and delete answer a bare label and are for
 * administrators only. Labels on contacts and conversations are free tags that Klivo shows in its
 * sidebar only when an account label has the same title, hence `ensureAccountLabels`.
 */

export interface AccountLabel {
	id: number;
	title: string;
	description: string | null;
	color: string;
	show_on_sidebar: boolean | null;
}

/** Request body fields, in the API's names. */
export interface LabelFields {
	title?: string;
	description?: string;
	color?: string;
	show_on_sidebar?: boolean;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Titles

/** The server lowercases, then requires this (label.rb): a letter or digit, then letters, digits, _ or -. */
const TITLE_RULE = /^[\p{L}\p{N}][\p{L}\p{N}_-]+$/u;

export const LABEL_TITLE_RULE =
	'Label titles are at least 2 characters: letters, digits, _ and -, starting with a letter or digit, without spaces, dots or emoji (Klivo stores them in lower case)';

export type TitleResult = { ok: true; title: string } | { ok: false; problem: string; suggestion?: string };

/** What Klivo would store for this title, or why it would refuse it, decided before any request. */
export function checkLabelTitle(raw: unknown): TitleResult {
	const given = String(raw ?? '').trim();
	const title = given.toLowerCase();
	if (TITLE_RULE.test(title)) return { ok: true, title };
	const suggestion = title
		.replace(/[\s.:,;/]+/g, '-')
		.replace(/[^\p{L}\p{N}_-]/gu, '')
		.replace(/^[_-]+/, '')
		.replace(/-{2,}/g, '-')
		.replace(/-$/, '');
	const problem = given === '' ? 'A label title is empty' : `'${given}' is not a valid label title`;
	return { ok: false, problem, suggestion: TITLE_RULE.test(suggestion) ? suggestion : undefined };
}

// ---------------------------------------------------------------------------------------------
// Envelopes

export function toLabel(value: unknown): AccountLabel | undefined {
	if (!isObject(value)) return undefined;
	const id = Number(value.id);
	if (!Number.isInteger(id) || typeof value.title !== 'string') return undefined;
	return value as unknown as AccountLabel;
}

/** A label as the server sent it (same keys, same order). */
export function labelToJson(label: AccountLabel): IDataObject {
	return withoutSecrets({ ...(label as unknown as IDataObject) });
}

/** `{payload:[label]}`; a bare array is accepted too. */
export function unwrapLabelList(body: unknown): AccountLabel[] | undefined {
	const list = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.payload) ? body.payload : undefined;
	if (!list) return undefined;
	const labels = list.map(toLabel);
	return labels.every((label) => label !== undefined) ? (labels as AccountLabel[]) : undefined;
}

/** Create, update and show answer the bare label; `{payload: label}` is accepted too. */
export function unwrapLabel(body: unknown): AccountLabel | undefined {
	return toLabel(body) ?? (isObject(body) ? toLabel(body.payload) : undefined);
}

// ---------------------------------------------------------------------------------------------
// Errors in the label's own words

const ADMIN_ONLY = 'only administrators may create, change or delete account labels';

export function labelExplainer(id?: number | string, title?: string) {
	return (failure: Failure) => {
		const lower = failure.text.toLowerCase();
		const accountId = failure.subject.accountId;
		if ((failure.status === 401 || failure.status === 403) && lower.includes('not authorized to do this action')) {
			return {
				reason: 'agent' as const,
				message: `This access token belongs to an agent: ${ADMIN_ONLY}`,
				description: `Reading labels and tagging contacts and conversations work with an agent's token. For this operation, use an administrator's access token in the Klivo API credential (${TOKEN_HINT} while logged in as an administrator of account ${accountId}).`,
			};
		}
		if (failure.status === 404 && id !== undefined) {
			return {
				reason: 'notFound' as const,
				message: `Label ${id} does not exist in account ${accountId}`,
				description: 'It may have been deleted in Klivo. Use Label > Get Many to see the labels that exist and their IDs.',
			};
		}
		if (failure.status === 422) {
			if (lower.includes('already been taken')) {
				return {
					reason: 'rejected' as const,
					message: `A label titled '${title ?? ''}' already exists in this Klivo account`,
					description: 'Titles are unique (in lower case). Use the existing label, or Update it.',
				};
			}
			if (lower.includes('title')) {
				return {
					reason: 'rejected' as const,
					message: `Klivo rejected the label title${title ? ` '${title}'` : ''}`,
					description: `${LABEL_TITLE_RULE}.`,
				};
			}
		}
		return undefined;
	};
}

function context(id?: number | string, title?: string): RequestContext {
	return { resource: 'label', id, explain: labelExplainer(id, title) };
}

function unexpectedShape(this: KlivoContext, response: KlivoResponse, what: string, itemIndex?: number): NodeApiError {
	return toNodeApiError(
		this.getNode(),
		{
			reason: 'format',
			message: `Klivo answered the label ${what} request in an unknown format`,
			description: `Check that the Base URL (${response.subject.baseUrl}) points at a Klivo or Chatwoot server, not at a web page.`,
		},
		itemIndex,
	);
}

// ---------------------------------------------------------------------------------------------
// Calls

export async function listLabels(this: KlivoContext, itemIndex?: number): Promise<AccountLabel[]> {
	const response = await klivoRequest.call(this, { method: 'GET', path: '/labels', context: context(), itemIndex });
	const labels = unwrapLabelList(response.body);
	if (!labels) throw unexpectedShape.call(this, response, 'list', itemIndex);
	return labels;
}

/** Flat JSON: Rails wraps it into `label` (a form body would need `label[title]`). */
function toBody(fields: LabelFields): IDataObject {
	const body: IDataObject = {};
	for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
	return body;
}

export async function createLabel(
	this: KlivoContext,
	fields: LabelFields,
	itemIndex?: number,
	requestContext: RequestContext = context(undefined, fields.title),
): Promise<AccountLabel> {
	const response = await klivoRequest.call(this, {
		method: 'POST',
		path: '/labels',
		body: toBody(fields),
		context: requestContext,
		itemIndex,
	});
	const label = unwrapLabel(response.body);
	if (!label) throw unexpectedShape.call(this, response, 'create', itemIndex);
	return label;
}

export async function updateLabel(this: KlivoContext, id: number, fields: LabelFields, itemIndex?: number): Promise<AccountLabel> {
	const response = await klivoRequest.call(this, {
		method: 'PATCH',
		path: `/labels/${id}`,
		body: toBody(fields),
		context: context(id, fields.title),
		itemIndex,
	});
	const label = unwrapLabel(response.body);
	if (!label) throw unexpectedShape.call(this, response, 'update', itemIndex);
	return label;
}

export async function deleteLabel(this: KlivoContext, id: number, itemIndex?: number): Promise<void> {
	await klivoRequest.call(this, { method: 'DELETE', path: `/labels/${id}`, context: context(id), itemIndex });
}

/** An agent's token may tag, but not create the account label that Create Missing Labels asked for. */
function missingLabelContext(title: string): RequestContext {
	const explain = labelExplainer(undefined, title);
	return {
		resource: 'label',
		explain: (failure) => {
			const own = explain(failure);
			if (own?.reason !== 'agent') return own;
			return {
				reason: 'agent',
				message: `The account label '${title}' does not exist, and only administrators may create it`,
				description: `Create Missing Labels creates account labels, which needs an administrator's access token in the Klivo API credential. Or create the label in Klivo (Settings > Labels) first, or turn Create Missing Labels off: the label is then added all the same, but Klivo's sidebar does not show it.`,
			};
		},
	};
}

/** What `ensureAccountLabels` did, and the titles to tag with. */
export interface EnsuredLabels {
	/** The account labels it created. */
	created: AccountLabel[];
	/** Each given title as its account label has it, in the given order. */
	titles: string[];
}

/**
 * Makes sure an account label exists for each title (already checked with `checkLabelTitle`), so that
 * tags added to a contact or a conversation show in Klivo's sidebar. One GET, then one POST per
 * missing title; creating needs an administrator's token, and the error says so.
 *
 * Tags are stored as given, and the sidebar shows a tag only under an account label of the same title,
 * so the caller must tag with the account label's title, not the one typed: Klivo lowercases the titles
 * it creates (`Novo-Cliente` becomes `novo-cliente`), and a label from before it did may keep capitals.
 */
export async function ensureAccountLabels(this: KlivoContext, titles: string[], itemIndex?: number): Promise<EnsuredLabels> {
	if (titles.length === 0) return { created: [], titles: [] };
	// By lower-case title, the title the account has; the first wins if two differ only in case.
	const stored = new Map<string, string>();
	const remember = (labels: AccountLabel[]) => {
		for (const label of labels) if (!stored.has(label.title.toLowerCase())) stored.set(label.title.toLowerCase(), label.title);
	};
	remember(await listLabels.call(this, itemIndex));
	const created: AccountLabel[] = [];
	for (const title of [...new Set(titles.map((t) => t.toLowerCase()))]) {
		if (stored.has(title)) continue;
		try {
			const label = await createLabel.call(this, { title, show_on_sidebar: true }, itemIndex, missingLabelContext(title));
			created.push(label);
			stored.set(title, label.title);
		} catch (error) {
			// Someone (another item, another workflow) created it since the list was read: it exists, as wanted.
			if (failureReason(error) !== 'rejected') throw asNodeError(this.getNode(), error, itemIndex);
			remember(await listLabels.call(this, itemIndex));
			if (!stored.has(title)) throw asNodeError(this.getNode(), error, itemIndex);
		}
	}
	return { created, titles: titles.map((title) => stored.get(title.toLowerCase()) ?? title.toLowerCase()) };
}
