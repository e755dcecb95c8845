import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * What a request is about, so that a failure can name it. Each resource words its own 404 and 422
 * (and, where it matters, an agent's 401) in `explain`; the generic statuses stay here.
 */
export interface RequestContext {
	/** Singular resource name: 'webhook', 'conversation', 'contact', ... */
	resource: string;
	/** The id the request addressed, as the user knows it. */
	id?: number | string;
	/** The resource's own words for a failure; undefined falls back to the generic words below. */
	explain?: ResourceExplainer;
}

/** A failed answer as a resource's explainer sees it. */
export interface Failure {
	status: number;
	/** The server's own reason (`error`, `message`, `errors`), safe to quote. */
	text: string;
	body: unknown;
	subject: ErrorSubject;
}

export type ResourceExplainer = (failure: Failure) => Omit<Explanation, 'httpCode'> | undefined;

/** What the caller knows about the request, so that messages can name the thing that failed. */
export interface ErrorSubject {
	accountId: string;
	baseUrl: string;
	timeoutSeconds: number;
	/** From a 429's Retry-After header, when the server sent one. */
	retryAfterSeconds?: number;
	context?: RequestContext;
}

/** The former name, kept for callers outside transport/. */
export type RequestSubject = ErrorSubject;

/** Lets callers react to a kind of failure (adopt on urlTaken, fall back on events) without parsing text. */
export type FailureReason =
	| 'token'
	| 'agent'
	| 'account'
	| 'notFound'
	| 'urlTaken'
	| 'urlInvalid'
	| 'events'
	| 'rejected'
	| 'rateLimited'
	| 'server'
	| 'timeout'
	| 'unreachable'
	| 'dropped'
	| 'network'
	| 'format';

export interface Explanation {
	message: string;
	description: string;
	httpCode?: string;
	reason?: FailureReason;
	retryAfterSeconds?: number;
}

/** Chatwoot answers `{error}`, `{message, attributes}` (validations) or `{errors:[...]}` (no token). */
export function serverText(body: unknown): string {
	if (typeof body === 'string') return body.slice(0, 200);
	if (typeof body === 'object' && body !== null) {
		const { error, message, errors } = body as { error?: unknown; message?: unknown; errors?: unknown };
		if (typeof error === 'string') return error;
		if (typeof message === 'string') return message;
		if (Array.isArray(message)) return message.join(', ');
		if (Array.isArray(errors)) return errors.filter((e) => typeof e === 'string').join(', ');
	}
	return '';
}

export function seconds(count: number): string {
	return `${count} ${count === 1 ? 'second' : 'seconds'}`;
}

/** 'inbox' → ['Inbox', 'inboxes']: for the generic messages that name a resource. */
function resourceWords(resource: string): { singular: string; plural: string } {
	const singular = resource.charAt(0).toUpperCase() + resource.slice(1);
	return { singular, plural: /(x|s|ch|sh)$/.test(resource) ? `${resource}es` : `${resource}s` };
}

/** `Retry-After` is either a number of seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' || typeof value === 'number' ? String(value) : '';
	if (text.trim() === '') return undefined;
	if (/^\s*\d+\s*$/.test(text)) return Number(text.trim());
	const at = Date.parse(text);
	if (Number.isNaN(at)) return undefined;
	return Math.max(0, Math.ceil((at - now) / 1000));
}

export const TOKEN_HINT = "In Klivo, open Profile Settings and copy the 'Access Token' at the bottom of the page";

/**
 * The credential's problems first (they are the same whatever was asked), then the resource's own
 * words, then the generic words for what is left.
 */
export function explainStatus(status: number, body: unknown, subject: ErrorSubject): Explanation {
	const text = serverText(body);
	const lower = text.toLowerCase();
	const httpCode = String(status);
	if (status === 401 || status === 403) {
		if (lower.includes('not authorized to access this account')) {
			return {
				httpCode,
				reason: 'account',
				message: `The token's user is not a member of account ${subject.accountId}`,
				description:
					"Check the Account ID in the Klivo API credential: it is the number after '/app/accounts/' in Klivo's address bar. Or use a token of a user of that account.",
			};
		}
		if (!lower.includes('not authorized to do this action') && !lower.includes('not authorized for bots')) {
			return {
				httpCode,
				reason: 'token',
				message: 'Klivo did not accept the API access token',
				description: `The token is unknown or was reset. ${TOKEN_HINT}, and paste it into the Klivo API credential.`,
			};
		}
	}
	const own = subject.context?.explain?.({ status, text, body, subject });
	if (own) return { httpCode, ...own };
	return explainGenerically(status, text, subject);
}

function explainGenerically(status: number, text: string, subject: ErrorSubject): Explanation {
	const httpCode = String(status);
	const context = subject.context;
	if (status === 401 || status === 403) {
		return {
			httpCode,
			reason: 'agent',
			message: "Klivo does not let this token's user do this",
			description: `Klivo answered '${text}'. Agents may act only in the inboxes they are members of, and some actions are for administrators only: add the agent to the inbox in Klivo, or use an administrator's access token in the Klivo API credential (${TOKEN_HINT} while logged in as an administrator of account ${subject.accountId}).`,
		};
	}
	if (status === 404) {
		if (context?.id !== undefined) {
			const words = resourceWords(context.resource);
			return {
				httpCode,
				reason: 'notFound',
				message: `${words.singular} ${context.id} does not exist in account ${subject.accountId}`,
				description: `It may have been deleted in Klivo, or the Account ID in the credential points at another account. Use Get Many to see the ${words.plural} that exist.`,
			};
		}
		return {
			httpCode,
			reason: 'account',
			message: `Klivo has no account ${subject.accountId} at ${subject.baseUrl}`,
			description:
				"Check the Account ID (the number after '/app/accounts/' in Klivo's address bar) and the Base URL in the Klivo API credential.",
		};
	}
	if (status === 422) {
		return {
			httpCode,
			reason: 'rejected',
			message: `Klivo rejected the request: ${text || 'unprocessable'}`,
			description: 'Check the fields of this operation against the reason Klivo gave.',
		};
	}
	if (status === 429) {
		const wait = subject.retryAfterSeconds;
		return {
			httpCode,
			reason: 'rateLimited',
			retryAfterSeconds: wait,
			message: 'Klivo is limiting the rate of requests',
			description:
				wait !== undefined
					? `Klivo asks to wait ${seconds(wait)} before the next request. Run again after that, or enable Retry On Fail in the node settings with a longer wait.`
					: 'Wait a moment and run again, or enable Retry On Fail in the node settings.',
		};
	}
	if (status >= 500) {
		return {
			httpCode,
			reason: 'server',
			message: `Klivo's server failed to answer (HTTP ${status})`,
			description: 'This is a problem on the Klivo side. Try again in a few minutes, or enable Retry On Fail in the node settings.',
		};
	}
	return {
		httpCode,
		message: `Klivo answered HTTP ${status}${text ? `: ${text}` : ''}`,
		description: 'Check the node parameters and the Klivo API credential.',
	};
}

const TIMEOUT_CODES = ['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT'];
const UNREACHABLE_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
const DROPPED_CODES = ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'];

/** Network codes hide at different depths in n8n 1.x (axios) and 2.x (wrapped) errors. */
function findCode(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
		const { code, cause } = current as { code?: unknown; cause?: unknown };
		if (typeof code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(code)) return code;
		current = cause;
	}
	const message = error instanceof Error ? error.message : String(error);
	const match = /\b(E[A-Z]{4,}|UND_ERR_[A-Z_]+)\b/.exec(message);
	if (match) return match[1];
	if (/timeout|timed out/i.test(message)) return 'ETIMEDOUT';
	return '';
}

