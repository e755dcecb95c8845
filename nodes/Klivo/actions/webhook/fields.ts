import type { IDataObject, IExecuteFunctions, INodeProperties, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { EVENT_OPTIONS, isKnownEvent } from '../../shared/events';
import { checkWebhookUrl, hasRedactedToken, URL_TOKEN_PARAM } from '../../shared/webhookUrl';

export function webhookIdField(operation: string, description: string): INodeProperties {
	return {
		displayName: 'Webhook',
		name: 'webhookId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		displayOptions: { show: { resource: ['webhook'], operation: [operation] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a webhook...',
				typeOptions: { searchListMethod: 'searchWebhooks', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12',
				validation: [
					{ type: 'regex', properties: { regex: '^\\s*[0-9]+\\s*$', errorMessage: 'A webhook ID is a whole number' } },
				],
			},
		],
	};
}

export function eventsField(operation: string, required = true): INodeProperties {
	return {
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_OPTIONS,
		default: [],
		required,
		description: 'The events Klivo sends to this webhook',
		displayOptions: { show: { resource: ['webhook'], operation: [operation] } },
	};
}

export function urlField(operation: string): INodeProperties {
	return {
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://n8n.example.com/webhook/klivo',
		description: 'The address Klivo posts events to. Klivo documents HTTPS; http works only on local or self-hosted servers.',
		displayOptions: { show: { resource: ['webhook'], operation: [operation] } },
	};
}

export const nameOption: INodeProperties = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	description: "A label shown in Klivo's list of webhooks",
};

/** Ensure's watchdog mode for a Klivo Trigger's webhook. */
export const forTriggerOption: INodeProperties = {
	displayName: 'For a Klivo Trigger URL',
	name: 'forTrigger',
	type: 'boolean',
	default: false,
	description:
		"Whether the URL is a Klivo Trigger node's production URL. Registers it as the trigger does: with the trigger's verification token (a webhook that exists keeps the token it has) and with status changes in place of Conversation Resolved on servers that reject that event. Use the trigger's own Klivo credential and the trigger's events: other events replace the trigger's until it is activated again, and a webhook re-created with another credential gets a token the trigger refuses.",
};

export function readWebhookId(this: IExecuteFunctions, itemIndex: number): number {
	const locator = this.getNodeParameter('webhookId', itemIndex) as INodeParameterResourceLocator | string | number;
	const raw = typeof locator === 'object' && locator !== null ? locator.value : locator;
	const id = Number(String(raw ?? '').trim());
	if (!Number.isInteger(id) || id <= 0) {
		throw new NodeOperationError(this.getNode(), `'${String(raw ?? '')}' is not a webhook ID`, {
			itemIndex,
			description: 'Pick a webhook from the list, or enter its numeric ID (see Get Many).',
		});
	}
	return id;
}

export function readUrl(this: IExecuteFunctions, value: unknown, itemIndex: number): string {
	const url = String(value ?? '').trim();
	const problem = checkWebhookUrl(url);
	if (problem) {
		throw new NodeOperationError(this.getNode(), problem, {
			itemIndex,
			description: 'Klivo posts events to this address, so it must be a full http(s) URL.',
		});
	}
	if (hasRedactedToken(url)) {
		throw new NodeOperationError(this.getNode(), `This URL holds ${URL_TOKEN_PARAM}=REDACTED, the placeholder outputs show, not the real token`, {
			itemIndex,
			description: `Sent to Klivo it would replace the Klivo Trigger's real token, and the trigger would refuse every delivery. Give the trigger's Production URL (from its Webhook URLs panel) without ${URL_TOKEN_PARAM}, and use Ensure with 'For a Klivo Trigger URL' on: it keeps the token a webhook has, or adds the trigger's own.`,
		});
	}
	return url;
}

export function readEvents(this: IExecuteFunctions, value: unknown, itemIndex: number): string[] {
	const list = (Array.isArray(value) ? value : String(value ?? '').split(','))
		.map((event) => String(event).trim())
		.filter((event) => event !== '');
	if (list.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Pick at least one event', {
			itemIndex,
			description: 'Klivo only sends the events a webhook subscribes to.',
		});
	}
	const unknown = list.filter((event) => !isKnownEvent(event));
	if (unknown.length > 0) {
		throw new NodeOperationError(this.getNode(), `Unknown event: ${unknown.join(', ')}`, {
			itemIndex,
			description: `Known events: ${EVENT_OPTIONS.map((o) => o.value).join(', ')}`,
		});
	}
	return [...new Set(list)];
}

export function optionalName(fields: IDataObject): string | undefined {
	const name = typeof fields.name === 'string' ? fields.name.trim() : '';
	return name === '' ? undefined : name;
}
