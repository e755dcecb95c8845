'use strict';

/** Errors, bodies and small helpers every part of the simulator shares. */

const crypto = require('node:crypto');

const MAX_BODY_BYTES = 1024 * 1024;
// Chatwoot's MAXIMUM_FILE_UPLOAD_SIZE; only multipart message bodies may be this large.
const MAX_UPLOAD_BYTES = 40 * 1024 * 1024;
// Long-running simulators (CLI, e2e) must not grow without bound.
const MAX_LOG_ENTRIES = 10000;

const ERRORS = Object.freeze({
	invalidToken: { status: 401, body: { error: 'Invalid Access Token' } },
	notAdmin: { status: 401, body: { error: 'You are not authorized to do this action' } },
	notInAccount: { status: 401, body: { error: 'You are not authorized to access this account' } },
	notFound: { status: 404, body: { error: 'Resource could not be found' } },
	invalidJson: { status: 400, body: { error: 'Invalid JSON' } },
	tooLarge: { status: 413, body: { error: 'Payload Too Large' } },
});

// Not part of ERRORS: that export is compared whole by tests written before bots existed.
const BOT_REFUSED = Object.freeze({ status: 401, body: { error: 'Access to this endpoint is not authorized for bots' } });
const SERVER_ERROR = Object.freeze({ status: 500, body: { status: 500, error: 'Internal Server Error' } });

class SimulatorError extends Error {
	constructor({ status, body }) {
		super(body.error || body.message);
		this.status = status;
		this.body = body;
	}
}

function fail(error) {
	throw new SimulatorError(error);
}

function badRequest(message) {
	return new SimulatorError({ status: 400, body: { error: message } });
}

/** Rails' `{"message", "attributes"}` 422 from a list of `{attribute, message}` problems. */
function invalid(problems) {
	return fail({
		status: 422,
		body: {
			message: problems.map((p) => p.message).join(', '),
			attributes: [...new Set(problems.map((p) => p.attribute))],
		},
	});
}

function unprocessable(message) {
	return fail({ status: 422, body: { error: message } });
}

/**
 * Rails' JSON encoder escapes these characters; receivers must verify the signature over the
 * raw bytes, and only a byte-identical body lets tests prove they do.
 */
function toRailsJson(value) {
	return JSON.stringify(value).replace(
		/[<>&\u2028\u2029]/g,
		(ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

// Rails' has_secure_token alphabet (base58: no 0, O, I, l).
const SECRET_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function newSecret() {
	let secret = '';
	for (let i = 0; i < 24; i++) secret += SECRET_ALPHABET[crypto.randomInt(SECRET_ALPHABET.length)];
	return secret;
}

function isPlainObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Numeric ids are numbers in payloads and logs, but map keys must not depend on the caller's type.
function accountKey(accountId) {
	return String(accountId);
}
function publicId(key) {
	return /^\d{1,15}$/.test(key) ? Number(key) : key;
}

function safeDecode(value) {
	if (value === undefined || value === null) return value;
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

function readBody(req, limit = MAX_BODY_BYTES) {
	return new Promise((resolve) => {
		const chunks = [];
		let size = 0;
		const done = () => {
			const bytes = Buffer.concat(chunks);
			resolve({ tooLarge: size > limit, bytes, text: bytes.toString('utf8') });
		};
		req.on('data', (chunk) => {
			size += chunk.length;
			// Keep draining so the client can read our 413 instead of seeing a reset.
			if (size <= limit) chunks.push(chunk);
			else chunks.length = 0;
		});
		req.on('end', done);
		req.on('error', done);
		req.on('close', done);
	});
}

function parseJson(text) {
	if (text.trim() === '') return {};
	try {
		return JSON.parse(text);
	} catch {
		return fail(ERRORS.invalidJson);
	}
}

function send(res, status, body, headers = {}) {
	if (res.headersSent || res.destroyed) return;
	if (body === undefined) {
		res.writeHead(status, { 'Content-Length': 0, ...headers });
		res.end();
		return;
	}
	const text = typeof body === 'string' ? body : toRailsJson(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

function sendRaw(res, status, bytes, contentType, headers = {}) {
	if (res.headersSent || res.destroyed) return;
	res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, ...headers });
	res.end(bytes);
}

function pushBounded(log, entry) {
	log.push(entry);
	if (log.length > MAX_LOG_ENTRIES) log.splice(0, log.length - MAX_LOG_ENTRIES);
}

module.exports = {
	MAX_BODY_BYTES,
	MAX_UPLOAD_BYTES,
	ERRORS,
	BOT_REFUSED,
	SERVER_ERROR,
	SimulatorError,
	fail,
	badRequest,
	invalid,
	unprocessable,
	toRailsJson,
	newSecret,
	isPlainObject,
	accountKey,
	publicId,
	safeDecode,
	readBody,
	parseJson,
	send,
	sendRaw,
	pushBounded,
};
