import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { isKnownEvent, RESOLVED_EVENT, STATUS_CHANGED_EVENT } from '../shared/events';
import { deriveUrlToken, URL_TOKEN_PARAM } from '../shared/webhookUrl';
import type { KlivoCredentials } from '../transport/types';
import { filterReason, readFilters } from './filters';
import { isJsonContentType, malformation } from './payload';
import { learnedSecret, refreshSecret } from './secretRefresh';
import { chosenEvents, type TriggerState } from './state';
import { summarize, type DeliveryMeta } from './summary';
import { railsJson, verifySignature, verifyUrlToken, type VerifyResult } from './verify';

const ERROR_NAMES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 415: 'Unsupported Media Type' };

function refuse(context: IWebhookFunctions, status: number, reason: string): IWebhookResponseData {
	context.logger.warn(`Klivo Trigger refused a delivery (HTTP ${status}): ${reason}`, {
		workflowId: context.getWorkflow().id,
		node: context.getNode().name,
	});
	const response = context.getResponseObject();
	response.status(status).json({ error: ERROR_NAMES[status] ?? 'Bad Request', reason });
	return { noWebhookResponse: true };
}

/** Answered 200 so that Klivo counts it as delivered (and never disables us), but no execution. */
function ignore(reason: string): IWebhookResponseData {
	return { webhookResponse: { received: true, ignored: reason } };
}

interface Authenticated {
	result: VerifyResult;
	meta: DeliveryMeta;
}

function bySignature(result: VerifyResult & { id?: string; timestamp?: number }): Authenticated {
	return { result, meta: { id: result.ok ? result.id : undefined, timestamp: result.ok ? result.timestamp : undefined, signatureVerified: result.ok, verifiedBy: 'signature' } };
}

function byUrlToken(result: VerifyResult, headers: IDataObject): Authenticated {
	const id = headers['x-chatwoot-delivery'];
	return { result, meta: { id: typeof id === 'string' ? id : undefined, signatureVerified: false, verifiedBy: 'urlToken' } };
}

/**
 * Deliveries are trusted by signature where the server gave the webhook a secret, else by the token
 * in our registered URL. The stored secret or token decides almost every delivery without waiting for
 * anything; only a mismatch looks further (a secret re-learned from Klivo, a token derived from the
 * credentials), which is why this answers undefined instead of a refusal then.
 */
function authenticateNow(context: IWebhookFunctions, saved: TriggerState, headers: IDataObject, rawBody: Buffer | string): Authenticated | undefined {
	if (saved.secret) {
		// A secret learned since this activation supersedes the stored one (whose webhook is gone).
		const result = verifyWith(context, saved, headers, rawBody, learnedSecret(context, saved) ?? saved.secret);
		return result.ok || result.reason !== 'signature mismatch' ? bySignature(result) : undefined;
	}
	const given = context.getQueryData() as IDataObject;
	const token = typeof given[URL_TOKEN_PARAM] === 'string' ? (given[URL_TOKEN_PARAM] as string) : undefined;
	const result = verifyUrlToken(token, saved.urlToken ? [saved.urlToken] : []);
	return result.ok || !token ? byUrlToken(result, headers) : undefined;
}

function verifyWith(context: IWebhookFunctions, saved: TriggerState, headers: IDataObject, rawBody: Buffer | string, secret: string) {
	return verifySignature({
		secret,
		headers,
		rawBody,
		scope: String(saved.webhookId ?? context.getNode().id),
		nowSeconds: Math.floor(Date.now() / 1000),
	});
}

/** The second look after a mismatch: the webhook may have been re-created, or the credentials rotated. */
async function authenticateAgain(context: IWebhookFunctions, saved: TriggerState, headers: IDataObject, rawBody: Buffer | string): Promise<Authenticated> {
	if (saved.secret) {
		// authenticateNow found the signature wrong for the secret we hold.
		const secret = learnedSecret(context, saved) ?? saved.secret;
		const fresh = await refreshSecret(context, saved);
		if (fresh !== undefined && fresh !== secret) return bySignature(verifyWith(context, saved, headers, rawBody, fresh));
		return bySignature({ ok: false, reason: 'signature mismatch' });
	}
	const token = (context.getQueryData() as IDataObject)[URL_TOKEN_PARAM] as string;
	const credentials = (await context.getCredentials('klivoApi')) as unknown as KlivoCredentials;
	const webhookUrl = context.getNodeWebhookUrl('default') ?? '';
	return byUrlToken(verifyUrlToken(token, [deriveUrlToken(credentials.accessToken, credentials.accountId, webhookUrl)]), headers);
}

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsExpression);
	return false;
}

