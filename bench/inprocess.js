'use strict';
/**
 * Part 2, in process: what the Klivo Trigger's webhook() costs per delivery, against the floor that
 * no verifying trigger can go below: JSON.parse of the raw bytes plus one HMAC-SHA256 over them.
 *
 * The BUILT node (dist/, from a temporary build) runs inside n8n-core's real WebhookContext, built
 * the way test/helpers/n8n.ts builds it, with a registration as after activation on a Chatwoot-dialect
 * server (signature verification on) and the default filters. Measured per delivery:
 *
 *   floor     JSON.parse(raw) + HMAC-SHA256(secret, raw)
 *   thin      JSON.parse(raw) + the thin reference trigger's webhook() (returns the body)
 *   klivo     JSON.parse(raw) + KlivoTrigger.webhook(): headers, verify (HMAC, constant-time compare,
 *             timestamp window, replay cache), event choice, filters, summary, output item
 *   filtered  the same for a delivery the default filters drop (an agent's outgoing reply)
 *
 * n8n parses the body before the node runs; it is counted here so that both sides parse the same
 * bytes. A WebhookContext per delivery is made outside the timed loop (n8n makes one for every
 * trigger alike) and let go of after its delivery, as n8n lets go of it. Each figure is the median of `rounds` rounds of `iterations` deliveries, the
 * variants interleaved round by round, in CPU time of this process (the wall clock is kept in the
 * JSON too: other processes on a busy machine stretch it).
 *
 *   node bench/inprocess.js [--dist path/to/dist] [--rounds 15] [--iterations 2000]
 */
const crypto = require('node:crypto');
const path = require('node:path');

const L = require('./lib.js');
const { sign } = require('../tools/simulator/server.js');

const SECRET = 'ChatwootSecretAbc123xyz9';
const WEBHOOK_ID = 41;

function loadKlivo(dist) {
	const { KlivoTrigger } = require(path.join(dist, 'nodes', 'Klivo', 'KlivoTrigger.node.js'));
	return new KlivoTrigger();
}

function loadThin() {
	const { ThinTrigger } = require('./thin-trigger/nodes/ThinTrigger.node.js');
	return new ThinTrigger();
}

/** A Workflow with one trigger node and the additional data n8n gives a webhook (test/helpers/n8n.ts). */
function makeWorkflow(nodeType, typeName, { parameters, staticData }) {
	const { Workflow } = require('n8n-workflow');
	const node = {
		id: 'node-1',
		name: 'Trigger',
		type: typeName,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { klivoApi: { id: 'cred-1', name: 'Klivo account' } },
	};
	const nodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ id: 'wf-1', name: 'Bench', nodes: [node], connections: {}, active: true, nodeTypes, staticData });
	const base = 'http://127.0.0.1:5678';
	const additionalData = {
		webhookBaseUrl: `${base}/webhook`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		formBaseUrl: '',
		formTestBaseUrl: '',
		formWaitingBaseUrl: '',
		restApiUrl: '',
		instanceBaseUrl: `${base}/`,
		currentNodeExecutionIndex: 0,
		variables: {},
		credentialsHelper: {
			getDecrypted: async () => ({ baseUrl: 'http://127.0.0.1:9', accessToken: 'admin-token-1', accountId: '1' }),
		},
	};
	return { workflow, node, additionalData };
}

function makeContext(harness, req) {
	const { WebhookContext } = require('n8n-core');
	const res = {
		status() {
			return res;
		},
		json() {
			return res;
		},
		send() {
			return res;
		},
		end() {
			return res;
		},
		setHeader() {
			return res;
		},
		header() {
			return res;
		},
	};
	const additionalData = { ...harness.additionalData, httpRequest: req, httpResponse: res };
	return new WebhookContext(
		harness.workflow,
		harness.node,
		additionalData,
		'webhook',
		{ webhookDescription: { name: 'default', httpMethod: 'POST', path: 'klivo' } },
		[],
		null,
	);
}

/** A request as n8n's webhook server hands it over: raw bytes kept, headers lower-cased, fresh delivery id. */
function request(raw, timestamp, signature) {
	return {
		body: undefined,
		rawBody: raw,
		headers: {
			'content-type': 'application/json',
			'x-chatwoot-delivery': crypto.randomUUID(),
			'x-chatwoot-timestamp': timestamp,
			'x-chatwoot-signature': signature,
		},
		query: {},
		params: {},
		method: 'POST',
	};
}

