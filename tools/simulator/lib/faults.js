'use strict';

/** Injected faults: a status, a delay or a dropped connection for the next requests of a route. */

const http = require('node:http');
const { ERRORS, badRequest, isPlainObject } = require('./http');

const FAULT_BODIES = Object.freeze({
	401: ERRORS.invalidToken.body,
	404: ERRORS.notFound.body,
	422: { message: 'Unprocessable' },
	429: { error: 'Too Many Requests' },
	500: { error: 'Internal Server Error' },
});

const WEBHOOK_ROUTES = ['list', 'create', 'update', 'delete'];

/** `any`, a webhook route, a resource route (`contacts.search`) or every route of a resource (`contacts.*`). */
function routeMatches(pattern, route) {
	if (pattern === 'any' || pattern === route) return true;
	return pattern.endsWith('.*') && route.startsWith(pattern.slice(0, -1));
}

function normalizeFault(options, knownRoutes) {
	if (!isPlainObject(options)) throw badRequest('A fault needs an options object');
	const { route = 'any', status, body, retryAfter, delayMs, drop, times = 1 } = options;
	const known =
		typeof route === 'string' &&
		(route === 'any' || WEBHOOK_ROUTES.includes(route) || knownRoutes.some((r) => routeMatches(route, r) && route !== 'any'));
	if (!known) {
		throw badRequest(
			`Fault route must be one of ${[...WEBHOOK_ROUTES, 'any'].join(', ')}, a resource route such as ` +
				`conversations.list or a resource wildcard such as contacts.*`,
		);
	}
	if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
		throw badRequest('Fault status must be an HTTP status code');
	}
	if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) {
		throw badRequest('Fault delayMs must be a non-negative number');
	}
	if (!(Number.isInteger(times) && times > 0)) throw badRequest('Fault times must be a positive integer');
	if (status === undefined && !delayMs && !drop) throw badRequest('A fault needs status, delayMs or drop');
	const fault = { route, times, remaining: times };
	if (status !== undefined) {
		fault.status = status;
		fault.body = body !== undefined ? body : FAULT_BODIES[status] || { error: http.STATUS_CODES[status] || 'Error' };
	}
	if (status === 429 || retryAfter !== undefined) fault.retryAfter = retryAfter !== undefined ? retryAfter : 1;
	if (delayMs) fault.delayMs = delayMs;
	if (drop) fault.drop = true;
	return fault;
}

function takeFault(faults, route) {
	const fault = faults.find((f) => routeMatches(f.route, route));
	if (!fault) return null;
	fault.remaining -= 1;
	if (fault.remaining <= 0) faults.splice(faults.indexOf(fault), 1);
	return fault;
}

module.exports = { normalizeFault, takeFault, routeMatches, WEBHOOK_ROUTES };
