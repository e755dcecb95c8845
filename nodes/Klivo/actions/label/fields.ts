import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkLabelTitle, LABEL_TITLE_RULE, listLabels, type LabelFields } from '../../api/label';

export function show(operation: string) {
	return { show: { resource: ['label'], operation: [operation] } };
}

export const ADMIN_NOTICE = "Creating, changing and deleting account labels needs an administrator's access token";

export function adminNotice(operation: string): INodeProperties {
	return { displayName: ADMIN_NOTICE, name: `${operation}Notice`, type: 'notice', default: '', displayOptions: show(operation) };
}

export function labelIdField(operation: string, description: string): INodeProperties {
	return {
		displayName: 'Label',
		name: 'labelId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		displayOptions: show(operation),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a label...',
				typeOptions: { searchListMethod: 'searchLabels', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 5',
				validation: [{ type: 'regex', properties: { regex: '^\\s*[0-9]+\\s*$', errorMessage: 'A label ID is a whole number' } }],
			},
			{
				displayName: 'By Title',
				name: 'title',
				type: 'string',
				placeholder: 'e.g. vip',
			},
		],
	};
}

export const colorOption: INodeProperties = {
	displayName: 'Color',
	name: 'color',
	type: 'color',
	default: '#1f93ff',
	description: "The label's colour in Klivo",
};

export const descriptionOption: INodeProperties = {
	displayName: 'Description',
	name: 'description',
	type: 'string',
	default: '',
	description: 'What the label means, shown in Klivo',
};

export const showOnSidebarOption: INodeProperties = {
	displayName: 'Show on Sidebar',
	name: 'showOnSidebar',
	type: 'boolean',
	default: true,
	description: "Whether Klivo's sidebar lists the label, to filter conversations by it",
};

export function titleDescription(required: boolean): string {
	return `${required ? '' : 'The new title. '}${LABEL_TITLE_RULE}, e.g. lead-quente`;
}

export function readTitle(this: IExecuteFunctions, value: unknown, itemIndex: number): string {
	const checked = checkLabelTitle(value);
	if (!checked.ok) {
		throw new NodeOperationError(this.getNode(), checked.problem, {
			itemIndex,
			description: `${LABEL_TITLE_RULE}.${checked.suggestion ? ` Did you mean '${checked.suggestion}'?` : ''}`,
		});
	}
	return checked.title;
}

export function readLabelFields(this: IExecuteFunctions, input: IDataObject, itemIndex: number): LabelFields {
	const fields: LabelFields = {};
	if (input.title !== undefined) fields.title = readTitle.call(this, input.title, itemIndex);
	if (input.description !== undefined) fields.description = String(input.description);
	if (input.color !== undefined && String(input.color).trim() !== '') fields.color = String(input.color).trim();
	if (input.showOnSidebar !== undefined) fields.show_on_sidebar = input.showOnSidebar === true || input.showOnSidebar === 'true';
	return fields;
}

/** An ID, or a title looked up in the account's labels (handy for an AI agent, which knows titles). */
export async function readLabelId(this: IExecuteFunctions, itemIndex: number): Promise<number> {
	const locator = this.getNodeParameter('labelId', itemIndex) as INodeParameterResourceLocator | string | number;
	const mode = typeof locator === 'object' && locator !== null ? locator.mode : 'id';
	const raw = String((typeof locator === 'object' && locator !== null ? locator.value : locator) ?? '').trim();
	if (mode === 'title' || (raw !== '' && !/^#?\d+$/.test(raw))) {
		const title = raw.toLowerCase();
		const label = (await listLabels.call(this, itemIndex)).find((l) => l.title.toLowerCase() === title);
		if (!label) {
			throw new NodeOperationError(this.getNode(), `The account has no label titled '${raw}'`, {
				itemIndex,
				description: 'Use Label > Get Many to see the labels that exist, or pick one from the list.',
			});
		}
		return label.id;
	}
	const id = Number(raw.replace(/^#/, ''));
	if (raw === '' || !Number.isInteger(id) || id <= 0) {
		throw new NodeOperationError(this.getNode(), `'${raw}' is not a label ID`, {
			itemIndex,
			description: 'Pick a label from the list, give its numeric ID, or its title (see Label > Get Many).',
		});
	}
	return id;
}
