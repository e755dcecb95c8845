import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { concurrencyOption } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { readMessageId } from './fields';
import { postContent } from './post';

export const attachmentsOption: INodeProperties = {
	displayName: 'Attachments',
	name: 'attachments',
	type: 'string',
	default: 'data',
	placeholder: 'e.g. data, invoice',
	description:
		"Names of the input item's binary properties to send as files, separated by commas. All files go in one message (at most 15).",
};

const properties: INodeProperties[] = [
	{ ...conversationRLC, description: 'The conversation to reply in: the number shown in Klivo (#1287), which the Klivo Trigger gives as {{ $json.klivo.conversationId }}' },
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The text the customer receives. May be empty when files are attached.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			attachmentsOption,
			concurrencyOption,
			{
				displayName: 'Reply To Message ID',
				name: 'replyTo',
				type: 'string',
				default: '',
				placeholder: 'e.g. 90210',
				description: 'The ID of the message this one answers, from Get Many or from a message event; WhatsApp and web chat show it quoted',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const replying = options.replyTo !== undefined && String(options.replyTo).trim() !== '';
	const inReplyTo = replying ? readMessageId.call(this, options.replyTo, itemIndex) : undefined;
	return await postContent.call(this, itemIndex, { private: false, inReplyTo });
}
