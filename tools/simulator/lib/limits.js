'use strict';

/**
 * Chatwoot's rack-attack throttles: fixed windows (the counter key holds `now / period`), so a
 * window ends at the same moment for every client. Counting needs no timer: a request in a new
 * window simply finds a new key. Off by default.
 */

const { badRequest, isPlainObject } = require('./http');

const LIMIT_KEYS = ['perMinute', 'contactSearchPerMinute', 'conversationsMetaPerMinute'];

function normalizeRateLimit(options) {
	if (options === null || options === undefined || options === false) return null;
	if (!isPlainObject(options)) throw badRequest('Rate limit options must be an object or null');
	const { windowMs = 60000 } = options;
	if (!(Number.isFinite(windowMs) && windowMs > 0)) throw badRequest('Rate limit windowMs must be a positive number');
	const limit = { windowMs };
	for (const key of LIMIT_KEYS) {
		const value = options[key];
		if (value === undefined || value === null) continue;
		if (!(Number.isInteger(value) && value >= 0)) throw badRequest(`Rate limit ${key} must be a non-negative integer`);
		limit[key] = value;
	}
	return Object.keys(limit).length > 1 ? limit : null;
}

function normalizeLatency(ms) {
	if (ms === undefined || ms === null) return 0;
	if (!(Number.isFinite(ms) && ms >= 0)) throw badRequest('Latency must be a non-negative number of milliseconds');
	return ms;
}

class RateLimiter {
	constructor(now) {
		this.now = now;
		this.config = null;
		this.counters = new Map();
	}

	set(options) {
		this.config = normalizeRateLimit(options);
		this.counters.clear();
	}

	/** Counts one request; true when it must be answered 429. */
	throttled({ ip, route, account, token }) {
		const config = this.config;
		if (!config) return false;
		const window = Math.floor(this.now() / config.windowMs);
		const checks = [];
		if (config.perMinute !== undefined) checks.push([`ip:${ip}`, config.perMinute]);
		if (route === 'contacts.search' && config.contactSearchPerMinute !== undefined) {
			checks.push([`search:${account}`, config.contactSearchPerMinute]);
		}
		if (route === 'conversations.meta' && config.conversationsMetaPerMinute !== undefined) {
			checks.push([`meta:${token}`, config.conversationsMetaPerMinute]);
		}
		let throttled = false;
		for (const [key, limit] of checks) {
			const entry = this.counters.get(key);
			const counter = entry && entry.window === window ? entry : { window, count: 0 };
			counter.count += 1;
			this.counters.set(key, counter);
			if (counter.count > limit) throttled = true;
		}
		return throttled;
	}

	state() {
		if (!this.config) return { rateLimit: null };
		const window = Math.floor(this.now() / this.config.windowMs);
		const counts = {};
		for (const [key, entry] of this.counters) if (entry.window === window) counts[key] = entry.count;
		return {
			rateLimit: { ...this.config },
			windowStartedAt: window * this.config.windowMs,
			windowEndsAt: (window + 1) * this.config.windowMs,
			counts,
		};
	}
}

module.exports = { RateLimiter, normalizeLatency, normalizeRateLimit };
