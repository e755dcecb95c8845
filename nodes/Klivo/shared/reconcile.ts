import type { INode } from 'n8n-workflow';

import { asNodeError, failureReason } from '../transport/errors';
import type { KlivoWebhook } from '../transport/types';
import { sameEvents } from './events';
import { sameAddress, sameUrl, tokenOf, withToken } from './webhookUrl';

export type Plan =
	| { action: 'create' }
	| {
			action: 'update';
			webhook: KlivoWebhook;
			/** What the PATCH sends. */
			changes: { url?: string; events?: string[]; active?: true };
			/** What actually differs: `url`, `events`, `enabled`. */
			changed: string[];
	  }
	| { action: 'unchanged'; webhook: KlivoWebhook };

export interface Desired {
	url: string;
	events: string[];
	/** Prefer this webhook when several share the address (the one a trigger registered before). */
	preferId?: number;
	/**
	 * Never replace the token a webhook has (Ensure): the trigger checks deliveries against the one it
	 * registered, and a token derived from another credential would have every delivery refused.
	 * Without it, a token in the desired URL replaces a stale one (the trigger's own activation).
	 */
	keepRegisteredToken?: boolean;
}

/**
 * Klivo allows one webhook per URL, so the one to keep is found by its address: the whole URL but
 * our token (see addressOf), so another integration's `?src=a` is never taken for our `?src=b`.
 * Only that address, whatever id was remembered: a webhook on another host, port or path posts to
 * someone else (the n8n a workflow's static data came from, an old WEBHOOK_URL, a test URL).
 * Among webhooks at the address: the preferred id, then the exact URL.
 */
export function findWebhook(webhooks: KlivoWebhook[], desired: Pick<Desired, 'url' | 'preferId'>): KlivoWebhook | undefined {
	const atAddress = webhooks.filter((w) => sameAddress(w.url, desired.url));
	return atAddress.find((w) => w.id === desired.preferId) ?? atAddress.find((w) => sameUrl(w.url, desired.url)) ?? atAddress[0];
}

/** The desired URL with the token the webhook should hold: a URL given without one keeps the registered token. */
function targetUrl(current: string, desired: Desired): string {
	const registered = tokenOf(current);
	if (registered === undefined) return desired.url;
	if (tokenOf(desired.url) !== undefined && !desired.keepRegisteredToken) return desired.url;
	return withToken(desired.url, registered);
}

/** What it takes to make the server hold exactly the desired webhook: nothing, one PATCH, or one POST. */
export function planWebhook(webhooks: KlivoWebhook[], desired: Desired): Plan {
	const webhook = findWebhook(webhooks, desired);
	if (!webhook) return { action: 'create' };
	const changes: { url?: string; events?: string[]; active?: true } = {};
	const changed: string[] = [];
	const url = targetUrl(webhook.url, desired);
	// Another spelling of the same address is no change; another token is.
	if (!sameAddress(webhook.url, url) || tokenOf(webhook.url) !== tokenOf(url)) {
		changes.url = url;
		changed.push('url');
	}
	if (!sameEvents(webhook.events, desired.events)) {
		changes.events = desired.events;
		changed.push('events');
	}
	if (webhook.disabled) {
		changes.active = true;
		changed.push('enabled');
		// Some servers only re-enable on a full update, so the events go along unchanged.
		changes.events = desired.events;
	}
	if (changed.length === 0) return { action: 'unchanged', webhook };
	return { action: 'update', webhook, changes, changed };
}

export interface CreateOrAdoptSteps<T> {
	create(): Promise<T>;
	/** The account's webhooks now. */
	list(): Promise<KlivoWebhook[]>;
	/** Makes the webhook found at the URL what create() would have made. */
	adopt(existing: KlivoWebhook): Promise<T>;
}

/**
 * Creates a webhook; when Klivo answers that the URL is taken (registered meanwhile by another n8n
 * main, a watchdog, a person), lists again and adopts the webhook at that address instead of failing
 * or duplicating it. The trigger's activation, Create and Ensure all go this way.
 */
export async function createOrAdopt<T>(node: INode, url: string, steps: CreateOrAdoptSteps<T>, itemIndex?: number): Promise<T> {
	try {
		return await steps.create();
	} catch (error) {
		if (failureReason(error) !== 'urlTaken') throw asNodeError(node, error, itemIndex);
		const existing = findWebhook(await steps.list(), { url });
		if (!existing) throw asNodeError(node, error, itemIndex);
		return await steps.adopt(existing);
	}
}
