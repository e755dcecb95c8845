import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { subscriptionFor } from '../../shared/events';
import { createOrAdopt, planWebhook, type Desired, type Plan } from '../../shared/reconcile';
import { deriveUrlToken, withToken } from '../../shared/webhookUrl';
import { createWebhook, listWebhooks, updateWebhook, webhookToJson } from '../../api/webhook';
import type { KlivoWebhook } from '../../transport/types';
import { eventsField, forTriggerOption, nameOption, optionalName, readEvents, readUrl, urlField } from './fields';

export const description: INodeProperties[] = [
	{
		displayName:
			'Makes sure one webhook with this URL exists with exactly these events: creates it, updates it (also re-enabling a webhook Klivo disabled), or leaves it alone. Safe to run on a schedule.',
		name: 'ensureNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['webhook'], operation: ['ensure'] } },
	},
	urlField('ensure'),
	eventsField('ensure'),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: { resource: ['webhook'], operation: ['ensure'] } },
		options: [forTriggerOption, { ...nameOption, description: "A label shown in Klivo's list of webhooks; used only when the webhook is created" }],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	let url = readUrl.call(this, this.getNodeParameter('url', itemIndex), itemIndex);
	let events = readEvents.call(this, this.getNodeParameter('events', itemIndex), itemIndex);
	const fields = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	if (fields.forTrigger === true) {
		const credentials = await this.getCredentials('klivoApi');
		url = withToken(url, deriveUrlToken(String(credentials.accessToken), String(credentials.accountId), url));
	}

	const { webhooks, dialect } = await listWebhooks.call(this, itemIndex);
	// A trigger on a Chatwoot-dialect server holds status changes in place of conversation_resolved.
	if (fields.forTrigger === true) events = subscriptionFor(events, dialect === 'chatwoot');
	// A webhook that exists keeps its token: only one the trigger can check is ever written.
	const desired: Desired = { url, events, keepRegisteredToken: true };
	const apply = async (plan: Plan): Promise<IDataObject> => {
		if (plan.action === 'unchanged') return { action: 'unchanged', ...webhookToJson(plan.webhook) };
		if (plan.action === 'create') {
			const created = await createWebhook.call(this, { url, events, name: optionalName(fields) }, itemIndex);
			return { action: 'created', ...webhookToJson(created) };
		}
		const updated = await updateWebhook.call(this, plan.webhook.id, plan.changes, itemIndex);
		return { action: 'updated', changed: plan.changed, ...webhookToJson(updated) };
	};
	const plan = planWebhook(webhooks, desired);
	if (plan.action !== 'create') return await apply(plan);
	const steps = {
		create: async () => await apply(plan),
		list: async () => (await listWebhooks.call(this, itemIndex)).webhooks,
		adopt: async (existing: KlivoWebhook) => await apply(planWebhook([existing], desired)),
	};
	return await createOrAdopt(this.getNode(), url, steps, itemIndex);
}
