import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isApproved, templateLabel, templateValue, templatesOfConversation } from '../../api/message';

/** The conversation chosen in the same node: its number, or undefined while it is an expression. */
function chosenConversation(this: ILoadOptionsFunctions): number | undefined {
	const locator = this.getCurrentNodeParameter('conversationId') as { value?: unknown } | string | number | undefined;
	const raw = typeof locator === 'object' && locator !== null ? locator.value : locator;
	const text = String(raw ?? '').trim();
	if (text.startsWith('=')) return undefined;
	const id = Number(text.replace(/^#/, ''));
	return Number.isInteger(id) && id > 0 ? id : undefined;
}

/**
 * The approved WhatsApp templates of the chosen conversation's inbox, as `name|language`. Templates
 * belong to an inbox, so the list needs a conversation number (not an expression) to look at.
 */
export async function searchTemplates(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const conversationId = chosenConversation.call(this);
	if (conversationId === undefined) {
		throw new NodeOperationError(this.getNode(), 'Enter a conversation number first to list its templates', {
			description:
				"Templates belong to the conversation's inbox. While the conversation comes from an expression, type the template's name instead (By Name), e.g. order_confirmation|pt_BR.",
		});
	}
	const inbox = await templatesOfConversation.call(this, conversationId);
	if (inbox.templates === undefined) {
		throw new NodeOperationError(this.getNode(), `Conversation #${conversationId} is in inbox '${inbox.inboxName}', which is not a WhatsApp inbox`, {
			description: 'WhatsApp templates exist only in WhatsApp inboxes. Use the Send operation to reply in this conversation.',
		});
	}
	const needle = (filter ?? '').trim().toLowerCase();
	const results = inbox.templates
		.filter(isApproved)
		.map((template) => ({
			name: `${templateLabel(template)}${template.category ? ` · ${template.category.toLowerCase()}` : ''}`,
			value: templateValue(template),
		}))
		.filter((result) => needle === '' || result.name.toLowerCase().includes(needle))
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}