/** A full GC between preparing and timing, so that one variant's set-up garbage is not charged to another. */
const collect = (() => {
	require('node:v8').setFlagsFromString('--expose-gc');
	const gc = require('node:vm').runInNewContext('gc');
	return () => gc();
})();

/**
 * Times `iterations` calls of fn(input) (async allowed) after prepare(); resolves nanoseconds per
 * call, by this process's CPU time (user + system, all threads: GC included) and by the wall clock.
 * CPU time is what is reported: other processes on the machine stretch the wall clock, not it.
 */
async function timeLoop(iterations, prepare, fn) {
	const inputs = prepare(iterations);
	collect();
	const c0 = process.cpuUsage();
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < iterations; i++) {
		await fn(inputs[i]);
		// As in n8n, a delivery's request, context and parsed body are garbage once it is answered;
		// kept alive, thousands of them would make every allocation after them dearer to collect.
		inputs[i] = undefined;
	}
	const wall = Number(process.hrtime.bigint() - t0) / iterations;
	const c = process.cpuUsage(c0);
	return { cpu: ((c.user + c.system) * 1000) / iterations, wall };
}

async function measure({ dist, rounds = 15, iterations = 2000, say = () => undefined } = {}) {
	const klivo = loadKlivo(dist);
	const thin = loadThin();
	const klivoHarness = makeWorkflow(klivo, 'n8n-nodes-klivo.klivoTrigger', {
		parameters: { events: ['message_created'], options: {} },
		staticData: { 'node:Trigger': { webhookId: WEBHOOK_ID, secret: SECRET, urlToken: 'StoredUrlToken0123456789abcdefgh', subscribed: ['message_created'], resolvedViaStatus: true } },
	});
	const thinHarness = makeWorkflow(thin, 'n8n-nodes-thin-trigger.thinTrigger', { parameters: {}, staticData: {} });
	// n8n-core logs refusals through its logger proxy; none are expected, but keep them quiet.
	const { LoggerProxy } = require('n8n-workflow');
	LoggerProxy.init({ error() {}, warn() {}, info() {}, debug() {}, verbose() {} });

	const bodies = {
		typical: L.wire(L.typicalPayload()),
		large: L.wire(L.largePayload()),
		filtered: L.wire(L.filteredPayload()),
	};

	const variants = [];
	for (const [size, raw] of [
		['typical', bodies.typical],
		['large', bodies.large],
	]) {
		variants.push({
			key: `floor:${size}`,
			prepare: (n) => new Array(n).fill(raw),
			run: (bytes) => {
				JSON.parse(bytes.toString('utf8'));
				crypto.createHmac('sha256', SECRET).update(bytes).digest('hex');
			},
		});
		const deliveries = (harness, bytes) => (n) => {
			const ts = String(Math.floor(Date.now() / 1000));
			const signature = sign(SECRET, ts, bytes);
			return Array.from({ length: n }, () => {
				const req = request(bytes, ts, signature);
				return { req, context: makeContext(harness, req) };
			});
		};
		variants.push({
			key: `thin:${size}`,
			prepare: deliveries(thinHarness, raw),
			run: async ({ req, context }) => {
				req.body = JSON.parse(req.rawBody.toString('utf8'));
				const out = await thin.webhook.call(context);
				if (!out.workflowData) throw new Error('thin trigger emitted nothing');
			},
		});
		variants.push({
			key: `klivo:${size}`,
			prepare: deliveries(klivoHarness, raw),
			run: async ({ req, context }) => {
				req.body = JSON.parse(req.rawBody.toString('utf8'));
				const out = await klivo.webhook.call(context);
				if (!out.workflowData || out.workflowData[0].length !== 1) throw new Error(`Klivo Trigger did not emit: ${JSON.stringify(out)}`);
			},
		});
	}
	variants.push({
		key: 'floor:filtered',
		prepare: (n) => new Array(n).fill(bodies.filtered),
		run: (bytes) => {
			JSON.parse(bytes.toString('utf8'));
			crypto.createHmac('sha256', SECRET).update(bytes).digest('hex');
		},
	});
	variants.push({
		key: 'klivo:filtered',
		prepare: (n) => {
			const ts = String(Math.floor(Date.now() / 1000));
			const signature = sign(SECRET, ts, bodies.filtered);
			return Array.from({ length: n }, () => {
				const req = request(bodies.filtered, ts, signature);
				return { req, context: makeContext(klivoHarness, req) };
			});
		},
		run: async ({ req, context }) => {
			req.body = JSON.parse(req.rawBody.toString('utf8'));
			const out = await klivo.webhook.call(context);
			if (out.workflowData || !out.webhookResponse || !out.webhookResponse.ignored) throw new Error(`not filtered: ${JSON.stringify(out)}`);
		},
	});

	// Warm-up: let V8 optimise every path before anything is timed.
	for (const v of variants) await timeLoop(Math.min(iterations, 500), v.prepare, v.run);
	const samples = Object.fromEntries(variants.map((v) => [v.key, []]));
	const wallSamples = Object.fromEntries(variants.map((v) => [v.key, []]));
	for (let r = 0; r < rounds; r++) {
		// rotate the order each round so that no variant always runs right after a GC-heavy one
		const order = variants.map((_, i) => variants[(i + r) % variants.length]);
		for (const v of order) {
			const its = v.key.endsWith(':large') ? Math.max(50, Math.round(iterations / 20)) : iterations;
			const t = await timeLoop(its, v.prepare, v.run);
			samples[v.key].push(t.cpu);
			wallSamples[v.key].push(t.wall);
		}
	}
	const us = (key) => L.median(samples[key]) / 1000;
	const result = {
		rounds,
		iterations,
		bytes: { typical: bodies.typical.length, large: bodies.large.length, filtered: bodies.filtered.length },
		microseconds: Object.fromEntries(variants.map((v) => [v.key, us(v.key)])),
		wallMicroseconds: Object.fromEntries(variants.map((v) => [v.key, L.median(wallSamples[v.key]) / 1000])),
	};
	for (const size of ['typical', 'large']) {
		result[`ratio:${size}`] = L.ratio(us(`klivo:${size}`), us(`floor:${size}`));
		result[`thinRatio:${size}`] = L.ratio(us(`thin:${size}`), us(`floor:${size}`));
	}
	result['ratio:filtered'] = L.ratio(us('klivo:filtered'), us('floor:filtered'));
	result['filteredVsPassing'] = L.ratio(us('klivo:filtered'), us('klivo:typical'));
	say(`in process: typical ${us('klivo:typical').toFixed(1)} µs vs floor ${us('floor:typical').toFixed(1)} µs; 200 KB ${us('klivo:large').toFixed(0)} µs vs ${us('floor:large').toFixed(0)} µs`);
	return result;
}

