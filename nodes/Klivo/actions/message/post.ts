import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createMessage } from '../../api/message';
import { readConversationId } from '../helpers';
import { readFiles } from './files';

/**
 * Send and Add Private Note: text and/or files in one request. An empty message with no files is
 * refused before any request, because Klivo would accept it and post a blank bubble.
 */
export async function postContent(
	this: IExecuteFunctions,
	itemIndex: number,
	kind: { private: boolean; inReplyTo?: number },
): Promise<IDataObject> {
	const conversationId = readConversationId.call(this, itemIndex);
	const content = String(this.getNodeParameter('content', itemIndex, '') ?? '');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const files = await readFiles.call(this, itemIndex, options.attachments);
	if (content.trim() === '' && files.length === 0) {
		const what = kind.private ? 'note' : 'reply';
		throw new NodeOperationError(this.getNode(), `Nothing to send: the ${what} is empty and has no files`, {
			itemIndex,
			description: `Fill in Content (it may come from an expression such as {{ $json.output }}: check that it is not empty), or name binary properties in Options > Attachments.`,
		});
	}
	return await createMessage.call(
		this,
		conversationId,
		{ content, private: kind.private, inReplyTo: kind.inReplyTo },
		files,
		itemIndex,
	);
}
