/**
 * The webhook resource's calls and envelopes. They live in transport/webhooks.ts and
 * transport/envelopes.ts, where the trigger imports them; new code imports them from here, so that
 * every resource is reached the same way (api/<resource>.ts).
 */
export { createWebhook, deleteWebhook, listWebhooks, updateWebhook, type WebhookFields } from '../transport/webhooks';
export { toWebhook, unwrapList, unwrapOne, webhookToJson } from '../transport/envelopes';
export type { KlivoWebhook, WebhookDialect, WebhookList } from '../transport/types';
