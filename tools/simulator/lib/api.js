'use strict';

/** The HTTP API: routing, authentication, latency, rate limits and faults, then a resource. */

const {
	ERRORS,
	BOT_REFUSED,
	MAX_BODY_BYTES,
	MAX_UPLOAD_BYTES,
	SimulatorError,
	fail,
	readBody,
	parseJson,
	send,
	sendRaw,
	pushBounded,
	publicId,
	safeDecode,
	accountKey,
	isPlainObject,
} = require('./http');
const { takeFault } = require('./faults');
const { WEBHOOK_PATH, routeOf } = require('../resources/webhooks');
const conversations = require('../resources/conversations');
const messages = require('../resources/messages');
const contacts = require('../resources/contacts');
const labels = require('../resources/labels');
const directory = require('../resources/directory');

const RESOURCE_ROUTES = [
	...conversations.routes,
	...messages.routes,
	...contacts.routes,
	...labels.routes,
	...directory.routes,
];
const ROUTE_NAMES = [...new Set(RESOURCE_ROUTES.map((r) => r.route))];
const ACCOUNT_PATH = /^\/api\/v1\/accounts\/([^/]+)(\/.*)$/;
const BLOB_PATH = /^\/rails\/active_storage\/blobs\/(\d+)\/[^/]*$/;

function methodMatches(route, method) {
	return Array.isArray(route.method) ? route.method.includes(method) : route.method === method;
}

function resolveRoute(method, pathname) {
	const webhook = WEBHOOK_PATH.exec(pathname);
	if (webhook) return { name: routeOf(method, webhook), account: safeDecode(webhook[1]), id: safeDecode(webhook[2]), webhook: true };
	const match = ACCOUNT_PATH.exec(pathname);
	if (!match) return { name: 'other', account: null };
	const rest = match[2];
	for (const route of RESOURCE_ROUTES) {
		const found = route.path.exec(rest);
		if (found && methodMatches(route, method)) {
			return { name: route.route, account: safeDecode(match[1]), params: found.slice(1).map(safeDecode), def: route };
		}
	}
	return { name: 'other', account: safeDecode(match[1]) };
}

/** Token, bot restriction, account, membership: in Chatwoot's order. */
function identify(core, token, account, botsAllowed) {
	let bot = false;
	let known = false;
	if (typeof token === 'string' && token !== '') {
		for (const acct of core.data.values()) {
			if (acct.users.some((u) => u.token === token)) known = true;
			if (acct.bots.some((b) => b.token === token)) {
				known = true;
				bot = true;
			}
		}
	}
	if (!known) fail(ERRORS.invalidToken);
	if (bot && !botsAllowed) fail(BOT_REFUSED);
	const acct = core.data.get(accountKey(account));
	if (!acct) fail(ERRORS.notFound);
	const user = acct.users.find((u) => u.token === token);
	if (user) return { acct, viewer: { kind: 'user', record: user } };
	const agentBot = acct.bots.find((b) => b.token === token);
	if (agentBot) return { acct, viewer: { kind: 'bot', record: agentBot } };
	return fail(ERRORS.notInAccount);
}

async function handleApi(core, req, res, url) {
	const blob = BLOB_PATH.exec(url.pathname);
	if (blob && req.method === 'GET') return serveBlob(core, res, Number(blob[1]));

	const target = resolveRoute(req.method, url.pathname);
	const route = target.name;
	const entry = {
		method: req.method,
		path: url.pathname,
		route,
		accountId: target.account === null || target.account === undefined ? null : publicId(target.account),
		status: null,
		at: new Date().toISOString(),
	};
	pushBounded(core.requests, entry);
	const reply = (status, body, headers) => {
		entry.status = status;
		send(res, status, body, headers);
	};

	const { bytes, text, tooLarge } = await readBody(req, target.def && target.def.uploads ? MAX_UPLOAD_BYTES : MAX_BODY_BYTES);
	if (core.latencyMs > 0) {
		await core.sleep(core.latencyMs);
		if (core.closed) return;
	}
	const token = req.headers.api_access_token;
	if (core.limiter.throttled({ ip: req.socket.remoteAddress, route, account: target.account, token })) {
		entry.status = 429;
		entry.throttled = true;
		sendRaw(res, 429, Buffer.from('Retry later\n'), 'text/plain');
		return;
	}
	const fault = takeFault(core.faults, route);
	if (fault) {
		entry.fault = fault.drop ? 'drop' : fault.status ? String(fault.status) : 'delay';
		if (fault.delayMs) await core.sleep(fault.delayMs);
		// A client that gave up still changed state, as on a slow real server: keep going.
		if (core.closed) return;
		if (fault.drop) {
			req.socket.destroy();
			return;
		}
		if (fault.status) {
			const headers = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
			reply(fault.status, fault.body, headers);
			return;
		}
	}
	if (tooLarge) {
		reply(ERRORS.tooLarge.status, ERRORS.tooLarge.body);
		return;
	}
	try {
		// Rails answers unknown routes (e.g. GET /webhooks/:id) before any authentication.
		if (route === 'other') fail(ERRORS.notFound);
		const body = () => parseJson(text);
		if (target.webhook) {
			const { viewer } = identify(core, token, target.account, false);
			if (viewer.record.role !== 'administrator') fail(ERRORS.notAdmin);
			const { status = 200, body: answer } = core.webhooks.answer(route, target.account, target.id, body);
			reply(status, answer);
			return;
		}
		const { acct, viewer } = identify(core, token, target.account, Boolean(target.def.bots));
		const ctx = {
			core,
			acct,
			viewer,
			req,
			bytes,
			route,
			params: target.params,
			query: url.searchParams,
			baseUrl: core.sim.url,
			body: () => {
				const parsed = body();
				return isPlainObject(parsed) ? parsed : {};
			},
			fire: (payload, action) => core.deliveries.fire(acct.key, payload, action),
		};
		ctx.createMessage = (conversation, params) => messages.createMessage(ctx, conversation, params);
		const { status = 200, body: answer } = target.def.handler(ctx);
		reply(status, answer);
	} catch (error) {
		if (!(error instanceof SimulatorError)) throw error;
		reply(error.status, error.body);
	}
}

function serveBlob(core, res, id) {
	for (const acct of core.data.values()) {
		const attachment = acct.attachments.find((a) => a.id === id);
		if (attachment) return sendRaw(res, 200, attachment.data, attachment.content_type);
	}
	return send(res, 404, ERRORS.notFound.body);
}

module.exports = { handleApi, ROUTE_NAMES };
