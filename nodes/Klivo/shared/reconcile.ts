import type { KlivoWebhook } from '../transport/types';
import { sameEvents } from './events';
import { sameUrl, tokenOf, urlBase, urlPath, withoutToken } from './webhookUrl';

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
	/** Prefer this webhook when several share the URL (the one a trigger registered before). */
	preferId?: number;
}

/**
 * Klivo allows one webhook per URL, so the one to keep is found by URL; the query string is left out
 * of the match because a trigger's URL token may differ from what was registered before. Last comes
 * the webhook registered before under the same path on another host (n8n's WEBHOOK_URL changed): it
 * is moved rather than left behind. The path tells production (`/webhook/`) from test
 * (`/webhook-test/`) URLs, so a test run never takes over a production webhook.
 */
export function findWebhook(webhooks: KlivoWebhook[], desired: Desired): KlivoWebhook | undefined {
	const byId = desired.preferId === undefined ? undefined : webhooks.find((w) => w.id === desired.preferId);
	if (byId && urlBase(byId.url) === urlBase(desired.url)) return byId;
	const sameAddress =
		webhooks.find((w) => sameUrl(w.url, desired.url)) ?? webhooks.find((w) => urlBase(w.url) === urlBase(desired.url));
	if (sameAddress) return sameAddress;
	if (byId && urlPath(byId.url) === urlPath(desired.url)) return byId;
	return undefined;
}

/** What it takes to make the server hold exactly the desired webhook: nothing, one PATCH, or one POST. */
export function planWebhook(webhooks: KlivoWebhook[], desired: Desired): Plan {
	const webhook = findWebhook(webhooks, desired);
	if (!webhook) return { action: 'create' };
	const changes: { url?: string; events?: string[]; active?: true } = {};
	const changed: string[] = [];
	// A URL given without a trigger's token must not strip the token the trigger registered.
	const keepToken = tokenOf(desired.url) === undefined && tokenOf(webhook.url) !== undefined;
	const current = keepToken ? withoutToken(webhook.url) : webhook.url;
	if (!sameUrl(current, desired.url)) {
		changes.url = desired.url;
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
