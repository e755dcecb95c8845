'use strict';

/** Real HTTP calls to a simulator, for the per-resource simulator tests. */

const http = require('node:http');

function call(sim, method, path, { token = 'admin-token-1', body, raw, headers = {} } = {}) {
	return new Promise((resolve, reject) => {
		const payload = raw !== undefined ? raw : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
		const all = { ...headers };
		if (token) all.api_access_token = token;
		if (payload !== undefined && !all['content-type']) all['content-type'] = 'application/json';
		const request = http.request(`${sim.url}${path}`, { method, headers: all, agent: false }, (response) => {
			const chunks = [];
			response.on('data', (c) => chunks.push(c));
			response.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json;
				try {
					json = text === '' ? undefined : JSON.parse(text);
				} catch {
					json = undefined;
				}
				resolve({ status: response.statusCode, headers: response.headers, text, body: json, bytes: Buffer.concat(chunks) });
			});
		});
		request.on('error', reject);
		request.end(payload);
	});
}

function multipart(fields, files) {
	const boundary = `----sim${Date.now()}`;
	const parts = [];
	for (const [name, value] of Object.entries(fields)) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
	}
	for (const file of files) {
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${file.field || 'attachments[]'}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
			),
		);
		parts.push(file.data, Buffer.from('\r\n'));
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return { raw: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

module.exports = { call, multipart };
