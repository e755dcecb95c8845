import { makeHarness, hookContext, webhookContext } from '../helpers/n8n';
import * as fs from 'fs';
const { startSimulator, sign } = require('../simulator/server.js');

test('trigger smoke', async () => {
	const sim = await startSimulator({ dialect: 'chatwoot' });
	try {
		const credentials = { baseUrl: sim.url, accessToken: 'admin-token-1', accountId: '1', timeout: 2 };
		const staticData: any = {};
		const h = makeHarness({ type: 'klivoTrigger', parameters: { events: ['message_created', 'conversation_resolved'], options: {} }, credentials, staticData, webhookBaseUrl: 'http://127.0.0.1:5678/' });
		const trig = (h.workflow.nodeTypes.getByNameAndVersion(h.node.type) as any);
		const ctx = hookContext(h);
		const exists = await trig.webhookMethods.default.checkExists.call(ctx);
		console.log('exists', exists);
		if (!exists) console.log('create', await trig.webhookMethods.default.create.call(ctx));
		console.log(JSON.stringify(sim.webhooks(1)), JSON.stringify(h.workflow.staticData), sim.countRequests({}));
		const raw = fs.readFileSync('test/fixtures/payloads/message_created.incoming.json');
		const ts = String(Math.floor(Date.now() / 1000));
		const secret = sim.webhooks(1)[0].secret;
		const headers = { 'x-chatwoot-signature': sign(secret, ts, raw), 'x-chatwoot-timestamp': ts, 'x-chatwoot-delivery': 'abc' };
		let status = 200, sent: any;
		const res: any = { status(s: number) { status = s; return res; }, json(b: any) { sent = b; return res; } , end() {} };
		const req: any = { body: JSON.parse(raw.toString()), rawBody: raw, headers, query: {} };
		const wctx = webhookContext(h, req, res);
		const out = await trig.webhook.call(wctx);
		console.log(status, sent, JSON.stringify(out).slice(0, 400));
		const out2 = await trig.webhook.call(webhookContext(h, req, res));
		console.log('replay', status, sent, JSON.stringify(out2).slice(0, 200));
		console.log('delete', await trig.webhookMethods.default.delete.call(hookContext(h)), JSON.stringify(sim.webhooks(1)));
	} finally {
		await sim.close();
	}
});
