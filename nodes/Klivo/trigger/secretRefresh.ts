import type { IWebhookFunctions } from 'n8n-workflow';

import { urlBase } from '../shared/webhookUrl';
import { listWebhooks } from '../transport/webhooks';
import type { TriggerState } from './state';

/** A forged-delivery flood costs Klivo at most one list request per node in this interval. */
const REFRESH_INTERVAL_MS = 30_000;

const lastRefresh = new Map<string, number>();
const learnedSecrets = new Map<string, string>();

function keyOf(context: IWebhookFunctions): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
}

/** A secret learned after the webhook was re-created (e.g. by a watchdog's Ensure) since activation. */
export function learnedSecret(context: IWebhookFunctions): string | undefined {
	return learnedSecrets.get(keyOf(context));
}

/**
 * When a signature does not match the stored secret, the webhook may have been re-created with a new
 * one (a watchdog's Ensure, a person in Klivo's UI) while this workflow stayed active. Ask Klivo once
 * for the current secret instead of refusing every delivery until the next activation.
 */
export async function refreshSecret(context: IWebhookFunctions, saved: TriggerState): Promise<string | undefined> {
	const key = keyOf(context);
	const now = Date.now();
	if (now - (lastRefresh.get(key) ?? 0) < REFRESH_INTERVAL_MS) return undefined;
	lastRefresh.set(key, now);
	try {
		const { webhooks } = await listWebhooks.call(context);
		const webhookUrl = context.getNodeWebhookUrl('default') ?? '';
		const ours =
			webhooks.find((w) => w.id === saved.webhookId && urlBase(w.url) === urlBase(webhookUrl)) ??
			webhooks.find((w) => urlBase(w.url) === urlBase(webhookUrl));
		if (!ours?.secret) return undefined;
		learnedSecrets.set(key, ours.secret);
		saved.secret = ours.secret;
		saved.webhookId = ours.id;
		return ours.secret;
	} catch (error) {
		context.logger.warn(
			`Klivo Trigger could not fetch its webhook's current signing secret: ${error instanceof Error ? error.message : String(error)}`,
			{ workflowId: context.getWorkflow().id, node: context.getNode().name },
		);
		return undefined;
	}
}
