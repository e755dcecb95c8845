import type { IHookFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { RESOLVED_EVENT, subscriptionFor } from '../shared/events';
import { createOrAdopt, findWebhook, planWebhook, type Desired } from '../shared/reconcile';
import { deriveUrlToken, sameAddress, urlBase, withToken } from '../shared/webhookUrl';
import { isKlivoCloud } from '../transport/baseUrl';
import { asNodeError, failureReason } from '../transport/errors';
import { CLEANUP_RETRY, retryTransient } from '../transport/retry';
import type { KlivoCredentials, KlivoWebhook, WebhookDialect } from '../transport/types';
import { createWebhook, deleteWebhook, listWebhooks, updateWebhook, type WebhookFields } from '../api/webhook';
import { chosenEvents, clearState, type TriggerState } from './state';

interface Target {
	/** The URL registered with Klivo: n8n's webhook URL plus our token. */
	url: string;
	token: string;
	chosen: readonly string[];
	name: string;
}

function isPrivateHost(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
	if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) {
		return true;
	}
	if (host.includes(':')) {
		// IPv6 literal: loopback, unspecified, unique local (fc00::/7), link-local (fe80::/10), IPv4-mapped.
		return host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith('::ffff:');
	}
	if (!host.includes('.')) return true;
	const octets = host.split('.').map(Number);
	if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o))) return false;
	const [a, b] = octets;
	return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

/** Klivo's cloud cannot post to a laptop: say so at activation instead of losing every event. */
function assertReachable(context: IHookFunctions, credentials: KlivoCredentials, webhookUrl: string): void {
	if (!isKlivoCloud(credentials.baseUrl)) return;
	const parsed = new URL(webhookUrl);
	if (parsed.protocol === 'https:' && !isPrivateHost(parsed.hostname)) return;
	throw new NodeOperationError(context.getNode(), `Klivo's cloud cannot reach this n8n at ${parsed.origin}`, {
		description:
			"Klivo posts events over the internet, so n8n's webhook address must be public and use HTTPS. Set n8n's WEBHOOK_URL environment variable to your public HTTPS address (e.g. https://n8n.example.com/) and restart n8n.",
	});
}

async function describeTarget(context: IHookFunctions): Promise<Target> {
	const webhookUrl = context.getNodeWebhookUrl('default');
	if (!webhookUrl) {
		throw new NodeOperationError(context.getNode(), 'n8n did not give this trigger a webhook URL');
	}
	const credentials = (await context.getCredentials('klivoApi')) as unknown as KlivoCredentials;
	assertReachable(context, credentials, webhookUrl);
	const chosen = chosenEvents(context.getNodeParameter('events', []));
	if (chosen.length === 0) {
		throw new NodeOperationError(context.getNode(), 'Pick at least one event to listen for', {
			description: "Choose the Klivo events that should start this workflow under 'Events'.",
		});
	}
	const token = deriveUrlToken(credentials.accessToken, credentials.accountId, webhookUrl);
	const workflow = context.getWorkflow();
	const test = context.getActivationMode() === 'manual' ? ' (test)' : '';
	return {
		url: withToken(webhookUrl, token),
		token,
		chosen,
		name: `n8n: ${workflow.name ?? workflow.id ?? 'workflow'} / ${context.getNode().name}${test}`,
	};
}

function state(context: IHookFunctions): TriggerState {
	return context.getWorkflowStaticData('node') as TriggerState;
}

/**
 * The remembered webhook posts to another address: the workflow's static data came from another n8n
 * (a restored database, an imported workflow), or n8n's WEBHOOK_URL changed. It is that address's
 * webhook, so it is neither adopted nor deleted; say so, as it may be a leftover to delete by hand.
 */
function warnIfForeign(context: IHookFunctions, webhooks: KlivoWebhook[], saved: TriggerState, ownUrl: string): void {
	const stored = webhooks.find((w) => w.id === saved.webhookId);
	if (!stored || sameAddress(stored.url, ownUrl)) return;
	// Scheme, host, port and path only: a query string may hold a token.
	context.logger.warn(
		`Klivo Trigger: left webhook ${stored.id} alone: it posts to ${urlBase(stored.url)}, not to this n8n's ${urlBase(ownUrl)} (the workflow's static data came from another n8n or another URL, or WEBHOOK_URL changed). If nothing receives at that address any more, delete the webhook in Klivo (Settings > Integrations > Webhooks).`,
		{ workflowId: context.getWorkflow().id, node: context.getNode().name },
	);
}

/** The list's envelope tells which server this is; only Chatwoot's refuses conversation_resolved. */
function resolvedViaStatus(dialect: WebhookDialect, saved: TriggerState): boolean {
	if (dialect === 'chatwoot') return true;
	if (dialect === 'klivo') return false;
	return saved.resolvedViaStatus === true;
}

function remember(saved: TriggerState, webhook: KlivoWebhook, target: Target, viaStatus: boolean): void {
	clearState(saved);
	saved.webhookId = webhook.id;
	saved.url = target.url;
	saved.urlToken = target.token;
	saved.resolvedViaStatus = viaStatus;
	if (webhook.secret) saved.secret = webhook.secret;
}

/**
 * One write, with the Conversation Resolved fallback: a server that answers 422 for it gets
 * status changes instead, and the trigger emits only the resolved ones.
 */
async function write(
	node: INode,
	target: Target,
	viaStatus: boolean,
	send: (events: string[]) => Promise<KlivoWebhook>,
): Promise<{ webhook: KlivoWebhook; viaStatus: boolean }> {
	const events = subscriptionFor(target.chosen, viaStatus);
	try {
		return { webhook: await send(events), viaStatus };
	} catch (error) {
		if (viaStatus || !events.includes(RESOLVED_EVENT) || failureReason(error) !== 'events') throw asNodeError(node, error);
		return { webhook: await send(subscriptionFor(target.chosen, true)), viaStatus: true };
	}
}

