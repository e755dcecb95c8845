import type { IDataObject, IExecuteFunctions, IHookFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

export type KlivoContext = IExecuteFunctions | IHookFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/**
 * Which of the two webhook response shapes a server spoke (see the reference: Klivo docs vs Chatwoot
 * code). Only the webhook endpoints come in two dialects; every other resource has one envelope.
 */
export type WebhookDialect = 'klivo' | 'chatwoot' | 'unknown';

/** A webhook as both dialects describe it, normalised once at the transport boundary. */
export interface KlivoWebhook {
	id: number;
	url: string;
	name?: string;
	events: string[];
	/** Chatwoot 4.12+ signs deliveries with it; it must never reach workflow output. */
	secret?: string;
	/** Klivo disables a webhook after 3 failed deliveries. */
	disabled: boolean;
	/** The remaining fields the server sent, without url/subscriptions/secret. */
	extra: IDataObject;
}

export interface WebhookList {
	webhooks: KlivoWebhook[];
	dialect: WebhookDialect;
	accountId: string;
}

export interface KlivoCredentials {
	baseUrl: string;
	accessToken: string;
	accountId: string | number;
	timeout?: number;
}
