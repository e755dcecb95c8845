'use strict';
/**
 * Part 3, API economy: how many requests the Klivo Trigger makes to Klivo for each thing n8n does
 * with it, in the real n8n, counted by the simulator (which logs every API request it serves).
 *
 *   activation              public API activate; n8n calls checkExists, then create
 *   deactivation            public API deactivate; n8n calls delete
 *   re-activation           activate again after a deactivation
 *   n8n restart             stop + start with the workflow active (n8n re-adds its webhooks)
 *   test-listen + stop      "Listen for test event" through n8n's REST API (POST /rest/workflows/:id/run
 *                           with triggerToStartFrom = the trigger), then "stop listening"
 *                           (DELETE /rest/test-webhook/:id), which removes the test webhook
 *   test-listen + event     the same, but a signed test event arrives; n8n runs the workflow once and
 *                           removes the test webhook itself
 *
 * Goals (issue 5): activation ≤ 2, deactivation 1, test-listen incl. removal ≤ 3, restart 0.
 */
const L = require('./lib.js');
const E = require('./e2e.js');

const ACCOUNT = 1;

function triggerWorkflow(env, name) {
	const webhookId = L.uuid();
	return {
		webhookId,
		body: {
			name,
			nodes: [
				{
					id: L.uuid(),
					name: 'Klivo Trigger',
					type: 'n8n-nodes-klivo.klivoTrigger',
					typeVersion: 1.1,
					position: [0, 0],
					webhookId,
					parameters: { events: ['message_created'], options: {} },
					credentials: { klivoApi: { id: String(env.cred.id), name: env.cred.name } },
				},
				{ id: L.uuid(), name: 'No Operation, do nothing', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0], parameters: {} },
			],
			connections: { 'Klivo Trigger': { main: [[{ node: 'No Operation, do nothing', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		},
	};
}

function byRoute(sim) {
	const counts = {};
	for (const r of sim.requests) counts[r.route] = (counts[r.route] || 0) + 1;
	return counts;
}

function describe(counts) {
	const parts = Object.entries(counts).map(([route, n]) => `${route} ${n}`);
	return parts.length ? parts.join(', ') : 'none';
}

/** Counts the simulator's requests while `action` runs, plus `settleMs` afterwards for async work. */
async function counted(sim, action, settleMs = 1500, until = null) {
	sim.clearRequests();
	await action();
	if (until) await E.waitFor(() => until(byRoute(sim)), { timeoutMs: 30000, intervalMs: 100, message: 'the simulator to see the request' }).catch(() => undefined);
	await L.sleep(settleMs);
	const counts = byRoute(sim);
	return { total: sim.requests.length, counts };
}

async function measure(env, { say = () => undefined } = {}) {
	const { sim } = env;
	const rows = [];
	const add = (what, result, goal, goalText) => {
		rows.push({ what, total: result.total, detail: describe(result.counts), goal: goalText, met: result.total <= goal && (goalText !== '1' || result.total === 1) });
		say(`API economy: ${what}: ${result.total} request(s) (${describe(result.counts)})`);
	};

	const wf = triggerWorkflow(env, 'bench: API economy');
	const created = await env.n8n.api('POST', '/workflows', wf.body);

	add(
		'activation',
		await counted(sim, async () => {
			const r = await env.n8n.activateWorkflow(created.id);
			if (!r.ok) throw new Error(`activation failed: ${r.message}`);
		}),
		2,
		'≤ 2',
	);
	add(
		'deactivation',
		await counted(sim, () => env.n8n.deactivateWorkflow(created.id), 1500, (c) => c.delete),
		1,
		'1',
	);
	add(
		're-activation',
		await counted(sim, async () => {
			const r = await env.n8n.activateWorkflow(created.id);
			if (!r.ok) throw new Error(`re-activation failed: ${r.message}`);
		}),
		2,
		'≤ 2',
	);
	add(
		'n8n restart (workflow active)',
		await counted(sim, async () => {
			await env.n8n.restart();
			// n8n 2.x re-publishes active workflows after start-up: give it time to do anything it does
			await env.n8n.waitForPublication(created.id).catch(() => undefined);
		}, 5000),
		0,
		'0',
	);
	const webhooksAfterRestart = sim.webhooks(ACCOUNT).filter((w) => w.url.includes(wf.webhookId)).length;
	await env.n8n.deactivateWorkflow(created.id);

	// "Listen for test event" on an inactive workflow, then stop listening.
	const listen = triggerWorkflow(env, 'bench: test-listen');
	const listened = await env.n8n.api('POST', '/workflows', listen.body);
	const startListening = async () => {
		const r = await env.n8n.rest('POST', `/workflows/${listened.id}/run`, { triggerToStartFrom: { name: 'Klivo Trigger' } });
		if (!r || r.waitingForWebhook !== true) throw new Error(`n8n did not start listening: ${JSON.stringify(r)}`);
	};
	const testHook = () => sim.webhooks(ACCOUNT).find((w) => w.url.includes(`/webhook-test/${listen.webhookId}`));
	add(
		'test-listen, then stop listening',
		await counted(
			sim,
			async () => {
				await startListening();
				if (!testHook()) throw new Error('test-listen registered no webhook');
				await env.n8n.rest('DELETE', `/test-webhook/${listened.id}`);
			},
			1500,
			(c) => c.delete,
		),
		3,
		'≤ 3',
	);
	const leftAfterStop = testHook() ? 1 : 0;

	const before = await E.latestExecutionId(env.n8n);
	let delivered;
	add(
		'test-listen, then a test event arrives',
		await counted(
			sim,
			async () => {
				await startListening();
				const hook = testHook();
				if (!hook) throw new Error('test-listen registered no webhook');
				delivered = await sim.emit(ACCOUNT, 'message_created', { webhookId: hook.id });
			},
			1500,
			(c) => c.delete,
		),
		3,
		'≤ 3',
	);
	const leftAfterEvent = testHook() ? 1 : 0;
	const testExecutions = (await E.settleExecutions(env.n8n, listened.id, before, 1, 30000)).count;
	return {
		rows,
		webhooksAfterRestart,
		testWebhooksLeft: leftAfterStop + leftAfterEvent,
		testEvent: { status: delivered && delivered[0] ? delivered[0].status : null, executions: testExecutions },
		method: 'real n8n: public API for activation/deactivation, harness restart, REST POST /rest/workflows/:id/run + DELETE /rest/test-webhook/:id for test-listen',
	};
}

function report(r) {
	return [
		'API economy: requests the trigger makes to Klivo (counted by the simulator, in the real n8n)',
		L.table(
			['n8n does', 'requests', 'which', 'goal', ''],
			r.rows.map((x) => [x.what, String(x.total), x.detail, x.goal, L.verdict(x.met)]),
		),
		`after the restart: ${r.webhooksAfterRestart} webhook registered for the workflow; test webhooks left behind: ${r.testWebhooksLeft}; the test event was answered ${r.testEvent.status} and ran ${r.testEvent.executions} execution(s)`,
	].join('\n');
}

module.exports = { measure, report };
