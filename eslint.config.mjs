// Lint with n8n's own community rules, as n8n's verification scanner does.
import tsParser from '@typescript-eslint/parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const base = n8nNodesBase.configs;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', 'gulpfile.js', 'index.js', 'jest.config.js', 'eslint.*.mjs'] },
	n8nCommunityNodesPlugin.configs.recommended,
	{
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...base.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...base.credentials.rules,
			// Main-repository rule (its own docs say so): wants a docs slug, while the community rule
			// credential-documentation-url requires a full URL. The community rule wins.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...base.nodes.rules,
			// These predate NodeConnectionTypes and only accept the literal 'main', which the community
			// rule node-connection-type-literal forbids. The community rule wins.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-inputs-wrong-trigger-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
];
