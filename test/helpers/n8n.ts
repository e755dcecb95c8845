/**
 * Builds n8n's own execution contexts (from n8n-core) around our nodes, so that tests exercise the real
 * request helpers, credential authentication, parameter resolution and error classes. Only the parts
 * n8n's server would provide (credential storage, node type registry) are small stand-ins here.
 */
import {
	CredentialTestContext,
	ExecuteContext,
	HookContext,
	LoadOptionsContext,
	RoutingNode,
	WebhookContext,
} from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRunExecutionData,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, Workflow } from 'n8n-workflow';
import type { Request, Response } from 'express';

import { KlivoApi } from '../../credentials/KlivoApi.credentials';
import { Klivo } from '../../nodes/Klivo/Klivo.node';
import { KlivoTrigger } from '../../nodes/Klivo/KlivoTrigger.node';

export interface KlivoCredentialData extends ICredentialDataDecryptedObject {
	baseUrl: string;
	accessToken: string;
	accountId: string;
}

const credentialTypes: Record<string, ICredentialType> = { klivoApi: new KlivoApi() };

const nodeTypeInstances: Record<string, INodeType> = {
	'n8n-nodes-klivo.klivo': new Klivo(),
	'n8n-nodes-klivo.klivoTrigger': new KlivoTrigger(),
};

export const nodeTypes: INodeTypes = {
	getByName: (type: string) => nodeTypeInstances[type],
	getByNameAndVersion: (type: string) => nodeTypeInstances[type],
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

/** Applies a credential type's `authenticate` the way n8n's CredentialsHelper does, expressions included. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes[typeName];
		const authenticate = type?.authenticate;
		if (!authenticate || typeof authenticate === 'function' || authenticate.type !== 'generic') return requestOptions;
		const headers = { ...(requestOptions.headers ?? {}) } as IDataObject;
		for (const [key, value] of Object.entries(authenticate.properties.headers ?? {})) {
			headers[key] = resolve(String(value), credentials, workflow, node);
		}
		return { ...requestOptions, headers };
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these nodes');
	}

	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _nodeCredentials: unknown, type: string) {
		const data = this.data[type];
		if (!data) throw new Error(`No credentials of type ${type}`);
		return { ...data };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string) {
		return credentialTypes[type]?.properties ?? [];
	}
}

function resolve(value: string, credentials: ICredentialDataDecryptedObject, workflow?: Workflow, node?: INode): string {
	if (!value.startsWith('=') || !workflow || !node) return value;
	return String(
		workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, ''),
	);
}

export interface Harness {
	workflow: Workflow;
	node: INode;
	additionalData: IWorkflowExecuteAdditionalData;
}

export interface HarnessOptions {
	type?: 'klivo' | 'klivoTrigger';
	/** A full node type name, for the credential test's temporary node. */
	typeName?: string;
	parameters: INodeParameters;
	credentials: KlivoCredentialData;
	continueOnFail?: boolean;
	staticData?: IDataObject;
	webhookBaseUrl?: string;
	nodeName?: string;
}

