import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError } from '../transport/errors';

import { assertBotMayRun, readTokenType } from './botAccess';
import { operations as contactOperations } from './contact';
import { operations as conversationOperations } from './conversation';
import { operations as labelOperations } from './label';
import { operations as messageOperations } from './message';
import { operations as webhookOperations } from './webhook';

type OperationRunner = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

const resources: Record<string, Record<string, { execute: OperationRunner }>> = {
	contact: contactOperations,
	conversation: conversationOperations,
	label: labelOperations,
	message: messageOperations,
	webhook: webhookOperations,
};

function errorMessage(error: unknown): { message: string; description?: string } {
	if (error instanceof Error) {
		const { description } = error as { description?: unknown };
		return { message: error.message, description: typeof description === 'string' ? description : undefined };
	}
	return { message: String(error) };
}

/** One loop for every operation: pairedItem on each output, and continueOnFail honoured per item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];
	// Read once, on the first item, inside the try: a missing credential then honours continueOnFail.
	let tokenType: string | undefined;

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const runner = resources[resource]?.[operation];
			if (!runner) {
				throw new NodeOperationError(this.getNode(), `The operation '${operation}' is not supported`, { itemIndex });
			}
			tokenType ??= await readTokenType.call(this);
			assertBotMayRun.call(this, tokenType, resource, operation, itemIndex);
			const result = await runner.execute.call(this, itemIndex);
			for (const json of Array.isArray(result) ? result : [result]) {
				returnData.push({ json, pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push({ json: { error: errorMessage(error) }, pairedItem: { item: itemIndex } });
				continue;
			}
			throw asNodeError(this.getNode(), error, itemIndex);
		}
	}
	return [returnData];
}
