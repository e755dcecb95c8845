/**
 * Runs the Klivo node as runActionNode does (n8n-core's ExecuteContext), with the run's rate-limit
 * gate given beforehand: the tests' simulator counts in windows of a second or less, and the gate
 * must wait for those, not for Chatwoot's minute.
 */
import { ExecuteContext } from 'n8n-core';
import type { IDataObject, INodeExecutionData, INodeParameters, INodeType, IRunExecutionData } from 'n8n-workflow';

import { RateLimitGate, useGate, type GateOptions } from '../../nodes/Klivo/transport/gate';
import { makeHarness, nodeTypes, type RunResult } from '../helpers/n8n';

export interface GatedRun extends RunResult {
	gate: RateLimitGate;
	ms: number;
}

export async function runGated(options: {
	url: string;
	parameters: IDataObject;
	items?: IDataObject[];
	continueOnFail?: boolean;
	gate?: GateOptions;
	token?: string;
}): Promise<GatedRun> {
	const { workflow, node, additionalData } = makeHarness({
		parameters: options.parameters as INodeParameters,
		credentials: { baseUrl: options.url, accessToken: options.token ?? 'admin-token-1', accountId: '1', timeout: 10 },
		continueOnFail: options.continueOnFail,
	});
	const items: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'manual',
		{ resultData: { runData: {} } } as IRunExecutionData,
		0,
		items,
		{ main: [items] },
		{ node, data: { main: [items] }, source: null },
		[],
	);
	const gate = useGate(context, new RateLimitGate({ marginMs: 50, ...options.gate }));
	const started = Date.now();
	try {
		const output = (await (nodeTypes.getByName(node.type) as INodeType).execute!.call(context)) as INodeExecutionData[][];
		return { output, gate, ms: Date.now() - started };
	} catch (error) {
		return { error: error as RunResult['error'], gate, ms: Date.now() - started };
	}
}

export function jsonOf(run: GatedRun): IDataObject[] {
	if (run.error) throw new Error(`expected success, got: ${run.error.message} (${run.error.description ?? ''})`);
	return (run.output?.[0] ?? []).map((item) => item.json);
}
