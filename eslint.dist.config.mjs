// The compiled package as n8n's verification scanner sees it: dist/**/*.js, comments ignored.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

export default [
	{ ...n8nCommunityNodesPlugin.configs.recommended, files: ['dist/**/*.js'], linterOptions: { noInlineConfig: true } },
];