export function explainNetworkError(error: unknown, subject: ErrorSubject): Explanation {
	const code = findCode(error);
	if (TIMEOUT_CODES.includes(code)) {
		return {
			reason: 'timeout',
			message: `Klivo did not answer within ${seconds(subject.timeoutSeconds)}`,
			description: `The server at ${subject.baseUrl} is slow or overloaded. Try again, or raise the timeout in the Klivo API credential.`,
		};
	}
	if (UNREACHABLE_CODES.includes(code)) {
		return {
			reason: 'unreachable',
			message: `Could not connect to Klivo at ${subject.baseUrl}`,
			description: `Check the Base URL in the Klivo API credential and that the server is up (${code}).`,
		};
	}
	if (DROPPED_CODES.includes(code)) {
		return {
			reason: 'dropped',
			message: 'The connection to Klivo was closed before it answered',
			description: `The server at ${subject.baseUrl} or a proxy in between dropped the request (${code}). Try again.`,
		};
	}
	return {
		reason: 'network',
		message: 'The request to Klivo failed',
		description: `Could not reach ${subject.baseUrl}${code ? ` (${code})` : ''}. Check the Base URL and your network.`,
	};
}

/**
 * Built from our own words only: the wrapped library error carries request headers, and with them
 * the access token, which must never reach execution data or logs.
 */
export function toNodeApiError(node: INode, explanation: Explanation, itemIndex?: number): NodeApiError {
	const response: JsonObject = { message: explanation.message };
	if (explanation.httpCode) response.httpCode = explanation.httpCode;
	const error = new NodeApiError(node, response, {
		message: explanation.message,
		description: explanation.description,
		httpCode: explanation.httpCode,
		itemIndex,
	});
	if (explanation.reason) error.context.reason = explanation.reason;
	if (explanation.retryAfterSeconds !== undefined) error.context.retryAfterSeconds = explanation.retryAfterSeconds;
	return error;
}

export function failureReason(error: unknown): FailureReason | undefined {
	if (!(error instanceof NodeApiError)) return undefined;
	return error.context?.reason as FailureReason | undefined;
}

/** What a 429 asked us to wait, when it said. */
export function retryAfterOf(error: unknown): number | undefined {
	if (!(error instanceof NodeApiError)) return undefined;
	const wait = error.context?.retryAfterSeconds;
	return typeof wait === 'number' ? wait : undefined;
}

/**
 * A "not found" decided by us rather than by a 404 (the webhook API has no GET by ID, so Get looks in
 * the list), worded as the resource's 404 would be.
 */
export function notFoundError(node: INode, accountId: string, context: RequestContext, itemIndex?: number): NodeApiError {
	const subject: ErrorSubject = { accountId, baseUrl: '', timeoutSeconds: 0, context };
	return toNodeApiError(node, explainStatus(404, undefined, subject), itemIndex);
}

/** A 2xx whose body is not the envelope the endpoint answers with: usually a web page at the Base URL. */
export function unexpectedFormat(node: INode, baseUrl: string, what: string, itemIndex?: number): NodeApiError {
	return toNodeApiError(
		node,
		{
			reason: 'format',
			message: `Klivo answered the ${what} request in an unknown format`,
			description: `Check that the Base URL (${baseUrl}) points at a Klivo or Chatwoot server, not at a web page.`,
		},
		itemIndex,
	);
}

/** Kept for actions/webhook/get.operation.ts; the webhook wording itself lives in transport/webhooks.ts. */
export function webhookNotFound(node: INode, accountId: string, webhookId: number, itemIndex?: number): NodeApiError {
	return notFoundError(node, accountId, { resource: 'webhook', id: webhookId }, itemIndex);
}

/** Our errors already carry the item index and our own words; anything else is wrapped, message only. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, message, { itemIndex });
}
