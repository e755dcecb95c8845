import type { IExecuteFunctions } from 'n8n-workflow';

import { requireId, type IdWords } from '../helpers';

export const MESSAGE_WORDS: IdWords = {
	what: 'message ID',
	hint: "Use the numeric 'id' of a message, as Get Many or a Klivo Trigger message event gives it.",
};

/** A message's database id, from a plain parameter or an options entry. */
export function readMessageId(this: IExecuteFunctions, value: unknown, itemIndex: number): number {
	return requireId.call(this, value, MESSAGE_WORDS, itemIndex);
}
