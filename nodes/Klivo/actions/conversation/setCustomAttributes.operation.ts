import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { getConversation, setConversationAttributes } from '../../api/conversation';
import { concurrencyOption } from '../concurrency';
import { conversationRLC } from '../common.descriptions';
import { readConversationId, readJsonObject } from '../helpers';

const properties: INodeProperties[] = [
	conversationRLC,
	{
		displayName: 'Specify Attributes',
		name: 'attributesInput',
		type: 'options',
		default: 'pairs',
		options: [
			{ name: 'Using Fields Below', value: 'pairs' },
			{ name: 'Using JSON', value: 'json' },
		],
	},
	{
		displayName: 'Custom Attributes',
		name: 'customAttributes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Attribute',
		default: {},
		displayOptions: { show: { attributesInput: ['pairs'] } },
		options: [
			{
				displayName: 'Attribute',
				name: 'attribute',
				values: [
					{ displayName: 'Key', name: 'key', type: 'string', default: '', description: "The attribute's key, e.g. order_id" },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Custom Attributes (JSON)',
		name: 'customAttributesJson',
		type: 'json',
		default: '{}',
		description: 'An object of keys and values, e.g. {"order_id": "A-1029", "paid": true}',
		displayOptions: { show: { attributesInput: ['json'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			concurrencyOption,
			{
				displayName: 'Replace All',
				name: 'replace',
				type: 'boolean',
				default: false,
				description: 'Whether to replace every existing attribute with these ones (attributes not given here are removed). By default the keys given here are merged into the existing attributes.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['setCustomAttributes'] } }, properties);

function readAttributes(this: IExecuteFunctions, itemIndex: number): IDataObject {
	if (this.getNodeParameter('attributesInput', itemIndex, 'pairs') === 'json') {
		return readJsonObject.call(this, this.getNodeParameter('customAttributesJson', itemIndex, '{}'), 'Custom Attributes (JSON)', itemIndex);
	}
	const pairs = (this.getNodeParameter('customAttributes.attribute', itemIndex, []) as IDataObject[]) ?? [];
	const attributes: IDataObject = {};
	for (const pair of pairs) {
		const key = String(pair.key ?? '').trim();
		if (key === '') {
			throw new NodeOperationError(this.getNode(), 'A custom attribute has no key', {
				itemIndex,
				description: 'Give every attribute a key, such as order_id, or remove the empty one.',
			});
		}
		attributes[key] = pair.value as IDataObject[string];
	}
	return attributes;
}

/** The API replaces the whole set: merging reads the current attributes first (2 requests). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readConversationId.call(this, itemIndex);
	const given = readAttributes.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const replace = options.replace === true;
	if (!replace && Object.keys(given).length === 0) {
		throw new NodeOperationError(this.getNode(), 'No custom attributes to set', {
			itemIndex,
			description: "Add at least one attribute, or turn on 'Replace All' to clear them all.",
		});
	}
	let attributes = given;
	if (!replace) {
		const current = (await getConversation.call(this, id, itemIndex)).custom_attributes;
		attributes = { ...(typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as IDataObject) : {}), ...given };
	}
	const custom_attributes = await setConversationAttributes.call(this, id, attributes, itemIndex);
	return { conversation_id: id, custom_attributes };
}
