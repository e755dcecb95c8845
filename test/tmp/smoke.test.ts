import { runActionNode, testCredential } from '../helpers/n8n';
const { startSimulator } = require('../simulator/server.js');

test('smoke', async () => {
	const sim = await startSimulator({ dialect: 'chatwoot' });
	try {
		const credentials = { baseUrl: sim.url + '/app/accounts/1/dashboard', accessToken: 'admin-token-1', accountId: '1', timeout: 2 };
		const created = await runActionNode({ parameters: { resource: 'webhook', operation: 'create', url: 'https://example.com/hook', events: ['message_created'] }, credentials });
		console.log(JSON.stringify(created.output), created.error?.message);
		const all = await runActionNode({ parameters: { resource: 'webhook', operation: 'getAll', returnAll: true }, credentials });
		console.log(JSON.stringify(all.output), all.error?.message);
		const bad = await runActionNode({ parameters: { resource: 'webhook', operation: 'getAll', returnAll: true }, credentials: { ...credentials, accessToken: 'agent-token-1' } });
		console.log(bad.error?.message, '|', bad.error?.description, JSON.stringify(bad.error));
		console.log(await testCredential(credentials));
		console.log(await testCredential({ ...credentials, accessToken: 'agent-token-1' }));
		console.log(await testCredential({ ...credentials, accessToken: 'nope' }));
	} finally {
		await sim.close();
	}
});