function rows(r) {
	const m = r.microseconds;
	const w = r.wallMicroseconds || {};
	const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
	const wallRatio = (size) => L.ratio(w[`klivo:${size}`], w[`floor:${size}`]);
	return [
		['typical message_created', kb(r.bytes.typical), m['floor:typical'], m['thin:typical'], m['klivo:typical'], r['ratio:typical'], wallRatio('typical'), '≤ 2×', L.verdict(r['ratio:typical'] <= 2)],
		['200 KB message_created', kb(r.bytes.large), m['floor:large'], m['thin:large'], m['klivo:large'], r['ratio:large'], wallRatio('large'), '≤ 2×', L.verdict(r['ratio:large'] <= 2)],
		['filtered out (agent reply)', kb(r.bytes.filtered), m['floor:filtered'], '-', m['klivo:filtered'], r['ratio:filtered'], wallRatio('filtered'), `${L.fmt(r.filteredVsPassing)}× a passing one`, ''],
	];
}

function report(r) {
	return [
		`In process: webhook() per delivery, µs of CPU time, all threads (median of ${r.rounds} rounds; ${r.iterations} deliveries a round, ${Math.max(50, Math.round(r.iterations / 20))} for 200 KB); the wall-clock ratio beside it`,
		L.table(['delivery', 'body', 'floor µs', 'thin µs', 'klivo µs', 'klivo / floor', '(wall)', 'goal', ''], rows(r)),
	].join('\n');
}

module.exports = { measure, report, rows };

if (require.main === module) {
	const args = process.argv.slice(2);
	const arg = (name, fallback) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 ? args[i + 1] : fallback;
	};
	(async () => {
		let dist = arg('dist') && path.resolve(arg('dist'));
		let built = null;
		if (!dist) {
			built = L.buildAndPack((l) => process.stderr.write(`[bench] ${l}\n`));
			dist = built.klivoDist;
		}
		process.on('exit', () => built && require('node:fs').rmSync(built.dir, { recursive: true, force: true }));
		const r = await measure({ dist, rounds: Number(arg('rounds', 15)), iterations: Number(arg('iterations', 2000)), say: (l) => process.stderr.write(`[bench] ${l}\n`) });
		process.stdout.write(`${report(r)}\n`);
	})().catch((e) => {
		process.stderr.write(`${e.stack || e}\n`);
		process.exit(1);
	});
}
