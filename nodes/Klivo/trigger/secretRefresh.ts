import type { IWebhookFunctions } from 'n8n-workflow';

import { urlBase } from '../shared/webhookUrl';
import { listWebhooks } from '../api/webhook';
import type { TriggerState } from './state';

/** A forged-delivery flood costs Klivo at most one list request per node in this interval. */
const REFRESH_INTERVAL_MS = 30_000;

const lastRefresh = new Map<string, number>();
const learnedSecrets = new Map<string, string>();

/**
 * Keyed by the secret the last activation stored as well: a re-activation stores a new one, which
 * makes anything learned before it stale and allows a fresh look-up at once. A test registration
 * ("Listen for test event") stores its own secret, so it never shares what the production one learned.
 */
function keyOf(context: IWebhookFunctions, saved: TriggerState): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}:${saved.secret ?? ''}`;
}

/** A secret learned since the last activation, after the webhook was re-created (e.g. by a watchdog). */
export function learnedSecret(context: IWebhookFunctions, saved: TriggerState): string | undefined {
	return learnedSecrets.get(keyOf(context, saved));
}

/**
 * When a signature does not match the stored secret, the webhook may have been re-created with a new
 * one (a watchdog's Ensure, a person in Klivo's UI) while this workflow stayed active. Ask Klivo once
 * for the current secret instead of refusing every delivery until the next activation.
 *
 * `registeredUrl` is the URL this node registered: for "Listen for test event" that is n8n's test URL,
 * whose webhook is another than the production one of the same workflow.
 */
export async function refreshSecret(context: IWebhookFunctions, saved: TriggerState, registeredUrl: string): Promise<string | undefined> {
	const key = keyOf(context, saved);
	const now = Date.now();
	if (now - (lastRefresh.get(key) ?? 0) < REFRESH_INTERVAL_MS) return undefined;
	lastRefresh.set(key, now);
	try {
		const { webhooks } = await listWebhooks.call(context);
		const ours = urlBase(registeredUrl);
		// Our registration, else a webhook re-created at our URL under a new id.
		const webhook =
			webhooks.find((w) => w.id === saved.webhookId && urlBase(w.url) === ours) ??
			webhooks.find((w) => urlBase(w.url) === ours);
		if (!webhook?.secret) return undefined;
		learnedSecrets.set(key, webhook.secret);
		return webhook.secret;
	} catch (error) {
		context.logger.warn(
			`Klivo Trigger could not fetch its webhook's current signing secret: ${error instanceof Error ? error.message : String(error)}`,
			{ workflowId: context.getWorkflow().id, node: context.getNode().name },
		);
		return undefined;
	}
}
