import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

const TOKEN_HELP = "In Klivo, open Profile Settings and copy the 'Access Token' at the bottom of the page";

/**
 * No declarative `test` here: both nodes name `klivoApiCredentialTest` (methods/credentialTest.ts) in
 * `testedBy`, which n8n only consults when the credential type has no `test` of its own.
 */
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

	httpRequestNode = {
		name: 'Klivo',
		docsUrl: 'https://chat.klivo.marketing',
		apiBaseUrlPlaceholder: 'https://chat.klivo.marketing/api/v1/accounts/{account_id}/',
	};
}
