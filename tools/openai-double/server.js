'use strict';
/**
 * A scripted OpenAI-compatible server on loopback: a test double of the LANGUAGE MODEL only, so that
 * n8n's AI Agent (with its OpenAI Chat Model node pointed at this base URL) can be run end to end
 * without a real model. Plain CommonJS, node built-ins only.
 *
 *   const { startOpenAiDouble } = require('./tools/openai-double/server.js');
 *   const model = await startOpenAiDouble();
 *   model.script([
 *     { toolCalls: [{ name: 'Get_message_history', arguments: {} }] },
 *     { toolCalls: [{ name: 'Send_reply', arguments: (ctx) => ({ content: `About #${ctx.userMatch(/#(\d+)/)}` }) }] },
 *     { text: 'Done.' },
 *   ]);
 *   // openAiApi credential: { apiKey: 'anything', url: model.url }   (model.url ends in /v1)
 *   model.requests  // every POST body, parsed: tools (name, description, JSON schema), messages, tool results
 *   await model.close();
 *
 * Each POST /v1/chat/completions consumes the next scripted step, whatever it was sent, and records
 * the request. A step is
 *   - { toolCalls: [{ name, arguments }] }: an assistant message calling those tools (several = parallel
 *     calls); `arguments` is an object, a JSON string, or a function (ctx) => object;
 *   - { text }: the final answer (a string or a function (ctx) => string);
 *   - a function (ctx) => step, to decide from what was sent.
 * ctx: { body, messages, tools, toolResults, userText, userMatch(regex), step }. userText is the
 * content of the LAST user message; userMatch returns the first capture group (a number when it is
 * all digits) or throws. In JSON scripts (HTTP control API), an argument value { "$userMatch": "<regex>" }
 * is replaced the same way.
 * With no step left the double answers 400 (OpenAI's error shape; 400 so that clients do not retry)
 * and records `exhausted: true`.
 *
 * `stream: true` is answered as server-sent events (chat.completion.chunk, then [DONE]). The Responses
 * API (/v1/responses) is not implemented: n8n's OpenAI Chat Model node uses Chat Completions when its
 * "Use Responses API" option is off; a request there is recorded and answered 404 with a message
 * saying so. GET /v1/models lists the scripted model.
 *
 * Control API (no auth): GET /_double/requests, DELETE /_double/requests, POST /_double/script
 * (body: an array of JSON steps; replaces the queue), GET /_double/state.
 *
 * CLI: node tools/openai-double/server.js [--port 3790] [--script steps.json]
 */
const http = require('node:http');
const fs = require('node:fs');
const crypto = require('node:crypto');

const MAX_BODY_BYTES = 5 * 1024 * 1024;
const DEFAULT_MODEL = 'klivo-scripted-model';

function errorBody(message, type = 'invalid_request_error', code = null) {
	return { error: { message, type, param: null, code } };
}

function send(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			size += c.length;
			if (size > MAX_BODY_BYTES) {
				reject(Object.assign(new Error('body too large'), { status: 413 }));
				req.destroy();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** Message content as text: a string, or the text parts of a content array. */
function textOf(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content
			.map((p) => (typeof p === 'string' ? p : p && typeof p.text === 'string' ? p.text : ''))
			.join('');
	}
	return content === null || content === undefined ? '' : JSON.stringify(content);
}

/** The tools of a chat completions request, flattened to { name, description, parameters }. */
function toolsOf(body) {
	return (Array.isArray(body.tools) ? body.tools : []).map((t) => {
		const f = t && t.function ? t.function : t || {};
		return { name: f.name, description: f.description, parameters: f.parameters, strict: f.strict };
	});
}

/** Tool results sent back (role 'tool'), each with the name of the tool the assistant called. */
function toolResultsOf(messages) {
	const names = new Map();
	for (const m of messages) {
		for (const call of (m && m.role === 'assistant' && m.tool_calls) || []) {
			names.set(call.id, { name: call.function && call.function.name, arguments: call.function && call.function.arguments });
		}
	}
	return messages
		.filter((m) => m && m.role === 'tool')
		.map((m) => {
			const call = names.get(m.tool_call_id) || {};
			return { toolCallId: m.tool_call_id, name: call.name, arguments: call.arguments, content: textOf(m.content) };
		});
}

function makeContext(body, step) {
	const messages = Array.isArray(body.messages) ? body.messages : [];
	const users = messages.filter((m) => m && m.role === 'user');
	const userText = users.length ? textOf(users[users.length - 1].content) : '';
	return {
		body,
		messages,
		tools: toolsOf(body),
		toolResults: toolResultsOf(messages),
		userText,
		step,
		userMatch(regex) {
			const re = regex instanceof RegExp ? regex : new RegExp(regex);
			const m = re.exec(userText);
			if (!m) throw new Error(`the last user message does not match ${re}: ${JSON.stringify(userText.slice(0, 300))}`);
			const v = m[1] === undefined ? m[0] : m[1];
			return /^\d+$/.test(v) ? Number(v) : v;
		},
	};
}

/** Replaces { $userMatch: regex } values (JSON scripts) with the match in the last user message. */
function resolvePlaceholders(value, ctx) {
	if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, ctx));
	if (value && typeof value === 'object') {
		const keys = Object.keys(value);
		if (keys.length === 1 && keys[0] === '$userMatch') return ctx.userMatch(value.$userMatch);
		return Object.fromEntries(keys.map((k) => [k, resolvePlaceholders(value[k], ctx)]));
	}
	return value;
}

