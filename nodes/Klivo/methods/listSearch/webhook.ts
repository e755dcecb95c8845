import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { redactToken } from '../../shared/webhookUrl';
import { listWebhooks } from '../../api/webhook';

/** The resource locator's list: "name (url)" or the URL, searchable by either and by ID. */
export async function searchWebhooks(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const { webhooks } = await listWebhooks.call(this);
	const needle = (filter ?? '').trim().toLowerCase();
	const results = webhooks
		.map((webhook) => {
			const url = redactToken(webhook.url);
			const label = webhook.name ? `${webhook.name} (${url})` : url;
			return { name: `${label}${webhook.disabled ? ' [disabled]' : ''}`, value: String(webhook.id), url };
		})
		.filter((result) => needle === '' || `${result.name} ${result.value}`.toLowerCase().includes(needle))
		.map(({ name, value }) => ({ name, value }));
	return { results };
}
