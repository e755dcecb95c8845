/**
 * Shared pieces of the Klivo Trigger suite: a simulator, the trigger wrapped in n8n-core's real
 * HookContext / WebhookContext, deliveries signed the way each dialect signs them, and a local
 * receiver that captures what the simulator really posts.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { inspect } from 'util';
import type { IDataObject, INodeParameters, INodeType, IWebhookData, IWebhookResponseData } from 'n8n-workflow';

import {
	hookContext,
	makeHarness,
	webhookContext,
	type Harness,
	type KlivoCredentialData,
} from '../helpers/n8n';
import { railsJson } from '../../nodes/Klivo/trigger/verify';
import type { TriggerState } from '../../nodes/Klivo/trigger/state';
import { useStartedSimulator, type SimWebhook } from '../helpers/simulator';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulatorModule = require('../../tools/simulator/server.js');

export type Dialect = 'klivo' | 'chatwoot';
export const DIALECTS: Dialect[] = ['klivo', 'chatwoot'];

export const ACCOUNT = 1;
export const ADMIN_TOKEN = 'admin-token-1';
export const AGENT_TOKEN = 'agent-token-1';
export const N8N_BASE = 'http://127.0.0.1:5678/';
export const NODE_NAME = 'Klivo Trigger';
export const STATIC_KEY = `node:${NODE_NAME}`;
export const FIXTURES_DIR = path.join(__dirname, '..', '..', 'tools', 'simulator', 'payloads');
export const ALL_MESSAGE_TYPES = ['incoming', 'outgoing', 'activity', 'template'];

// ---- simulator -----------------------------------------------------------------------------

export type { SimWebhook };

export interface SimRequest {
	method: string;
	route: string;
	status: number | null;
	fault?: string;
}

export interface Fault {
	route: 'list' | 'create' | 'update' | 'delete' | 'any';
	status?: number;
	body?: unknown;
	retryAfter?: number;
	delayMs?: number;
	drop?: boolean;
	times?: number;
}

export interface Simulator {
	url: string;
	dialect: Dialect;
	requests: SimRequest[];
	webhooks(accountId: number): SimWebhook[];
	countRequests(query?: { route?: string; method?: string }): number;
	clearRequests(): void;
	injectFault(fault: Fault): void;
	clearFaults(): void;
	addWebhookDirect(accountId: number, fields: { url: string; subscriptions: string[]; name?: string }): SimWebhook;
	deleteWebhookDirect(accountId: number, id: number): SimWebhook;
	disableWebhookDirect(accountId: number, id: number): SimWebhook;
	emit(
		accountId: number,
		source: string | IDataObject,
		options?: { webhookId?: number; overrides?: IDataObject },
	): Promise<Array<{ webhookId: number; event: string; status: number | null; ok: boolean }>>;
	reset(): void;
	close(): Promise<void>;
}

export const startSimulator = simulatorModule.startSimulator as (options: { dialect: Dialect }) => Promise<Simulator>;
export const sign = simulatorModule.sign as (secret: string, timestamp: string | number, raw: Buffer | string) => string;

/** One simulator per describe block, emptied before each test. */
export function useSimulator(dialect: Dialect): () => Simulator {
	return useStartedSimulator(() => startSimulator({ dialect }));
}

// ---- the trigger inside n8n-core's contexts --------------------------------------------------

export interface TriggerOptions {
	events?: string[];
	options?: IDataObject;
	/** The workflow's static data (all nodes) to start from; n8n-workflow wraps it, so read it back through `Trigger`. */
	staticData?: IDataObject;
	credentials?: Partial<KlivoCredentialData> & { timeout?: number };
	webhookBaseUrl?: string;
}