/** A scripted step made concrete: { toolCalls: [{ id, name, arguments (JSON string) }] } or { text }. */
function materialize(step, ctx) {
	let s = typeof step === 'function' ? step(ctx) : step;
	if (!s || typeof s !== 'object') throw new Error(`a scripted step must be an object, got ${JSON.stringify(s)}`);
	if (Array.isArray(s.toolCalls) && s.toolCalls.length > 0) {
		return {
			toolCalls: s.toolCalls.map((c) => {
				if (!c || typeof c.name !== 'string' || !c.name) throw new Error('a scripted tool call needs a name');
				let args = typeof c.arguments === 'function' ? c.arguments(ctx) : c.arguments === undefined ? {} : c.arguments;
				if (typeof args !== 'string') args = JSON.stringify(resolvePlaceholders(args, ctx));
				return { id: c.id || `call_${crypto.randomBytes(9).toString('hex')}`, name: c.name, arguments: args };
			}),
		};
	}
	const text = typeof s.text === 'function' ? s.text(ctx) : s.text;
	if (typeof text !== 'string') throw new Error('a scripted step needs toolCalls or text');
	return { text };
}

function completion(model, out, usage) {
	const message = out.toolCalls
		? {
				role: 'assistant',
				content: null,
				tool_calls: out.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
			}
		: { role: 'assistant', content: out.text, refusal: null };
	return {
		id: `chatcmpl-${crypto.randomBytes(12).toString('hex')}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [{ index: 0, message, logprobs: null, finish_reason: out.toolCalls ? 'tool_calls' : 'stop' }],
		usage,
	};
}

function streamCompletion(res, model, out, usage, includeUsage) {
	const id = `chatcmpl-${crypto.randomBytes(12).toString('hex')}`;
	const created = Math.floor(Date.now() / 1000);
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
	const chunk = (delta, finish = null, extra = {}) =>
		res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`);
	if (out.toolCalls) {
		chunk({ role: 'assistant', content: null });
		out.toolCalls.forEach((c, index) => {
			chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] });
			chunk({ tool_calls: [{ index, function: { arguments: c.arguments } }] });
		});
		chunk({}, 'tool_calls');
	} else {
		chunk({ role: 'assistant', content: '' });
		chunk({ content: out.text });
		chunk({}, 'stop');
	}
	if (includeUsage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
	res.end('data: [DONE]\n\n');
}

/**
 * Starts the double. Options: port (0 = any free), host, model (the id GET /v1/models lists and
 * completions report), script (initial steps). Resolves the double.
 */
