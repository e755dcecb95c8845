import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { normalizeBaseUrl } from './baseUrl';
import {
	explainNetworkError,
	explainStatus,
	parseRetryAfter,
	toNodeApiError,
	type ErrorSubject,
	type Explanation,
	type RequestContext,
} from './errors';
import { gateOf, RateLimitExhausted } from './gate';
import type { KlivoContext, KlivoCredentials } from './types';

export const CREDENTIAL_TYPE = 'klivoApi';
const DEFAULT_TIMEOUT_SECONDS = 20;

/** Query values; an array is sent as `key[]=a&key[]=b`, the form Rails reads as a list. */
export type QueryValue = string | number | boolean | undefined | null | Array<string | number>;
export type Query = Record<string, QueryValue>;

export interface KlivoRequest {
	method: IHttpRequestMethods;
	/** Path below `/api/v1/accounts/{accountId}`, e.g. `/conversations/1287`. */
	path: string;
	/** Query parameters; undefined, null and '' are left out. */
	qs?: Query;
	/** JSON, or multipart FormData (attachments): n8n sets its boundary header. */
	body?: IDataObject | FormData;
	/** What the request is about: named in error messages, and worded by the resource. */
	context?: RequestContext;
	itemIndex?: number;
	/** Statuses the caller handles itself instead of getting an error (e.g. 404 on delete). */
	accept?: number[];
}

export interface KlivoResponse {
	status: number;
	body: unknown;
	/** Only the server's own words: safe to show. */
	subject: ErrorSubject;
}

/**
 * Built here rather than left to the HTTP client, so that arrays read the same on every n8n version
 * (n8n 1.x and 2.x serialise `qs` arrays differently).
 */
export function queryString(qs: Query | undefined): string {
	if (!qs) return '';
	const parts: string[] = [];
	for (const [key, value] of Object.entries(qs)) {
		if (value === undefined || value === null || value === '') continue;
		if (Array.isArray(value)) {
			for (const entry of value) parts.push(`${encodeURIComponent(key)}[]=${encodeURIComponent(String(entry))}`);
		} else {
			parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
		}
	}
	return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function isFormData(body: unknown): body is FormData {
	return typeof FormData !== 'undefined' && body instanceof FormData;
}

/** Empty answers (toggle_priority, typing) arrive as '' and multipart answers as text. */
function parsedBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	const trimmed = body.trim();
	if (trimmed === '') return undefined;
	if (!/^[[{]/.test(trimmed)) return body;
	try {
		return JSON.parse(trimmed) as unknown;
	} catch {
		return body;
	}
}

const GENERIC_429 = explainStatus(429, undefined, { accountId: '', baseUrl: '', timeoutSeconds: 0 }).message;

/** A limit a resource explains itself (contact search: 100 a minute) keeps its words, after the gate's account. */
function withResourceWords(givenUp: Explanation, worded: Explanation): Explanation {
	const base = { ...givenUp, httpCode: '429' };
	if (worded.message === GENERIC_429) return base;
	return { ...base, message: worded.message, description: `${givenUp.message}. ${givenUp.description} ${worded.description}` };
}

/**
 * The only place that talks HTTP to Klivo. It never throws a library error: every failure becomes a
 * NodeApiError in our own words, so neither a stack trace nor the token reaches the user.
 */
export async function klivoRequest(this: KlivoContext, request: KlivoRequest): Promise<KlivoResponse> {
	const credentials = (await this.getCredentials(CREDENTIAL_TYPE)) as unknown as KlivoCredentials;
	const baseUrl = normalizeBaseUrl(credentials.baseUrl);
	const accountId = String(credentials.accountId ?? '').trim();
	const timeoutSeconds = Number(credentials.timeout) > 0 ? Number(credentials.timeout) : DEFAULT_TIMEOUT_SECONDS;
	const subject: ErrorSubject = { accountId, baseUrl, timeoutSeconds, context: request.context };

	const multipart = isFormData(request.body);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}/api/v1/accounts/${encodeURIComponent(accountId)}${request.path}${queryString(request.qs)}`,
		json: !multipart,
		timeout: timeoutSeconds * 1000,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		headers: { Accept: 'application/json' },
	};
	if (request.body !== undefined) options.body = request.body;

	// In a node run, a 429 closes the run's gate (gate.ts): the request waits with all the others and is
	// sent again, since a refused request was not applied. Elsewhere (trigger hooks, pickers) it fails.
	const gate = gateOf(this);
	let response: { statusCode?: number; body?: unknown; headers?: Record<string, unknown> };
	let round = 0;
	for (;;) {
		try {
			if (gate) round = await gate.pass();
			response = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, options)) as {
				statusCode?: number;
				body?: unknown;
				headers?: Record<string, unknown>;
			};
		} catch (error) {
			if (error instanceof RateLimitExhausted) throw toNodeApiError(this.getNode(), error.explanation, request.itemIndex);
			throw toNodeApiError(this.getNode(), explainNetworkError(error, subject), request.itemIndex);
		}
		if (!gate || Number(response?.statusCode) !== 429) break;
		const retryAfterSeconds = parseRetryAfter(response?.headers?.['retry-after']);
		const givenUp = gate.refuse(round, { retryAfterSeconds, date: response?.headers?.date });
		if (givenUp) {
			const worded = explainStatus(429, parsedBody(response?.body), { ...subject, retryAfterSeconds });
			throw toNodeApiError(this.getNode(), withResourceWords(givenUp, worded), request.itemIndex);
		}
	}
	gate?.succeed(round);

	const status = Number(response?.statusCode ?? 0);
	const body = parsedBody(response?.body);
	if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
		return { status, body, subject };
	}
	if (status === 429) subject.retryAfterSeconds = parseRetryAfter(response?.headers?.['retry-after']);
	throw toNodeApiError(this.getNode(), explainStatus(status, body, subject), request.itemIndex);
}