export interface Trigger {
	harness: Harness;
	type: INodeType;
	/** The workflow's static data as the hooks see and change it. */
	staticData: IDataObject;
	/** The node's own static data, as the trigger reads it. */
	state(): TriggerState;
	/** The URL n8n gives the node, without the trigger's token. */
	productionUrl(): string;
	checkExists(): Promise<boolean>;
	create(): Promise<boolean>;
	remove(): Promise<boolean>;
	/** What n8n does on activation: checkExists, and create when it answers false. */
	activate(): Promise<void>;
	/** The same three hooks, as n8n runs them for "Listen for test event". */
	test: { checkExists(): Promise<boolean>; create(): Promise<boolean>; remove(): Promise<boolean>; url(): string };
	/** A context whose logger and helpers a test may spy on before calling a hook with it. */
	hookContext(test?: boolean): ReturnType<typeof hookContext>;
}

export function credentialsFor(sim: Pick<Simulator, 'url'> | string, extra: TriggerOptions['credentials'] = {}) {
	return {
		baseUrl: typeof sim === 'string' ? sim : sim.url,
		accessToken: ADMIN_TOKEN,
		accountId: String(ACCOUNT),
		timeout: 5,
		...extra,
	} as KlivoCredentialData;
}

export function makeTrigger(sim: Pick<Simulator, 'url'> | string, options: TriggerOptions = {}): Trigger {
	const staticData = options.staticData ?? {};
	const harness = makeHarness({
		type: 'klivoTrigger',
		parameters: { events: options.events ?? ['message_created'], options: (options.options ?? {}) as INodeParameters },
		credentials: credentialsFor(sim, options.credentials),
		staticData,
		webhookBaseUrl: options.webhookBaseUrl ?? N8N_BASE,
		nodeName: NODE_NAME,
	});
	const type = harness.workflow.nodeTypes.getByNameAndVersion(harness.node.type);
	const methods = type.webhookMethods!.default!;
	const testWebhookData = {
		isTest: true,
		httpMethod: 'POST',
		node: harness.node.name,
		path: 'klivo',
		workflowId: harness.workflow.id,
		webhookDescription: type.description.webhooks![0],
		workflowExecuteAdditionalData: harness.additionalData,
	} as unknown as IWebhookData;
	// As n8n's TestWebhooks does: created with ('manual', 'manual'), removed with ('internal', 'update').
	const context = (test = false) =>
		test ? hookContext(harness, 'manual', 'manual', testWebhookData) : hookContext(harness, 'trigger', 'activate');
	const testCleanupContext = () => hookContext(harness, 'internal', 'update', testWebhookData);
	const trigger: Trigger = {
		harness,
		type,
		staticData: harness.workflow.staticData,
		state: () => harness.workflow.getStaticData('node', harness.node) as TriggerState,
		productionUrl: () => context().getNodeWebhookUrl('default')!,
		checkExists: async () => await methods.checkExists.call(context()),
		create: async () => await methods.create.call(context()),
		remove: async () => await methods.delete.call(context()),
		activate: async () => {
			if (!(await trigger.checkExists())) await trigger.create();
		},
		test: {
			checkExists: async () => await methods.checkExists.call(context(true)),
			create: async () => await methods.create.call(context(true)),
			remove: async () => await methods.delete.call(testCleanupContext()),
			url: () => context(true).getNodeWebhookUrl('default')!,
		},
		hookContext: context,
	};
	return trigger;
}

/** The only webhook in the simulator's account (fails the test if there is not exactly one). */
export function onlyWebhook(sim: Simulator): SimWebhook {
	const webhooks = sim.webhooks(ACCOUNT);
	expect(webhooks).toHaveLength(1);
	return webhooks[0];
}

export function urlBase(url: string): string {
	const parsed = new URL(url);
	return `${parsed.origin}${parsed.pathname}`;
}

export function tokenIn(url: string): string | null {
	return new URL(url).searchParams.get('klivo_token');
}

/** Requests the simulator saw, by route, e.g. `{ list: 1, create: 1 }` (routes never hit are left out). */
export function requestsByRoute(sim: Simulator): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const request of sim.requests) counts[request.route] = (counts[request.route] ?? 0) + 1;
	return counts;
}

// ---- errors ------------------------------------------------------------------------------------

export type CaughtError = Error & { description?: string; httpCode?: string; context?: IDataObject };

export async function caught(promise: Promise<unknown>): Promise<CaughtError> {
	try {
		await promise;
	} catch (error) {
		return error as CaughtError;
	}
	throw new Error('expected the call to throw, but it resolved');
}