export function makeHarness(options: HarnessOptions): Harness {
	const node: INode = {
		id: 'node-1',
		name: options.nodeName ?? (options.type === 'klivoTrigger' ? 'Klivo Trigger' : 'Klivo'),
		type: options.typeName ?? `n8n-nodes-klivo.${options.type ?? 'klivo'}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: { klivoApi: { id: 'cred-1', name: 'Klivo account' } },
		onError: options.continueOnFail ? 'continueRegularOutput' : 'stopWorkflow',
	};
	const workflow = new Workflow({
		id: 'wf-1',
		name: 'Test workflow',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		staticData: options.staticData,
	});
	const webhookBaseUrl = options.webhookBaseUrl ?? 'http://127.0.0.1:5678/';
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper({ klivoApi: options.credentials }),
		webhookBaseUrl: `${webhookBaseUrl.replace(/\/+$/, '')}/webhook`,
		webhookTestBaseUrl: `${webhookBaseUrl.replace(/\/+$/, '')}/webhook-test`,
		webhookWaitingBaseUrl: `${webhookBaseUrl.replace(/\/+$/, '')}/webhook-waiting`,
		formBaseUrl: '',
		formTestBaseUrl: '',
		formWaitingBaseUrl: '',
		restApiUrl: '',
		instanceBaseUrl: webhookBaseUrl,
		mcpBaseUrl: '',
		mcpTestBaseUrl: '',
		currentNodeExecutionIndex: 0,
		variables: {},
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
	return { workflow, node, additionalData };
}

export interface RunResult {
	output?: INodeExecutionData[][];
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
}

/** Runs the action node's execute() through n8n-core's ExecuteContext, as a manual execution would. */
export async function runActionNode(options: HarnessOptions & { items?: IDataObject[] }): Promise<RunResult> {
	const { workflow, node, additionalData } = makeHarness(options);
	const items: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	const runExecutionData: IRunExecutionData = { resultData: { runData: {} } } as IRunExecutionData;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'manual',
		runExecutionData,
		0,
		items,
		{ main: [items] },
		{ node, data: { main: [items] }, source: null },
		[],
	);
	try {
		const output = await nodeTypeInstances[node.type].execute!.call(context);
		return { output: output as INodeExecutionData[][] };
	} catch (error) {
		return { error: error as RunResult['error'] };
	}
}

export function hookContext(
	harness: Harness,
	mode: WorkflowExecuteMode = 'trigger',
	activation: WorkflowActivateMode = 'activate',
	webhookData?: IWebhookData,
): HookContext {
	return new HookContext(harness.workflow, harness.node, harness.additionalData, mode, activation, webhookData);
}

export function loadOptionsContext(harness: Harness): LoadOptionsContext {
	return new LoadOptionsContext(harness.workflow, harness.node, harness.additionalData, '');
}

export function webhookContext(
	harness: Harness,
	request: Partial<Request>,
	response: Partial<Response>,
	mode: WorkflowExecuteMode = 'webhook',
	webhookData?: IWebhookData,
): WebhookContext {
	const additionalData = {
		...harness.additionalData,
		httpRequest: request as Request,
		httpResponse: response as Response,
	} as IWorkflowExecuteAdditionalData;
	return new WebhookContext(
		harness.workflow,
		harness.node,
		additionalData,
		mode,
		webhookData ?? ({ webhookDescription: { name: 'default', httpMethod: 'POST', path: 'webhook' } } as IWebhookData),
		[],
		null,
	);
}

/**
 * The credential test as n8n's CredentialsTester runs it: the credential's `test.request` through a
 * RoutingNode, then `responseSuccessBody` rules on the answer.
 */
export async function testCredential(credentials: KlivoCredentialData): Promise<INodeCredentialTestResult> {
	const type = credentialTypes.klivoApi;
	const testRequest = type.test!;
	const tempType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'n8n-nodes-klivo.credentialTest',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'klivoApi', required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' },
			],
		},
	};
	nodeTypeInstances[tempType.description.name] = tempType;
	const harness = makeHarness({ parameters: {}, credentials, typeName: tempType.description.name });
	const items: INodeExecutionData[] = [{ json: {} }];
	const context = new ExecuteContext(
		harness.workflow,
		harness.node,
		harness.additionalData,
		'internal',
		{ resultData: { runData: {} } } as IRunExecutionData,
		0,
		[],
		{ main: [items] },
		{ node: harness.node, data: {}, source: null },
		[],
	);
	const decrypted: ICredentialsDecrypted = { id: 'cred-1', name: 'Klivo account', type: 'klivoApi', data: credentials };
	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(context, tempType, decrypted).runNode();
	} catch (error) {
		const cause = (error as { cause?: { response?: { status: number }; code?: string } }).cause;
		if (cause?.response) return { status: 'Error', message: `Received HTTP status code: ${cause.response.status}` };
		if (cause?.code) return { status: 'Error', message: cause.code };
		return { status: 'Error', message: (error as Error).message };
	}
	for (const rule of testRequest.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const json = response?.[0]?.[0]?.json as IDataObject | undefined;
		if (json && json[rule.properties.key] === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/**
 * The credential test exactly as n8n's CredentialsTester (packages/cli, credentials-tester.service.ts)
 * chooses and runs it: the credential type's own `test` if it has one (RoutingNode; `responseCode` rules
 * and "any non-2xx fails" on an HTTP error, then `responseSuccessBody` rules); otherwise the function a
 * node that uses the credential names in `testedBy`, called on n8n-core's real CredentialTestContext.
 */
export async function testCredentialAsN8n(credentials: KlivoCredentialData): Promise<INodeCredentialTestResult> {
	const type = credentialTypes.klivoApi;
	const decrypted: ICredentialsDecrypted = { id: 'cred-1', name: 'Klivo account', type: 'klivoApi', data: { ...credentials } };
	if (type.test) return await runDeclarativeCredentialTest(type.test, credentials);
	for (const nodeType of Object.values(nodeTypeInstances)) {
		for (const { name, testedBy } of nodeType.description.credentials ?? []) {
			if (name !== 'klivoApi' || typeof testedBy !== 'string') continue;
			const test = nodeType.methods?.credentialTest?.[testedBy];
			if (!test) throw new Error(`${nodeType.description.name} names ${testedBy} in testedBy but has no such method`);
			return await test.call(new CredentialTestContext(), decrypted);
		}
	}
	return { status: 'Error', message: 'No testing function found for this credential.' };
}

async function runDeclarativeCredentialTest(
	testRequest: NonNullable<ICredentialType['test']>,
	credentials: KlivoCredentialData,
): Promise<INodeCredentialTestResult> {
	const tempType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'n8n-nodes-klivo.credentialTestAsN8n',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'klivoApi', required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' },
			],
		},
	};
	nodeTypeInstances[tempType.description.name] = tempType;
	const harness = makeHarness({ parameters: {}, credentials, typeName: tempType.description.name });
	const context = new ExecuteContext(
		harness.workflow,
		harness.node,
		harness.additionalData,
		'internal',
		{ resultData: { runData: {} } } as IRunExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node: harness.node, data: {}, source: null },
		[],
	);
	const decrypted: ICredentialsDecrypted = { id: 'cred-1', name: 'Klivo account', type: 'klivoApi', data: credentials };
	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(context, tempType, decrypted).runNode();
	} catch (error) {
		const cause = (error as { cause?: { response?: { status: number; statusText?: string }; code?: string } }).cause;
		if (cause?.response) {
			const { status, statusText } = cause.response;
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (status < 199 || status > 299) {
				return { status: 'Error', message: statusText || `Received HTTP status code: ${status}` };
			}
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: (error as Error).message };
	} finally {
		delete nodeTypeInstances[tempType.description.name];
	}
	for (const rule of testRequest.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const json = response?.[0]?.[0]?.json as unknown;
		const value = rule.properties.key.split('.').reduce<unknown>((at, key) => (at as IDataObject | undefined)?.[key], json);
		if (value === rule.properties.value) return { status: 'Error', message: rule.properties.message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