function patch(context: IHookFunctions, id: number, fields: Omit<WebhookFields, 'events'>) {
	return (events: string[]) => updateWebhook.call(context, id, { ...fields, events });
}

/**
 * Healthy only if a webhook at our address exists, holds exactly our events and is enabled. A webhook
 * at our address is adopted (renamed node, lost static data) and fixed with one PATCH; one at another
 * address is left alone, even under the remembered id. False makes n8n call create(). One list
 * request, plus at most one PATCH.
 */
export async function checkExists(this: IHookFunctions): Promise<boolean> {
	const target = await describeTarget(this);
	const saved = state(this);
	const { webhooks, dialect } = await listWebhooks.call(this);
	warnIfForeign(this, webhooks, saved, target.url);
	const viaStatus = resolvedViaStatus(dialect, saved);
	const desired: Desired = { url: target.url, events: subscriptionFor(target.chosen, viaStatus), preferId: saved.webhookId };
	const plan = planWebhook(webhooks, desired);

	if (plan.action === 'create') {
		clearState(saved);
		saved.resolvedViaStatus = viaStatus;
		return false;
	}
	if (plan.action === 'unchanged') {
		remember(saved, plan.webhook, target, viaStatus);
		return true;
	}
	const { url, active } = plan.changes;
	const result = await write(this.getNode(), target, viaStatus, patch(this, plan.webhook.id, { url, active }));
	remember(saved, result.webhook, target, result.viaStatus);
	return true;
}

export async function create(this: IHookFunctions): Promise<boolean> {
	const target = await describeTarget(this);
	const saved = state(this);
	const viaStatus = saved.resolvedViaStatus === true;
	const node = this.getNode();
	const result = await createOrAdopt(node, target.url, {
		create: async () =>
			await write(node, target, viaStatus, (events) => createWebhook.call(this, { url: target.url, events, name: target.name })),
		list: async () => (await listWebhooks.call(this)).webhooks,
		// Registered meanwhile (or under another token): made ours with one PATCH.
		adopt: async (existing) => await write(node, target, viaStatus, patch(this, existing.id, { url: target.url, active: true })),
	});
	remember(saved, result.webhook, target, result.viaStatus);
	return true;
}

/**
 * Never throws: n8n skips the cleanup of the workflow's other nodes after an error here. Deletes only
 * a webhook at this n8n's own address: the remembered id when it was registered here (one request),
 * else what Klivo's list shows at that address. "Already gone" is success; a transient failure is
 * retried a bounded number of times (at most a few seconds more); other failures are logged (no
 * secrets) and the next activation adopts the leftover webhook by its address, so nothing is duplicated.
 */
export async function remove(this: IHookFunctions): Promise<boolean> {
	const saved = state(this);
	const ownUrl = this.getNodeWebhookUrl('default');
	// What this node registered at this address; a URL from another n8n (or none, in static data
	// written before the URL was kept) is checked against Klivo's list first.
	const registeredHere = saved.webhookId !== undefined && saved.url !== undefined && ownUrl !== undefined && sameAddress(saved.url, ownUrl);
	let warned = false;
	const findOwn = async (): Promise<number | undefined> => {
		if (!ownUrl) return undefined;
		const { webhooks } = await listWebhooks.call(this);
		if (!warned) warnIfForeign(this, webhooks, saved, ownUrl);
		warned = true;
		return findWebhook(webhooks, { url: ownUrl, preferId: saved.webhookId })?.id;
	};
	let attempted: number | undefined;
	// Safe to repeat: a webhook that an earlier try did delete answers 404, which counts as done.
	const removeOnce = async (): Promise<void> => {
		const id = registeredHere ? saved.webhookId : await findOwn();
		if (id === undefined) return;
		attempted = id;
		if (await deleteWebhook.call(this, id, { missingIsDone: true })) return;
		// Already gone. If that was the remembered id, a watchdog's Ensure or a person may have
		// re-created the webhook under a new one.
		if (saved.webhookId === undefined) return;
		const recreated = await findOwn();
		if (recreated === undefined) return;
		attempted = recreated;
		const gone = await deleteWebhook.call(this, recreated, { missingIsDone: true });
		// "Not found" for a webhook Klivo still lists: say so rather than report it removed.
		if (!gone && recreated === id) {
			throw new NodeOperationError(this.getNode(), `Klivo answered 404 to deleting webhook ${id}, yet still lists it`, {
				description: 'Klivo may be answering from a stale cache.',
			});
		}
	};
	// A one-off 429, 5xx or dropped connection would otherwise leave the webhook posting to a
	// workflow that no longer listens, until the next activation adopts it.
	const outcome = await retryTransient(removeOnce, CLEANUP_RETRY);
	if (outcome.ok) {
		clearState(saved, true);
		return true;
	}
	const { error, tries } = outcome;
	const message = error instanceof Error ? error.message : String(error);
	const description = error instanceof Error ? (error as Error & { description?: unknown }).description : undefined;
	this.logger.warn(
		`Klivo Trigger: could not remove webhook ${attempted ?? saved.webhookId ?? '(unknown id)'} from Klivo${tries > 1 ? ` (${tries} tries)` : ''}: ${message}. ${
			typeof description === 'string' ? description : ''
		} It is adopted again on the next activation, or delete it in Klivo (Settings > Integrations > Webhooks).`,
		{ workflowId: this.getWorkflow().id, node: this.getNode().name },
	);
	return false;
}