/** Everything an error could show a user or a log, flattened to one string. */
export function everythingIn(value: unknown): string {
	let json = '';
	try {
		json = JSON.stringify(value) ?? '';
	} catch {
		json = '';
	}
	const error = value as CaughtError | undefined;
	return [json, inspect(value, { depth: 10 }), error?.message, error?.description, error?.stack].join('\n');
}

// ---- deliveries ---------------------------------------------------------------------------------

export interface Fixture {
	name: string;
	raw: Buffer;
	body: IDataObject;
}

export function fixtureNames(): string[] {
	return fs
		.readdirSync(FIXTURES_DIR)
		.filter((file) => file.endsWith('.json'))
		.map((file) => file.slice(0, -'.json'.length))
		.sort();
}

export function fixture(name: string): Fixture {
	const raw = fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`));
	return { name, raw, body: JSON.parse(raw.toString('utf8')) as IDataObject };
}

/** A payload as the server would put it on the wire: Rails' JSON, escapes and all. */
export function wire(body: unknown): Buffer {
	return Buffer.from(railsJson(body), 'utf8');
}

export interface WebhookRequest {
	body?: unknown;
	rawBody?: Buffer | string;
	headers?: IDataObject;
	query?: IDataObject;
}

export interface DeliveryOutcome {
	/** The status the node set on the response object, else 200 (what n8n answers in responseMode onReceived). */
	status: number;
	/** The JSON body the node wrote itself (refusals), else the webhookResponse it returned. */
	body: unknown;
	result: IWebhookResponseData;
	/** The items of the execution that would start, if any. */
	items?: IDataObject[];
}

export async function callWebhook(trigger: Trigger, request: WebhookRequest): Promise<DeliveryOutcome> {
	let status: number | undefined;
	let written: unknown;
	const response = {
		status(code: number) {
			status = code;
			return response;
		},
		json(body: unknown) {
			written = body;
			return response;
		},
		send(body: unknown) {
			written = body;
			return response;
		},
		end() {
			return response;
		},
		setHeader() {
			return response;
		},
		header() {
			return response;
		},
	};
	const req = {
		body: request.body,
		rawBody: request.rawBody,
		headers: request.headers ?? {},
		query: request.query ?? {},
		params: {},
		method: 'POST',
	};
	const context = webhookContext(trigger.harness, req as never, response as never);
	jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);
	const result = await trigger.type.webhook!.call(context);
	const items = result.workflowData?.[0]?.map((item) => item.json);
	return {
		status: status ?? 200,
		body: result.noWebhookResponse ? written : result.webhookResponse,
		result,
		items,
	};
}

export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

export function signatureHeaders(
	secret: string,
	raw: Buffer | string,
	options: { timestamp?: number; id?: string } = {},
): IDataObject {
	const timestamp = String(options.timestamp ?? nowSeconds());
	return {
		'content-type': 'application/json',
		'x-chatwoot-delivery': options.id ?? randomUUID(),
		'x-chatwoot-timestamp': timestamp,
		'x-chatwoot-signature': sign(secret, timestamp, raw),
	};
}

/** The registration a trigger would hold after activation against each dialect's server. */
export const REGISTRATION = {
	webhookId: 41,
	secret: 'ChatwootSecretAbc123xyz9',
	urlToken: 'StoredUrlToken0123456789abcdefgh',
};

export function registeredState(dialect: Dialect): TriggerState {
	return dialect === 'chatwoot'
		? { webhookId: REGISTRATION.webhookId, secret: REGISTRATION.secret, urlToken: REGISTRATION.urlToken, resolvedViaStatus: true }
		: { webhookId: REGISTRATION.webhookId, urlToken: REGISTRATION.urlToken };
}

/** A trigger that was activated against a server of this dialect; no simulator needed to deliver. */
export function registeredTrigger(dialect: Dialect, options: Omit<TriggerOptions, 'staticData'> = {}): Trigger {
	return makeTrigger('http://127.0.0.1:9', { ...options, staticData: { [STATIC_KEY]: registeredState(dialect) } });
}

/** Exact bytes on the wire and what n8n parsed from them (any JSON, not only objects). */
export interface WireBody {
	raw: Buffer;
	body: unknown;
}

function isWireBody(value: unknown): value is WireBody {
	return typeof value === 'object' && value !== null && Buffer.isBuffer((value as WireBody).raw);
}

/**
 * A delivery as the server of this dialect sends it to the registered URL: the token is in the query
 * string for both, and Chatwoot also signs the raw bytes.
 */
export function deliveryRequest(
	dialect: Dialect,
	payload: IDataObject | WireBody,
	options: { timestamp?: number; id?: string } = {},
): WebhookRequest {
	const { raw, body } = isWireBody(payload) ? payload : { raw: wire(payload), body: payload };
	const headers: IDataObject =
		dialect === 'chatwoot'
			? signatureHeaders(REGISTRATION.secret, raw, options)
			: { 'content-type': 'application/json' };
	return { body, rawBody: raw, headers, query: { klivo_token: REGISTRATION.urlToken } };
}

/** Delivers to a trigger that was registered against a server of this dialect. */
export async function deliver(
	dialect: Dialect,
	payload: IDataObject | WireBody,
	options: Omit<TriggerOptions, 'staticData'> = {},
): Promise<DeliveryOutcome> {
	return await callWebhook(registeredTrigger(dialect, options), deliveryRequest(dialect, payload));
}

/** A fixture's payload with some fields replaced. */
export function payload(name: string, overrides: IDataObject = {}): IDataObject {
	return { ...fixture(name).body, ...overrides };
}

export function expectIgnored(outcome: DeliveryOutcome, reason: RegExp): void {
	expect(outcome.status).toBe(200);
	expect(outcome.items).toBeUndefined();
	expect(outcome.result.workflowData).toBeUndefined();
	expect(outcome.body).toEqual({ received: true, ignored: expect.stringMatching(reason) });
}

export function expectRefused(outcome: DeliveryOutcome, status: 400 | 401, reason: RegExp): void {
	expect(outcome.status).toBe(status);
	expect(outcome.result.workflowData).toBeUndefined();
	expect(outcome.result.noWebhookResponse).toBe(true);
	expect(outcome.body).toEqual({ error: status === 401 ? 'Unauthorized' : 'Bad Request', reason: expect.stringMatching(reason) });
}

export function expectEmitted(outcome: DeliveryOutcome): IDataObject {
	expect(outcome.status).toBe(200);
	expect(outcome.body).toEqual({ received: true });
	expect(outcome.items).toHaveLength(1);
	return outcome.items![0];
}

// ---- a receiver for the simulator's real deliveries ---------------------------------------------

export interface CapturedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	raw: Buffer;
}

export interface Receiver {
	/** Use as the harness's webhookBaseUrl. */
	baseUrl: string;
	captured: CapturedRequest[];
	close(): Promise<void>;
}

/** Stands where n8n would: keeps the exact bytes and headers the simulator sent, and answers 200. */
export async function startReceiver(): Promise<Receiver> {
	const captured: CapturedRequest[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) });
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"received":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		baseUrl: `http://127.0.0.1:${port}/`,
		captured,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** What n8n's webhook server hands the node for a captured request (express lowercases headers too). */
export function asWebhookRequest(request: CapturedRequest): WebhookRequest {
	const url = new URL(request.url, 'http://receiver.invalid');
	return {
		body: JSON.parse(request.raw.toString('utf8')),
		rawBody: request.raw,
		headers: request.headers as IDataObject,
		query: Object.fromEntries(url.searchParams),
	};
}

// ---- refusals and test-URL deliveries (issue 11: generic 401s, rate-limited warnings, test mode) ----

/** The one answer every authentication failure gets: which check failed is in n8n's log only. */
export const UNAUTHORIZED_BODY = { error: 'Unauthorized' };

export function expectUnauthorized(outcome: DeliveryOutcome): void {
	expect(outcome.status).toBe(401);
	expect(outcome.result.workflowData).toBeUndefined();
	expect(outcome.result.noWebhookResponse).toBe(true);
	expect(outcome.body).toEqual(UNAUTHORIZED_BODY);
}

export interface LogWatch {
	/** Lines logged as warnings, in order. */
	warnings(): string[];
	/** The warnings that say a delivery was refused, in order. */
	refusals(): string[];
	lastRefusal(): string | undefined;
}

/**
 * Watches the trigger's warnings from now on. n8n-core's logger is one instance shared by every
 * context, so a spy on it sees what webhook() logs (callWebhook's own spy on `warn` is this same spy).
 * Refusals beyond the first per webhook in a minute go to the debug level, which n8n's logger turns
 * into a fixed no-op below its level (no spy can see them): a test that needs the reason of a second
 * refusal uses another registration (newlyRegisteredTrigger).
 */
export function watchLog(trigger: Trigger): LogWatch {
	const warn = jest.spyOn(trigger.hookContext().logger, 'warn').mockImplementation(() => undefined);
	const warnings = () => warn.mock.calls.map(([message]) => String(message));
	const refusals = () => warnings().filter((message) => message.includes('refused a delivery'));
	return { warnings, refusals, lastRefusal: () => refusals().at(-1) };
}

/**
 * A delivery as n8n hands one to the trigger's test URL ("Listen for test event"): a WebhookContext in
 * manual mode whose webhook data says isTest, like n8n's TestWebhooks. Answers as callWebhook does.
 */
export async function callTestWebhook(trigger: Trigger, request: WebhookRequest): Promise<DeliveryOutcome> {
	let status: number | undefined;
	let written: unknown;
	const response = {
		status: (code: number) => ((status = code), response),
		json: (body: unknown) => ((written = body), response),
		send: (body: unknown) => ((written = body), response),
		end: () => response,
		setHeader: () => response,
		header: () => response,
	};
	const req = { body: request.body, rawBody: request.rawBody, headers: request.headers ?? {}, query: request.query ?? {}, params: {}, method: 'POST' };
	const webhookData = {
		isTest: true,
		httpMethod: 'POST',
		node: trigger.harness.node.name,
		path: 'klivo',
		workflowId: trigger.harness.workflow.id,
		webhookDescription: trigger.type.description.webhooks![0],
		workflowExecuteAdditionalData: trigger.harness.additionalData,
	} as unknown as IWebhookData;
	const context = webhookContext(trigger.harness, req as never, response as never, 'manual', webhookData);
	jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);
	const result = await trigger.type.webhook!.call(context);
	return {
		status: status ?? 200,
		body: result.noWebhookResponse ? written : result.webhookResponse,
		result,
		items: result.workflowData?.[0]?.map((item) => item.json),
	};
}

