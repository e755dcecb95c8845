import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { UploadFile } from '../../api/message';
import { readNames } from '../helpers';

/** Chatwoot's message builder takes at most 15 attachments per message. */
export const MAX_FILES = 15;

/**
 * The files named by `options.attachments`, read through n8n's binary helpers (so that filesystem
 * and S3 binary modes work too). Every name must exist: a file that silently goes missing from a
 * reply is worse than a stopped workflow.
 */
export async function readFiles(this: IExecuteFunctions, itemIndex: number, value: unknown): Promise<UploadFile[]> {
	const names = readNames(value);
	if (names.length > MAX_FILES) {
		throw new NodeOperationError(this.getNode(), `Klivo takes at most ${MAX_FILES} files per message, not ${names.length}`, {
			itemIndex,
			description: 'Split the files over several messages.',
		});
	}
	const available = Object.keys(this.getInputData()[itemIndex]?.binary ?? {});
	const files: UploadFile[] = [];
	for (const name of names) {
		if (!available.includes(name)) {
			throw new NodeOperationError(this.getNode(), `The input item has no binary property '${name}'`, {
				itemIndex,
				description:
					available.length > 0
						? `Its binary properties are: ${available.join(', ')}. Put their names in Options > Attachments, separated by commas.`
						: 'The input item has no files at all. Read or download the file in an earlier node (its output shows the binary property name, usually "data").',
			});
		}
		const binary = this.helpers.assertBinaryData(itemIndex, name);
		const data = await this.helpers.getBinaryDataBuffer(itemIndex, name);
		files.push({
			fileName: binary.fileName || `${name}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`,
			mimeType: binary.mimeType || 'application/octet-stream',
			data,
		});
	}
	return files;
}
