'use strict';

/** The control API under /_sim (no auth): what tests and the CLI use to drive the simulator. */

const { ERRORS, SimulatorError, badRequest, readBody, parseJson, send, isPlainObject, safeDecode } = require('./http');
const { inboxView, decodeAttachments } = require('./page');

function emitSource(body) {
	if (body.payload !== undefined) return body.payload;
	if (body.fixture !== undefined) return body.fixture;
	return body.event;
}

function conversationWithMessages(sim, account, id) {
	const conversation = sim.conversation(account, id);
	if (!conversation) throw new SimulatorError(ERRORS.notFound);
	const strip = (m) => ({ ...m, attachments: m.attachments.map(({ data: _bytes, ...rest }) => rest) });
	return { ...conversation, messages: sim.messages(account, id).map(strip) };
}

const CONTROL_ROUTES = [
	['GET', /^\/_sim\/state\/?$/, (sim) => sim.state()],
	['POST', /^\/_sim\/reset\/?$/, (sim) => sim.reset()],
	[
		'POST',
		/^\/_sim\/dialect\/?$/,
		(sim, _, body) => {
			sim.setDialect(body.dialect);
			return { dialect: sim.dialect };
		},
	],
	['GET', /^\/_sim\/requests\/?$/, (sim) => sim.requests],
	['DELETE', /^\/_sim\/requests\/?$/, (sim) => sim.clearRequests()],
	['GET', /^\/_sim\/deliveries\/?$/, (sim) => sim.deliveries],
	['DELETE', /^\/_sim\/deliveries\/?$/, (sim) => sim.clearDeliveries()],
	['GET', /^\/_sim\/faults\/?$/, (sim) => sim.faults],
	['POST', /^\/_sim\/faults\/?$/, (sim, _, body) => sim.injectFault(body)],
	['DELETE', /^\/_sim\/faults\/?$/, (sim) => sim.clearFaults()],
	[
		'POST',
		/^\/_sim\/emit\/?$/,
		(sim, _, body) =>
			sim.emit(body.accountId ?? 1, emitSource(body), { webhookId: body.webhookId, overrides: body.overrides }),
	],
	['GET', /^\/_sim\/accounts\/([^/]+)\/webhooks\/?$/, (sim, [account]) => sim.webhooks(account)],
	['POST', /^\/_sim\/accounts\/([^/]+)\/webhooks\/?$/, (sim, [account], body) => sim.addWebhookDirect(account, body)],
	['DELETE', /^\/_sim\/accounts\/([^/]+)\/webhooks\/([^/]+)\/?$/, (sim, [account, id]) => sim.deleteWebhookDirect(account, id)],
	[
		'POST',
		/^\/_sim\/accounts\/([^/]+)\/webhooks\/([^/]+)\/disable\/?$/,
		(sim, [account, id]) => sim.disableWebhookDirect(account, id),
	],
	['GET', /^\/_sim\/accounts\/([^/]+)\/conversations\/?$/, (sim, [account]) => sim.conversations(account)],
	['POST', /^\/_sim\/accounts\/([^/]+)\/conversations\/?$/, (sim, [account], body) => sim.addConversation(account, body)],
	['GET', /^\/_sim\/accounts\/([^/]+)\/conversations\/([^/]+)\/?$/, (sim, [account, id]) => conversationWithMessages(sim, account, id)],
	[
		'POST',
		/^\/_sim\/accounts\/([^/]+)\/conversations\/([^/]+)\/customer-message\/?$/,
		async (sim, [account, id], body) => {
			const { message, deliveries } = await sim.customerMessage(account, id, body.content, { attachments: decodeAttachments(body.attachments) });
			const { attachments, ...rest } = message;
			return { message: rest, deliveries };
		},
	],
	// The chat page's view (lib/page.js), polled every second: `?conversation=` picks the one shown.
	['GET', /^\/_sim\/accounts\/([^/]+)\/inbox\/?$/, (sim, [account], _body, url) => inboxView(sim, account, url.searchParams.get('conversation'))],
	['GET', /^\/_sim\/accounts\/([^/]+)\/contacts\/?$/, (sim, [account]) => sim.contacts(account)],
	['POST', /^\/_sim\/accounts\/([^/]+)\/contacts\/?$/, (sim, [account], body) => sim.addContact(account, body)],
	[
		'POST',
		/^\/_sim\/latency\/?$/,
		(sim, _, body) => {
			sim.setLatency(body.ms ?? 0);
			return { latencyMs: sim.latencyMs };
		},
	],
	[
		'POST',
		/^\/_sim\/rate-limit\/?$/,
		(sim, _, body) => {
			sim.setRateLimit(Object.keys(body).length ? body : null);
			return sim.limits();
		},
	],
	['GET', /^\/_sim\/limits\/?$/, (sim) => sim.limits()],
];

async function handleControl(sim, req, res, url) {
	const { text, tooLarge } = await readBody(req);
	if (tooLarge) return send(res, ERRORS.tooLarge.status, ERRORS.tooLarge.body);
	for (const [method, pattern, action] of CONTROL_ROUTES) {
		const match = pattern.exec(url.pathname);
		if (!match || method !== req.method) continue;
		try {
			const body = method === 'POST' ? parseJson(text) : {};
			const result = await action(sim, match.slice(1).map(safeDecode), isPlainObject(body) ? body : {}, url);
			return send(res, 200, result === undefined ? { ok: true } : result);
		} catch (error) {
			if (error instanceof SimulatorError) return send(res, error.status, error.body);
			throw error;
		}
	}
	return send(res, 404, { error: `No control route ${req.method} ${url.pathname}` });
}

module.exports = { handleControl, badRequest };
