import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { normalizeBaseUrl } from './baseUrl';
import { explainNetworkError, explainStatus, parseRetryAfter, toNodeApiError, type RequestSubject } from './errors';
import type { KlivoContext, KlivoCredentials } from './types';

export const CREDENTIAL_TYPE = 'klivoApi';
const DEFAULT_TIMEOUT_SECONDS = 20;

export interface KlivoRequest {
	method: IHttpRequestMethods;
	/** Path below `/api/v1/accounts/{accountId}`, e.g. `/webhooks/4`. */
	path: string;
	body?: IDataObject;
	/** Named in error messages. */
	webhookId?: number | string;
	events?: string[];
	itemIndex?: number;
	/** Statuses the caller handles itself instead of getting an error (e.g. 404 on delete). */
	accept?: number[];
}

export interface KlivoResponse {
	status: number;
	body: unknown;
	/** Only the server's own words: safe to show. */
	subject: RequestSubject;
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
	const subject: RequestSubject = {
		accountId,
		baseUrl,
		webhookId: request.webhookId,
		events: request.events,
		timeoutSeconds,
	};

	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}/api/v1/accounts/${encodeURIComponent(accountId)}${request.path}`,
		json: true,
		timeout: timeoutSeconds * 1000,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		headers: { Accept: 'application/json' },
	};
	if (request.body !== undefined) options.body = request.body;

	let response: { statusCode?: number; body?: unknown; headers?: Record<string, unknown> };
	try {
		response = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, options)) as {
			statusCode?: number;
			body?: unknown;
			headers?: Record<string, unknown>;
		};
	} catch (error) {
		throw toNodeApiError(this.getNode(), explainNetworkError(error, subject), request.itemIndex);
	}

	const status = Number(response?.statusCode ?? 0);
	const body = response?.body;
	if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
		return { status, body, subject };
	}
	if (status === 429) subject.retryAfterSeconds = parseRetryAfter(response?.headers?.['retry-after']);
	throw toNodeApiError(this.getNode(), explainStatus(status, body, subject), request.itemIndex);
}