/**
 * A parameter as stored when it holds no expression (the usual case), else resolved by n8n. Resolving
 * a static value returns it unchanged but costs more than the rest of a delivery's checks together
 * (see BENCHMARKS.md): n8n computes its expression keys and validates the value on every call.
 */
function staticParameter(context: IWebhookFunctions, name: string, fallback: unknown): unknown {
	const stored = context.getNodeParameter(name, fallback, { rawExpressions: true });
	return holdsExpression(stored) ? context.getNodeParameter(name, fallback) : stored;
}

function rawBytesOf(context: IWebhookFunctions): Buffer | string | undefined {
	const raw = (context.getRequestObject() as { rawBody?: unknown }).rawBody;
	return Buffer.isBuffer(raw) || typeof raw === 'string' ? raw : undefined;
}

export async function handleDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const saved = this.getWorkflowStaticData('node') as TriggerState;
	const body = this.getBodyData() as unknown;
	const headers = this.getHeaderData() as IDataObject;
	// Klivo always posts JSON; n8n would hand a form or XML body over as an object all the same.
	// (Without a content type n8n parses nothing, and the body check below answers 400.)
	const contentType = headers['content-type'];
	const notJson = contentType !== undefined && !isJsonContentType(contentType);
	const bytes = rawBytesOf(this);
	// For a body it does not parse (HTML, binary) or parses itself (multipart), n8n hands a version
	// 1.1 node no bytes: no signature could be checked, and asking Klivo for a newer secret is useless.
	if (notJson && bytes === undefined) return refuse(this, 415, 'the body is not application/json');
	// Without the bytes, Rails' own serialisation of the parsed body is the best stand-in.
	const rawBody = bytes ?? (body === undefined ? '' : railsJson(body));
	const { result, meta } = authenticateNow(this, saved, headers, rawBody) ?? (await authenticateAgain(this, saved, headers, rawBody));
	if (!result.ok) return refuse(this, 401, result.reason);
	if (notJson) return refuse(this, 415, 'the body is not application/json');

	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return refuse(this, 400, 'the body is not a JSON object');
	}
	const payload = body as IDataObject;
	const delivered = payload.event;
	if (typeof delivered !== 'string' || delivered === '') return refuse(this, 400, "the body has no 'event' field");
	if (!isKnownEvent(delivered)) return ignore(`unknown event ${delivered.slice(0, 64)}`);

	const chosen = chosenEvents(staticParameter(this, 'events', []));
	const labels = labelsFor(delivered, payload, chosen, saved.resolvedViaStatus === true);
	if (labels.length === 0) {
		const unresolved = delivered === STATUS_CHANGED_EVENT && chosen.includes(RESOLVED_EVENT);
		return ignore(unresolved ? 'status change that is not a resolution' : `event ${delivered} not selected`);
	}
	const malformed = malformation(delivered, payload);
	if (malformed) return refuse(this, 400, malformed);

	const options = staticParameter(this, 'options', {}) as IDataObject;
	const filters = readFilters(options);
	const reason = filterReason(labels[0], payload, filters);
	if (reason) return ignore(`filtered: ${reason}`);

	const items = labels.map((event) => {
		const summary = summarize(event, delivered, payload, meta);
		return options.output === 'summary' ? summary : { ...payload, event, klivo: summary };
	});
	return { workflowData: [items.map((json) => ({ json }))], webhookResponse: { received: true } };
}

/**
 * The events one delivery stands for. Where the server cannot subscribe conversation_resolved, a
 * resolved status change stands for it too, so "All Events" sees resolutions on both dialects.
 */
function labelsFor(delivered: string, payload: IDataObject, chosen: readonly string[], resolvedViaStatus: boolean): string[] {
	const labels = chosen.includes(delivered) ? [delivered] : [];
	const standsForResolved =
		delivered === STATUS_CHANGED_EVENT &&
		payload.status === 'resolved' &&
		chosen.includes(RESOLVED_EVENT) &&
		(resolvedViaStatus || !chosen.includes(STATUS_CHANGED_EVENT));
	if (standsForResolved) labels.push(RESOLVED_EVENT);
	return labels;
}