let registrations = 0;

/**
 * Like registeredTrigger, under a webhook id of its own. The replay cache is per webhook and refuses
 * the same signed content twice, so tests that deliver one fixture several times in the same second
 * (to what would be different webhooks) use a new registration for each.
 */
export function newlyRegisteredTrigger(dialect: Dialect, options: Omit<TriggerOptions, 'staticData'> = {}): Trigger {
	registrations += 1;
	const state = { ...registeredState(dialect), webhookId: REGISTRATION.webhookId + registrations };
	return makeTrigger('http://127.0.0.1:9', { ...options, staticData: { [STATIC_KEY]: state } });
}

/** Like deliver, to a newly registered trigger. */
export async function deliverToNewTrigger(
	dialect: Dialect,
	payload: IDataObject | WireBody,
	options: Omit<TriggerOptions, 'staticData'> = {},
): Promise<DeliveryOutcome> {
	return await callWebhook(newlyRegisteredTrigger(dialect, options), deliveryRequest(dialect, payload));
}

/**
 * Delivers, expects the generic 401, and answers the warning that says why it was refused (the first
 * refusal at this webhook in a minute: later ones are counted, not logged as warnings).
 */
export async function refusalOf(trigger: Trigger, request: WebhookRequest): Promise<string> {
	const log = watchLog(trigger);
	const before = log.refusals().length;
	expectUnauthorized(await callWebhook(trigger, request));
	expect(log.refusals()).toHaveLength(before + 1);
	return log.lastRefusal() ?? '';
}
