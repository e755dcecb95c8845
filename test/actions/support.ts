/**
 * Small helpers shared by the action-node tests: a simulator per describe block, credentials that
 * point at it, and "this must not leak" checks.
 */
import * as net from 'net';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runActionNode, type KlivoCredentialData, type RunResult } from '../helpers/n8n';
import { useStartedSimulator, type SimWebhook } from '../helpers/simulator';

const simulator = require('../../tools/simulator/server.js');

export type Dialect = 'klivo' | 'chatwoot';
export const DIALECTS: Dialect[] = ['klivo', 'chatwoot'];

export const ADMIN = 'admin-token-1';
export const AGENT = 'agent-token-1';
/** Administrator of account 2, not a member of account 1. */
export const OTHER_ADMIN = 'admin-token-2';
export const UNKNOWN_TOKEN = 'no-such-token-5f3a9c';
export const TOKENS = [ADMIN, AGENT, OTHER_ADMIN, UNKNOWN_TOKEN];

export type StoredWebhook = SimWebhook;

export interface Simulator {
	url: string;
	dialect: Dialect;
	reset(): void;
	close(): Promise<void>;
	webhooks(accountId: number | string): StoredWebhook[];
	countRequests(filter?: { route?: string; method?: string; accountId?: number | string }): number;
	/** Every request answered since the last reset, oldest first. */
	requests: Array<{ method: string; route: string; status: number | null; fault?: string }>;
	injectFault(options: IDataObject): void;
	addWebhookDirect(accountId: number | string, fields: { url: string; subscriptions: string[]; name?: string }): StoredWebhook;
	disableWebhookDirect(accountId: number | string, id: number): StoredWebhook;
}

export const SUBSCRIBABLE_EVENTS: Record<Dialect, string[]> = simulator.SUBSCRIBABLE_EVENTS;

export async function startSimulator(dialect: Dialect): Promise<Simulator> {
	return (await simulator.startSimulator({ dialect, port: 0 })) as Simulator;
}

/** One simulator per describe block, emptied before each test. */
export function useSimulator(dialect: Dialect): () => Simulator {
	return useStartedSimulator(() => startSimulator(dialect));
}

export function credentialsFor(sim: Simulator, overrides: Partial<KlivoCredentialData> = {}): KlivoCredentialData {
	return { baseUrl: sim.url, accessToken: ADMIN, accountId: '1', timeout: 5, ...overrides };
}

export interface RunOptions {
	credentials?: Partial<KlivoCredentialData>;
	items?: IDataObject[];
	continueOnFail?: boolean;
}

/** Runs the Klivo node with one operation on the webhook resource. */
export async function run(sim: Simulator, parameters: IDataObject, options: RunOptions = {}): Promise<RunResult> {
	return await runActionNode({
		parameters: { resource: 'webhook', ...parameters } as INodeParameters,
		credentials: credentialsFor(sim, options.credentials),
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
}

/** The output items' json of a run that must succeed. */
export async function runOk(sim: Simulator, parameters: IDataObject, options: RunOptions = {}): Promise<IDataObject[]> {
	const result = await run(sim, parameters, options);
	if (result.error) {
		throw new Error(`expected success, got: ${result.error.message} (${result.error.description ?? ''})`);
	}
	const items = (result.output?.[0] ?? []) as INodeExecutionData[];
	expectNoLeaks(sim, items);
	return items.map((item) => item.json);
}

/** The error of a run that must fail. */
export async function runFail(
	sim: Simulator,
	parameters: IDataObject,
	options: RunOptions = {},
): Promise<NonNullable<RunResult['error']>> {
	const result = await run(sim, parameters, options);
	if (!result.error) throw new Error(`expected an error, got output ${JSON.stringify(result.output)}`);
	expectNoLeaks(sim, result.error);
	return result.error;
}

/** Every secret the simulator holds: access tokens, and the signing secret of every webhook. */
export function secretsOf(sim: Simulator): string[] {
	const webhookSecrets = [1, 2].flatMap((account) => sim.webhooks(account).map((w) => w.secret));
	return [...TOKENS, ...webhookSecrets].filter((value) => typeof value === 'string' && value !== '');
}

/** Neither a token nor a signing secret may appear anywhere in an output or an error. */
export function expectNoLeaks(sim: Simulator, value: unknown, extraSecrets: string[] = []): void {
	const texts = [JSON.stringify(value)];
	if (value instanceof Error) {
		texts.push(value.message, String((value as { description?: unknown }).description ?? ''));
	}
	for (const secret of [...secretsOf(sim), ...extraSecrets]) {
		for (const text of texts) expect(text).not.toContain(secret);
	}
}

export function locator(id: number | string, mode: 'list' | 'id' = 'id'): IDataObject {
	return { __rl: true, mode, value: String(id) };
}

export function addWebhook(sim: Simulator, url: string, subscriptions = ['message_created'], name?: string): StoredWebhook {
	return sim.addWebhookDirect(1, { url, subscriptions, ...(name !== undefined ? { name } : {}) });
}

export function storedById(sim: Simulator, id: number): StoredWebhook | undefined {
	return sim.webhooks(1).find((w) => w.id === id);
}

/** A loopback port on which nothing listens. */
export async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/**
 * A raw TCP listener that records the first bytes of each connection and hangs up. It shows which
 * protocol a client spoke: a TLS handshake starts with byte 0x16, plain HTTP with a method name.
 */
export async function sniffer(): Promise<{ host: string; firstBytes: Buffer[]; close(): Promise<void> }> {
	const firstBytes: Buffer[] = [];
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.once('data', (chunk) => {
			firstBytes.push(chunk);
			socket.destroy();
		});
		socket.on('error', () => undefined);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	return {
		host: `127.0.0.1:${port}`,
		firstBytes,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

export const TLS_HANDSHAKE = 0x16;
