'use strict';
/**
 * The scripted OpenAI-compatible double (tools/openai-double/server.js) over real HTTP: what the AI
 * Agent e2e test (test/e2e/ai-agent.e2e.test.js) relies on.
 */
const { startOpenAiDouble, DEFAULT_MODEL } = require('../../tools/openai-double/server.js');

let model;

beforeEach(async () => {
	model = await startOpenAiDouble();
});

afterEach(async () => {
	await model.close();
});

async function post(path, body, raw) {
	const res = await fetch(model.origin + path, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
		body: raw !== undefined ? raw : JSON.stringify(body),
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json, type: res.headers.get('content-type') };
}

const TOOL = {
	type: 'function',
	function: {
		name: 'Send_reply',
		description: 'Send a reply to the customer of a conversation in Klivo',
		parameters: { type: 'object', properties: { content: { type: 'string', description: 'the reply' } }, required: ['content'] },
	},
};

test('GET /v1/models lists the scripted model; url ends in /v1', async () => {
	expect(model.url).toBe(`${model.origin}/v1`);
	const res = await fetch(`${model.url}/models`);
	expect(res.status).toBe(200);
	expect(await res.json()).toEqual({ object: 'list', data: [expect.objectContaining({ id: DEFAULT_MODEL, object: 'model' })] });
});

test('steps answer in order: tool calls with arguments taken from the user message, then a final text; requests are recorded', async () => {
	model.script([
		{
			toolCalls: [
				{ name: 'Get_history', arguments: {} },
				{ name: 'Send_reply', arguments: (ctx) => ({ content: `About conversation ${ctx.userMatch(/conversation #(\d+)/)}` }) },
			],
		},
		{ text: (ctx) => `saw ${ctx.toolResults.length} results` },
	]);
	const first = await post('/v1/chat/completions', {
		model: 'gpt-x',
		messages: [
			{ role: 'system', content: 'You help.' },
			{ role: 'user', content: 'Customer wrote in conversation #42: hi' },
		],
		tools: [TOOL],
	});
	expect(first.status).toBe(200);
	expect(first.json).toMatchObject({ object: 'chat.completion', model: 'gpt-x', choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null } }] });
	const calls = first.json.choices[0].message.tool_calls;
	expect(calls.map((c) => [c.type, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
		['function', 'Get_history', {}],
		['function', 'Send_reply', { content: 'About conversation 42' }],
	]);
	expect(new Set(calls.map((c) => c.id)).size).toBe(2);

	const second = await post('/v1/chat/completions', {
		model: 'gpt-x',
		messages: [
			{ role: 'user', content: 'Customer wrote in conversation #42: hi' },
			{ role: 'assistant', content: null, tool_calls: calls },
			{ role: 'tool', tool_call_id: calls[0].id, content: '[]' },
			{ role: 'tool', tool_call_id: calls[1].id, content: [{ type: 'text', text: 'Conversation #42 does not exist' }] },
		],
	});
	expect(second.json.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'saw 2 results' } });

	const recorded = model.completions();
	expect(recorded).toHaveLength(2);
	expect(recorded[0].tools).toEqual([{ name: 'Send_reply', description: TOOL.function.description, parameters: TOOL.function.parameters, strict: undefined }]);
	expect(recorded[0].userText).toBe('Customer wrote in conversation #42: hi');
	expect(recorded[0].authorization).toBe(true);
	expect(recorded[1].toolResults).toEqual([
		{ toolCallId: calls[0].id, name: 'Get_history', arguments: '{}', content: '[]' },
		{ toolCallId: calls[1].id, name: 'Send_reply', arguments: JSON.stringify({ content: 'About conversation 42' }), content: 'Conversation #42 does not exist' },
	]);
	expect(model.remainingSteps()).toBe(0);
});

test('with no step left it answers 400 in OpenAI error shape and records exhausted', async () => {
	const r = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] });
	expect(r.status).toBe(400);
	expect(r.json.error.message).toMatch(/no step left/);
	expect(model.requests[0]).toMatchObject({ exhausted: true });
});

test('a step whose user match fails answers 400 naming the problem', async () => {
	model.script([{ toolCalls: [{ name: 'X', arguments: { n: { $userMatch: '#(\\d+)' } } }] }]);
	const r = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'no number' }] });
	expect(r.status).toBe(400);
	expect(r.json.error.message).toMatch(/does not match/);
});

test('stream: true is answered as server-sent chunks ending in [DONE], tool call arguments reassembling to the JSON', async () => {
	model.script([{ toolCalls: [{ name: 'Send_reply', arguments: '{"content":"Oi"}' }] }, { text: 'bye' }]);
	const r = await post('/v1/chat/completions', { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] });
	expect(r.type).toMatch(/text\/event-stream/);
	const events = r.text
		.split('\n\n')
		.filter(Boolean)
		.map((e) => e.replace(/^data: /, ''));
	expect(events[events.length - 1]).toBe('[DONE]');
	const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
	const args = chunks.flatMap((c) => (c.choices[0] && c.choices[0].delta.tool_calls) || []).map((t) => t.function.arguments).join('');
	expect(JSON.parse(args)).toEqual({ content: 'Oi' });
	expect(chunks.some((c) => c.choices[0] && c.choices[0].finish_reason === 'tool_calls')).toBe(true);
	expect(chunks[chunks.length - 1].usage).toEqual(expect.objectContaining({ total_tokens: expect.any(Number) }));
	const text = await post('/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] });
	const content = text.text
		.split('\n\n')
		.filter((e) => e && !e.includes('[DONE]'))
		.map((e) => JSON.parse(e.replace(/^data: /, '')).choices[0].delta.content || '')
		.join('');
	expect(content).toBe('bye');
});

test('the Responses API is refused with a message that says how to avoid it; the control API scripts and lists', async () => {
	const r = await post('/v1/responses', { model: 'm', input: 'x' });
	expect(r.status).toBe(404);
	expect(r.json.error.message).toMatch(/Use Responses API/);
	const scripted = await post('/_double/script', [{ text: 'hello' }]);
	expect(scripted.json).toEqual({ steps: 1 });
	const a = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] });
	expect(a.json.choices[0].message.content).toBe('hello');
	const listed = await (await fetch(`${model.origin}/_double/requests`)).json();
	expect(listed.map((q) => q.path)).toEqual(['/v1/responses', '/v1/chat/completions']);
	const bad = await post('/v1/chat/completions', undefined, '{not json');
	expect(bad.status).toBe(400);
});