function startOpenAiDouble({ port = 0, host = '127.0.0.1', model = DEFAULT_MODEL, script = [] } = {}) {
	let queue = [...script];
	let served = 0;
	const requests = [];

	async function handle(req, res) {
		const url = new URL(req.url, 'http://double');
		const p = url.pathname.replace(/\/+$/, '');
		const raw = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
		let body = {};
		if (raw) {
			try {
				body = JSON.parse(raw);
			} catch {
				return send(res, 400, errorBody('We could not parse the JSON body of your request.'));
			}
		}

		if (p === '/_double/requests' && req.method === 'GET') return send(res, 200, requests);
		if (p === '/_double/requests' && req.method === 'DELETE') {
			requests.length = 0;
			return send(res, 200, { cleared: true });
		}
		if (p === '/_double/script' && req.method === 'POST') {
			if (!Array.isArray(body)) return send(res, 400, { error: 'the script is a JSON array of steps' });
			queue = [...body];
			return send(res, 200, { steps: queue.length });
		}
		if (p === '/_double/state' && req.method === 'GET') return send(res, 200, { model, remainingSteps: queue.length, served, requests: requests.length });

		if ((p === '/v1/models' || p === '/models') && req.method === 'GET') {
			return send(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'klivo-tests' }] });
		}

		const record = { at: new Date().toISOString(), method: req.method, path: p, authorization: Boolean(req.headers.authorization), body };
		if ((p === '/v1/chat/completions' || p === '/chat/completions') && req.method === 'POST') {
			const ctx = makeContext(body, served);
			Object.assign(record, { model: body.model, stream: body.stream === true, tools: ctx.tools, messages: ctx.messages, toolResults: ctx.toolResults, userText: ctx.userText });
			requests.push(record);
			if (queue.length === 0) {
				record.exhausted = true;
				return send(res, 400, errorBody(`The scripted model has no step left (request ${requests.length}).`));
			}
			let out;
			try {
				out = materialize(queue.shift(), ctx);
			} catch (e) {
				record.scriptError = e.message;
				return send(res, 400, errorBody(`The scripted step failed: ${e.message}`));
			}
			served += 1;
			record.answer = out;
			const usage = { prompt_tokens: JSON.stringify(ctx.messages).length >> 2, completion_tokens: 8, total_tokens: (JSON.stringify(ctx.messages).length >> 2) + 8 };
			if (body.stream === true) return streamCompletion(res, body.model || model, out, usage, Boolean(body.stream_options && body.stream_options.include_usage));
			return send(res, 200, completion(body.model || model, out, usage));
		}
		requests.push(record);
		if (p === '/v1/responses' || p === '/responses') {
			return send(res, 404, errorBody('This test double answers Chat Completions only: turn off "Use Responses API" in the OpenAI Chat Model node.'));
		}
		return send(res, 404, errorBody(`Unknown route ${req.method} ${p}`));
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((e) => {
			if (!res.headersSent) send(res, e.status || 500, errorBody(e.message, 'server_error'));
			else res.destroy();
		});
	});
	const sockets = new Set();
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});

	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			const addr = server.address();
			const base = `http://${host}:${addr.port}`;
			resolve({
				port: addr.port,
				/** The base URL to give an OpenAI client / n8n's openAiApi credential (ends in /v1). */
				url: `${base}/v1`,
				origin: base,
				model,
				requests,
				/** Chat completion requests only. */
				completions: () => requests.filter((r) => r.path.endsWith('/chat/completions')),
				/** Replaces the queue of steps. */
				script(steps) {
					queue = [...steps];
				},
				remainingSteps: () => queue.length,
				clearRequests() {
					requests.length = 0;
				},
				reset() {
					queue = [];
					served = 0;
					requests.length = 0;
				},
				close: () =>
					new Promise((done) => {
						for (const s of sockets) s.destroy();
						server.close(() => done());
					}),
			});
		});
	});
}

module.exports = { startOpenAiDouble, DEFAULT_MODEL };

if (require.main === module) {
	const args = process.argv.slice(2);
	const opt = (name) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 ? args[i + 1] : undefined;
	};
	const script = opt('script') ? JSON.parse(fs.readFileSync(opt('script'), 'utf8')) : [];
	startOpenAiDouble({ port: Number(opt('port') || 3790), script }).then((d) => {
		process.stdout.write(`OpenAI double on ${d.url} (${d.remainingSteps()} scripted steps)\n`);
		const stop = () => d.close().then(() => process.exit(0));
		process.on('SIGINT', stop);
		process.on('SIGTERM', stop);
	});
}
