import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { RESOLVED_EVENT, STATUS_CHANGED_EVENT } from '../shared/events';

/** What the caller knows about the request, so that messages can name the thing that failed. */
export interface RequestSubject {
	accountId: string;
	baseUrl: string;
	webhookId?: number | string;
	events?: string[];
	timeoutSeconds: number;
	/** From a 429's Retry-After header, when the server sent one. */
	retryAfterSeconds?: number;
}

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

function serverText(body: unknown): string {
	if (typeof body === 'string') return body.slice(0, 200);
	if (typeof body === 'object' && body !== null) {
		const { error, message } = body as { error?: unknown; message?: unknown };
		if (typeof error === 'string') return error;
		if (typeof message === 'string') return message;
		if (Array.isArray(message)) return message.join(', ');
	}
	return '';
}

function seconds(count: number): string {
	return `${count} ${count === 1 ? 'second' : 'seconds'}`;
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

const TOKEN_HINT = "In Klivo, open Profile Settings and copy the 'Access Token' at the bottom of the page";

export function explainStatus(status: number, body: unknown, subject: RequestSubject): Explanation {
	const text = serverText(body);
	const lower = text.toLowerCase();
	const httpCode = String(status);
	if (status === 401 || status === 403) {
		if (lower.includes('not authorized to do this action')) {
			return {
				httpCode,
				reason: 'agent',
				message: 'This access token belongs to an agent: only administrators may manage webhooks',
				description: `Use an administrator's access token in the Klivo API credential. ${TOKEN_HINT} while logged in as an administrator of account ${subject.accountId}.`,
			};
		}
		if (lower.includes('not authorized to access this account')) {
			return {
				httpCode,
				reason: 'account',
				message: `The token's user is not a member of account ${subject.accountId}`,
				description:
					"Check the Account ID in the Klivo API credential: it is the number after '/app/accounts/' in Klivo's address bar. Or use a token of a user of that account.",
			};
		}
		return {
			httpCode,
			reason: 'token',
			message: 'Klivo did not accept the API access token',
			description: `The token is unknown or was reset. ${TOKEN_HINT}, and paste it into the Klivo API credential.`,
		};
	}
	if (status === 404) {
		if (subject.webhookId !== undefined) {
			return {
				httpCode,
				reason: 'notFound',
				message: `Webhook ${subject.webhookId} does not exist in account ${subject.accountId}`,
				description:
					'It may have been deleted in Klivo, or the Account ID in the credential points at another account. Use Get Many to see the webhooks that exist, or Ensure to create it again.',
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
		if (lower.includes('already been taken')) {
			return {
				httpCode,
				reason: 'urlTaken',
				message: 'A webhook with this URL already exists in this Klivo account',
				description: 'Klivo allows one webhook per URL. Use the Ensure operation, or Update the existing webhook.',
			};
		}
		if (lower.includes('url')) {
			return {
				httpCode,
				reason: 'urlInvalid',
				message: 'Klivo rejected the webhook URL',
				description: 'Use a full address such as https://n8n.example.com/webhook/klivo that Klivo can reach.',
			};
		}
		if (lower.includes('subscriptions') || lower.includes('event')) {
			if (subject.events?.includes(RESOLVED_EVENT)) {
				return {
					httpCode,
					reason: 'events',
					message: `This Klivo server does not accept the event 'Conversation Resolved': subscribe to 'Conversation Status Changed' (${STATUS_CHANGED_EVENT}) instead`,
					description: `Replace 'Conversation Resolved' with 'Conversation Status Changed' (${STATUS_CHANGED_EVENT}) and check that the delivery's status is 'resolved'. The Klivo Trigger node does this for you.`,
				};
			}
			return {
				httpCode,
				reason: 'events',
				message: 'Klivo rejected the list of events',
				description: 'Pick at least one event from the list; this server may not support every event.',
			};
		}
		return { httpCode, reason: 'rejected', message: `Klivo rejected the request: ${text || 'unprocessable'}`, description: 'Check the fields of this operation.' };
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

export function explainNetworkError(error: unknown, subject: RequestSubject): Explanation {
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

/** The API has no GET by ID, so "not found" is decided by us after a list. */
export function webhookNotFound(node: INode, accountId: string, webhookId: number, itemIndex?: number): NodeApiError {
	const subject: RequestSubject = { accountId, baseUrl: '', webhookId, timeoutSeconds: 0 };
	return toNodeApiError(node, explainStatus(404, undefined, subject), itemIndex);
}

/** Our errors already carry the item index and our own words; anything else is wrapped, message only. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, message, { itemIndex });
}
