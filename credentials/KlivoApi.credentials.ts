import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Same rule as transport/baseUrl.ts, in expression form: add https:// when no scheme was given, then
 * strip a query, a pasted `/app/...` path and trailing slashes.
 */
const BASE_URL =
	"={{ $credentials.baseUrl.trim().replace(/^(?!https?:\\/\\/)/i, 'https://').replace(/[?#].*$/, '').replace(/\\/(app|api)(\\/.*)?$/i, '').replace(/\\/+$/, '') }}";

const TOKEN_HELP = "In Klivo, open Profile Settings and copy the 'Access Token' at the bottom of the page";

export class KlivoApi implements ICredentialType {
	name = 'klivoApi';

	displayName = 'Klivo API';

	icon: Icon = { light: 'file:../nodes/Klivo/klivo.svg', dark: 'file:../nodes/Klivo/klivo.dark.svg' };

	documentationUrl = 'https://chat.klivo.marketing';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://chat.klivo.marketing',
			placeholder: 'https://chat.klivo.marketing',
			required: true,
			hint: 'The address of your Klivo server. White-label and self-hosted servers have their own; a pasted dashboard address works too.',
		},
		{
			displayName: 'API Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: `${TOKEN_HELP}. Managing webhooks needs the token of an account administrator, not of an agent.`,
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			placeholder: '7',
			required: true,
			hint: "The number after '/app/accounts/' in Klivo's address bar",
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			default: 20,
			typeOptions: { minValue: 1, maxValue: 300 },
			description: 'How long to wait for Klivo to answer a request',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				api_access_token: '={{$credentials.accessToken}}',
			},
		},
	};

	/**
	 * Listing webhooks proves both the token and the right to manage this account's webhooks.
	 * HTTP errors are let through so that the rules below can tell the three kinds of 401 apart.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL,
			url: '=/api/v1/accounts/{{ encodeURIComponent(String($credentials.accountId).trim()) }}/webhooks',
			method: 'GET',
			ignoreHttpStatusErrors: true,
			json: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'Invalid Access Token',
					message: `Klivo did not accept the API access token. ${TOKEN_HELP} and paste it here.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'You are not authorized to do this action',
					message:
						"This token belongs to an agent: only administrators may manage webhooks. Use an administrator's access token.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'You are not authorized to access this account',
					message:
						"The token's user is not a member of this account. Check the Account ID (the number after '/app/accounts/' in Klivo's address bar).",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'Resource could not be found',
					message:
						"Klivo has no account with this Account ID. Check it (the number after '/app/accounts/' in Klivo's address bar) and the Base URL.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'Too Many Requests',
					message: 'Klivo is limiting the rate of requests. Wait a minute and test again.',
				},
			},
			{
				// A web page instead of the API (wrong Base URL, a proxy's error page): its first character.
				type: 'responseSuccessBody',
				properties: {
					key: '0',
					value: '<',
					message:
						"The Base URL answered with a web page, not Klivo's API. Use the address of your Klivo server, e.g. https://chat.klivo.marketing.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'Internal Server Error',
					message: "Klivo's server failed to answer. Try again in a few minutes.",
				},
			},
		],
	};

	httpRequestNode = {
		name: 'Klivo',
		docsUrl: 'https://chat.klivo.marketing',
		apiBaseUrlPlaceholder: 'https://chat.klivo.marketing/api/v1/accounts/{account_id}/',
	};
}
