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

/** Anyone can post to a webhook URL: their requests write at most one warning per webhook in this interval. */
const WARNING_INTERVAL_MS = 60_000;

interface Warnings {
	loggedAt: number;
	/** Refusals since the last warning, logged at debug level only (which n8n drops by default). */
	suppressed: number;
}
const warningsByScope = new Map<string, Warnings>();

/**
 * The webhook a delivery is for: this node's registration. A test registration ("Listen for test
 * event") has its own id, so it never shares a replay cache or a warning budget with production.
 */
function scopeOf(context: IWebhookFunctions, saved: TriggerState): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}:${saved.webhookId ?? ''}`;
}

/**
 * The URL this node registered, whose webhook (and token) deliveries belong to. Without one in static
 * data (lost, or written before the URL was stored), only a production registration can be behind
 * the delivery: a test registration always stores its URL, and n8n hands a delivery to the test URL
 * the static data its activation wrote. n8n's WebhookContext answers the production URL even for a
 * test delivery, which is why this is not simply asked of n8n.
 */
function registeredUrl(context: IWebhookFunctions, saved: TriggerState): string {
	return saved.url ?? context.getNodeWebhookUrl('default') ?? '';
}

function logMeta(context: IWebhookFunctions) {
	return { workflowId: context.getWorkflow().id, node: context.getNode().name };
}

/**
 * One warning per webhook per interval; the others go to the debug level (with their reasons) and
 * are counted in the next warning, so a flood of forged requests cannot flood n8n's log.
 */
function warnAtMostOnceInAWhile(context: IWebhookFunctions, scope: string, message: string): void {
	const now = Date.now();
	const last = warningsByScope.get(scope);
	// A clock set back does not silence the warnings until it has caught up again.
	if (last !== undefined && now >= last.loggedAt && now - last.loggedAt < WARNING_INTERVAL_MS) {
		last.suppressed += 1;
		context.logger.debug(message, logMeta(context));
		return;
	}
	warningsByScope.set(scope, { loggedAt: now, suppressed: 0 });
	const since = last?.suppressed ? ` (${last.suppressed} more refused since the previous warning, logged at debug level)` : '';
	context.logger.warn(`${message}${since}`, logMeta(context));
}

function respond(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/**
 * A request that did not prove it comes from Klivo. The answer names no check (which would tell a
 * forger what to change); the reason goes to n8n's log only.
 */
function unauthorized(context: IWebhookFunctions, scope: string, reason: string): IWebhookResponseData {
	warnAtMostOnceInAWhile(context, scope, `Klivo Trigger refused a delivery (HTTP 401): ${reason}`);
	return respond(context, 401, { error: 'Unauthorized' });
}

/**
 * A body that cannot be checked or used; the reason helps whoever looks at the sender's side. With a
 * scope, the request is not authenticated (yet), and its warning is rate-limited like a 401's; the
 * others come from Klivo, and each is logged.
 */
function refuse(context: IWebhookFunctions, status: 400 | 415, reason: string, scope?: string): IWebhookResponseData {
	const message = `Klivo Trigger refused a delivery (HTTP ${status}): ${reason}`;
	if (scope === undefined) context.logger.warn(message, logMeta(context));
	else warnAtMostOnceInAWhile(context, scope, message);
	return respond(context, status, { error: status === 415 ? 'Unsupported Media Type' : 'Bad Request', reason });
}

/** Answered 200 so that Klivo counts it as delivered (and never disables us), but no execution. */
function ignore(reason: string): IWebhookResponseData {
	return { webhookResponse: { received: true, ignored: reason } };
}

interface Authenticated {
	result: VerifyResult;
	meta: DeliveryMeta;
}

interface Delivery {
	context: IWebhookFunctions;
	saved: TriggerState;
	scope: string;
	headers: IDataObject;
	rawBody: Buffer | string;
}

/**
 * Deliveries are trusted by signature where the server gave the webhook a secret, else by the token
 * in our registered URL.
 */
async function authenticate(delivery: Delivery): Promise<Authenticated> {
	return delivery.saved.secret ? await bySignature(delivery, delivery.saved.secret) : await byUrlToken(delivery);
}

async function bySignature({ context, saved, scope, headers, rawBody }: Delivery, stored: string): Promise<Authenticated> {
	const check = (secret: string) =>
		verifySignature({ secret, headers, rawBody, scope, nowSeconds: Math.floor(Date.now() / 1000) });
	// A secret learned since this activation supersedes the stored one (whose webhook is gone).
	const secret = learnedSecret(context, saved) ?? stored;
	let result = check(secret);
	if (!result.ok && result.reason === 'signature mismatch') {
		// The webhook may have been re-created with a new secret while this workflow stayed active.
		const fresh = await refreshSecret(context, saved, registeredUrl(context, saved));
		if (fresh !== undefined && fresh !== secret) result = check(fresh);
	}
	return {
		result,
		meta: {
			id: result.ok ? result.id : undefined,
			timestamp: result.ok ? result.timestamp : undefined,
			signatureVerified: result.ok,
			verifiedBy: 'signature',
		},
	};
}

async function byUrlToken({ context, saved, headers }: Delivery): Promise<Authenticated> {
	const given = (context.getQueryData() as IDataObject)[URL_TOKEN_PARAM];
	const token = typeof given === 'string' ? given : undefined;
	let result = verifyUrlToken(token, saved.urlToken ? [saved.urlToken] : []);
	if (!result.ok && token) {
		// Not the token stored at activation: static data was lost, or the webhook was registered again
		// with the credential's current access token (a watchdog's Ensure). Both derive it the same way.
		const credentials = (await context.getCredentials('klivoApi')) as unknown as KlivoCredentials;
		const derived = deriveUrlToken(credentials.accessToken, credentials.accountId, registeredUrl(context, saved));
		result = verifyUrlToken(token, [derived]);
	}
	const id = headers['x-chatwoot-delivery'];
	return { result, meta: { id: typeof id === 'string' ? id : undefined, signatureVerified: false, verifiedBy: 'urlToken' } };
}

function rawBytesOf(context: IWebhookFunctions): Buffer | string | undefined {
	const raw = (context.getRequestObject() as { rawBody?: unknown }).rawBody;
	return Buffer.isBuffer(raw) || typeof raw === 'string' ? raw : undefined;
}

export async function handleDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const saved = this.getWorkflowStaticData('node') as TriggerState;
	const scope = scopeOf(this, saved);
	const body = this.getBodyData() as unknown;
	const headers = this.getHeaderData() as IDataObject;
	// Klivo always posts JSON; n8n would hand a form or XML body over as an object all the same.
	// (Without a content type n8n parses nothing, and the body check below answers 400.)
	const contentType = headers['content-type'];
	const notJson = contentType !== undefined && !isJsonContentType(contentType);
	const bytes = rawBytesOf(this);
	// For a body it does not parse (HTML, binary) or parses itself (multipart), n8n hands a version
	// 1.1 node no bytes: no signature could be checked, and asking Klivo for a newer secret is useless.
	if (notJson && bytes === undefined) return refuse(this, 415, 'the body is not application/json', scope);
	// Without the bytes, Rails' own serialisation of the parsed body is the best stand-in.
	const rawBody = bytes ?? (body === undefined ? '' : railsJson(body));
	const { result, meta } = await authenticate({ context: this, saved, scope, headers, rawBody });
	if (!result.ok) {
		// Genuine bytes already accepted under another delivery id: answered 200 without an execution.
		if ('repeated' in result && result.repeated) return ignore('repeated delivery: this signed content was accepted before');
		return unauthorized(this, scope, result.reason);
	}
	if (notJson) return refuse(this, 415, 'the body is not application/json');

	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return refuse(this, 400, 'the body is not a JSON object');
	}
	const payload = body as IDataObject;
	const delivered = payload.event;
	if (typeof delivered !== 'string' || delivered === '') return refuse(this, 400, "the body has no 'event' field");
	if (!isKnownEvent(delivered)) return ignore(`unknown event ${delivered.slice(0, 64)}`);

	const chosen = chosenEvents(this.getNodeParameter('events', []));
	const labels = labelsFor(delivered, payload, chosen, saved.resolvedViaStatus === true);
	if (labels.length === 0) {
		const unresolved = delivered === STATUS_CHANGED_EVENT && chosen.includes(RESOLVED_EVENT);
		return ignore(unresolved ? 'status change that is not a resolution' : `event ${delivered} not selected`);
	}
	const malformed = malformation(delivered, payload);
	if (malformed) return refuse(this, 400, malformed);

	const options = this.getNodeParameter('options', {}) as IDataObject;
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
