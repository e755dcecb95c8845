import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError } from '../transport/errors';
import { gateOf, RateLimitGate, useGate } from '../transport/gate';

import { assertBotMayRun, readTokenType } from './botAccess';
import { itemKeys, readConcurrency, runItems } from './concurrency';
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

/**
 * One loop for every operation: pairedItem on each output, and continueOnFail honoured per item. With
 * Options > Concurrency above 1 (write operations), items run side by side (concurrency.ts); the output
 * is still in input order. The run's requests share one rate-limit gate (transport/gate.ts).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// Webhook operations keep failing at once on a 429: they are one-off settings, and the trigger that
	// shares their transport has its own retry policy.
	if (!gateOf(this) && items.length > 0 && this.getNodeParameter('resource', 0, '') !== 'webhook') {
		useGate(this, new RateLimitGate({ signal: this.getExecutionCancelSignal?.() }));
	}
	// Read once, on the first item, inside the try: a missing credential then honours continueOnFail.
	let tokenType: string | undefined;

	const runItem = async (itemIndex: number): Promise<INodeExecutionData[]> => {
		const resource = this.getNodeParameter('resource', itemIndex) as string;
		const operation = this.getNodeParameter('operation', itemIndex) as string;
		const runner = resources[resource]?.[operation];
		if (!runner) {
			throw new NodeOperationError(this.getNode(), `The operation '${operation}' is not supported`, { itemIndex });
		}
		tokenType ??= await readTokenType.call(this);
		assertBotMayRun.call(this, tokenType, resource, operation, itemIndex);
		const result = await runner.execute.call(this, itemIndex);
		return (Array.isArray(result) ? result : [result]).map((json) => ({ json, pairedItem: { item: itemIndex } }));
	};

	const outputs: INodeExecutionData[][] = [];
	/** The failure that ends the run (without continueOnFail): the one of the earliest item. */
	let failure: { itemIndex: number; error: unknown } | undefined;
	const settle = async (itemIndex: number) => {
		try {
			outputs[itemIndex] = await runItem(itemIndex);
		} catch (error) {
			if (this.continueOnFail()) {
				outputs[itemIndex] = [{ json: { error: errorMessage(error) }, pairedItem: { item: itemIndex } }];
			} else if (!failure || itemIndex < failure.itemIndex) {
				failure = { itemIndex, error };
			}
		}
	};

	const concurrency = items.length > 1 ? readConcurrency.call(this) : 1;
	await runItems(items.length, concurrency, (itemIndex) => (concurrency > 1 ? itemKeys(this, itemIndex) : []), settle, () => failure !== undefined);
	if (failure) throw asNodeError(this.getNode(), failure.error, failure.itemIndex);
	return [outputs.flat()];
}
