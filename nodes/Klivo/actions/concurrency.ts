import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { toId } from './helpers';

/**
 * Many-item runs of write operations: items run side by side under Options > Concurrency, so a run of
 * 1,000 items takes 1,000 ÷ concurrency round trips instead of 1,000. Items that touch the same
 * conversation or contact still run one after the other, in input order.
 */

/** Measured in BENCHMARKS.md (Bulk): 5 is ~5× faster and at a 100 ms round trip stays at Chatwoot's default 3,000 requests a minute. */
export const DEFAULT_CONCURRENCY = 5;
export const MAX_CONCURRENCY = 20;

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
	default: DEFAULT_CONCURRENCY,
	description:
		'How many input items to send to Klivo at the same time. Items for the same conversation or contact still go one after the other, in input order, and the output keeps the input order. Use 1 to send items strictly one by one.',
};

/** For write operations that had no Options collection. */
export const concurrencyOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [concurrencyOption],
};

/** The operations that take Options > Concurrency: every write of these resources. */
export const WRITE_OPERATIONS: Record<string, readonly string[]> = {
	conversation: ['addLabels', 'assign', 'create', 'removeLabels', 'setCustomAttributes', 'setPriority', 'setStatus', 'setTyping'],
	message: ['addNote', 'delete', 'send', 'sendTemplate'],
	contact: ['addLabels', 'create', 'delete', 'removeLabels', 'update', 'upsert'],
};

/** The run's setting, read once from the first item; 1 for operations without the option. */
export function readConcurrency(this: IExecuteFunctions): number {
	let value: unknown;
	try {
		const resource = String(this.getNodeParameter('resource', 0));
		const operation = String(this.getNodeParameter('operation', 0));
		if (!WRITE_OPERATIONS[resource]?.includes(operation)) return 1;
		// Not added in the editor: absent from the parameters, so the option's default applies here.
		value = this.getNodeParameter('options.concurrency', 0, DEFAULT_CONCURRENCY);
	} catch {
		return 1;
	}
	const number = Math.floor(Number(value));
	if (!Number.isFinite(number) || number < 1) return 1;
	return Math.min(number, MAX_CONCURRENCY);
}

function parameter(context: IExecuteFunctions, name: string, itemIndex: number): unknown {
	try {
		return context.getNodeParameter(name, itemIndex, undefined);
	} catch {
		return undefined;
	}
}

/**
 * What an item touches: its conversation or contact by the id parameter, and, for contacts created or
 * upserted, each unique key (two items with the same e-mail must not both create it). An item whose
 * id cannot be read gets no key: it fails on its own, before any request.
 */
export function itemKeys(context: IExecuteFunctions, itemIndex: number): string[] {
	const keys: string[] = [];
	const conversation = toId(parameter(context, 'conversationId', itemIndex));
	if (conversation !== undefined) keys.push(`conversation:${conversation}`);
	const contact = toId(parameter(context, 'contactId', itemIndex));
	if (contact !== undefined) keys.push(`contact:${contact}`);
	const fields = parameter(context, 'additionalFields', itemIndex);
	if (typeof fields === 'object' && fields !== null) {
		for (const name of ['email', 'identifier', 'phoneNumber']) {
			const raw = (fields as IDataObject)[name];
			const value = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim().toLowerCase() : '';
			const key = name === 'phoneNumber' ? value.replace(/[^0-9]/g, '') : value;
			if (key !== '') keys.push(`contact-${name}:${key}`);
		}
	}
	return keys;
}

/**
 * Runs `run(0..count-1)` at most `concurrency` at a time, starting items in input order; an item waits
 * for every earlier item that shares one of its keys. `run` settles each item itself (it must not
 * throw); `stop()` true ends the run: no new item starts, and the ones started are awaited.
 */
export async function runItems(
	count: number,
	concurrency: number,
	keysOf: (itemIndex: number) => string[],
	run: (itemIndex: number) => Promise<void>,
	stop: () => boolean,
): Promise<void> {
	const last = new Map<string, Promise<void>>();
	let next = 0;
	const worker = async () => {
		while (next < count && !stop()) {
			const itemIndex = next++;
			const keys = keysOf(itemIndex);
			const before = keys.map((key) => last.get(key)).filter((p): p is Promise<void> => p !== undefined);
			const done = (async () => {
				await Promise.all(before);
				if (!stop()) await run(itemIndex);
			})();
			for (const key of keys) last.set(key, done);
			await done;
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
