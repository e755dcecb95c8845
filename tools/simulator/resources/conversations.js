'use strict';

/** Conversations (reference §2): ids in paths and payloads are the per-account display ids. */

const { ERRORS, fail, SERVER_ERROR, unprocessable, isPlainObject } = require('../lib/http');
const { STATUSES, PRIORITIES, integer, nowSeconds } = require('../lib/model');
const render = require('../lib/render');
const { conversationFor, listedConversations, inboxFor } = require('../lib/access');
const { compile, CONVERSATION_KEYS } = require('../lib/filters');

const PAGE = 25;
const SORTS = {
	last_activity_at_desc: (a, b) => b.last_activity_at - a.last_activity_at || b.id - a.id,
	last_activity_at_asc: (a, b) => a.last_activity_at - b.last_activity_at || a.id - b.id,
	created_at_desc: (a, b) => b.created_at - a.created_at || b.id - a.id,
	created_at_asc: (a, b) => a.created_at - b.created_at || a.id - b.id,
	priority_desc: (a, b) => rank(b) - rank(a) || b.last_activity_at - a.last_activity_at || b.id - a.id,
	priority_asc: (a, b) => rank(a) - rank(b) || b.last_activity_at - a.last_activity_at || b.id - a.id,
	waiting_since_asc: (a, b) => a.waiting_since - b.waiting_since || a.id - b.id,
	waiting_since_desc: (a, b) => b.waiting_since - a.waiting_since || b.id - a.id,
};
SORTS.latest = SORTS.last_activity_at_desc;
SORTS.sort_on_created_at = SORTS.created_at_asc;
SORTS.sort_on_priority = SORTS.priority_desc;
SORTS.sort_on_waiting_since = SORTS.waiting_since_asc;
SORTS.priority_desc_created_at_asc = (a, b) => rank(b) - rank(a) || a.created_at - b.created_at || a.id - b.id;

function rank(c) {
	return c.priority === null ? 0 : PRIORITIES.indexOf(c.priority) + 1;
}

function view(ctx, c) {
	return render.conversation(ctx.acct, ctx.baseUrl, c, ctx.viewer);
}

function labelsParam(query) {
	const many = query.getAll('labels[]');
	if (many.length) return many;
	const one = query.get('labels');
	return one ? one.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

function counts(ctx, rows) {
	const me = ctx.viewer.kind === 'user' ? ctx.viewer.record.id : null;
	return {
		mine_count: rows.filter((c) => c.assignee_type === 'User' && c.assignee_id === me).length,
		assigned_count: rows.filter((c) => c.assignee_id !== null).length,
		unassigned_count: rows.filter((c) => c.assignee_id === null).length,
		all_count: rows.length,
	};
}

/** The finder's filters before the assignee type: meta counts are taken at this point. */
function found(ctx) {
	const { query, acct } = ctx;
	let rows = listedConversations(ctx);
	const q = query.get('q');
	if (q) {
		const needle = q.toLowerCase();
		rows = rows.filter((c) =>
			c.messages.some(
				(m) => ['incoming', 'outgoing'].includes(m.message_type) && (m.content || '').toLowerCase().includes(needle),
			),
		);
	} else {
		const status = query.get('status') || 'open';
		if (status !== 'all') rows = rows.filter((c) => c.status === status);
	}
	if (query.has('inbox_id')) rows = rows.filter((c) => c.inbox_id === integer(query.get('inbox_id')));
	if (query.has('team_id')) {
		const team = acct.mustFind(acct.team(query.get('team_id')));
		rows = rows.filter((c) => c.team_id === team.id);
	}
	const labels = labelsParam(query);
	if (labels.length) rows = rows.filter((c) => c.labels.some((l) => labels.includes(l)));
	if (query.has('source_id')) rows = rows.filter((c) => c.source_id === query.get('source_id'));
	return [...rows].sort(SORTS[query.get('sort_by')] || SORTS.last_activity_at_desc);
}

function byAssignee(ctx, rows) {
	const me = ctx.viewer.kind === 'user' ? ctx.viewer.record.id : null;
	switch (ctx.query.get('assignee_type')) {
		case 'me':
			return rows.filter((c) => c.assignee_type === 'User' && c.assignee_id === me);
		case 'assigned':
			return rows.filter((c) => c.assignee_id !== null);
		case 'unassigned':
			return rows.filter((c) => c.assignee_id === null);
	}
	return rows;
}

function page(rows, value) {
	const number = Math.max(1, integer(value) || 1);
	return rows.slice((number - 1) * PAGE, number * PAGE);
}

function conversationEvent(ctx, c, event, changed) {
	const payload = { ...render.conversationWebhook(ctx.acct, ctx.baseUrl, c), event };
	if (changed) payload.changed_attributes = changed;
	ctx.fire(payload, ctx.route);
}

function change(key, previous, current) {
	return { [key]: { previous_value: previous, current_value: current } };
}

function updated(ctx, c, changes) {
	const previous = new Date(c.updated_at * 1000).toISOString();
	c.updated_at = Date.now() / 1000;
	conversationEvent(ctx, c, 'conversation_updated', [...changes, change('updated_at', previous, new Date(c.updated_at * 1000).toISOString())]);
}

function assign(ctx, c, assigneeId, assigneeType) {
	const before = c.assignee_id;
	c.assignee_id = assigneeId;
	c.assignee_type = assigneeId === null ? null : assigneeType;
	if (before !== assigneeId) updated(ctx, c, [change('assignee_id', before, assigneeId)]);
}

function setStatus(ctx, c, status, snoozedUntil) {
	const before = c.status;
	c.status = status;
	c.snoozed_until = status === 'snoozed' ? snoozedUntil : null;
	if (status !== 'open') c.waiting_since = 0;
	// Chatwoot: an agent (not an administrator) who opens a conversation takes it.
	if (status === 'open' && ctx.viewer.kind === 'user' && ctx.viewer.record.role === 'agent') {
		assign(ctx, c, ctx.viewer.record.id, 'User');
	}
	if (before !== status) {
		c.updated_at = Date.now() / 1000;
		conversationEvent(ctx, c, 'conversation_status_changed', [change('status', before, status)]);
	}
}

const routes = [
	{
		method: 'GET',
		path: /^\/conversations\/?$/,
		route: 'conversations.list',
		handler(ctx) {
			const rows = found(ctx);
			return { body: { data: { meta: counts(ctx, rows), payload: page(byAssignee(ctx, rows), ctx.query.get('page')).map((c) => view(ctx, c)) } } };
		},
	},
	{
		method: 'GET',
		path: /^\/conversations\/meta\/?$/,
		route: 'conversations.meta',
		handler: (ctx) => ({ body: { meta: counts(ctx, found(ctx)) } }),
	},
	{
		method: 'POST',
		path: /^\/conversations\/filter\/?$/,
		route: 'conversations.filter',
		handler(ctx) {
			const body = ctx.body();
			const match = compile(body, CONVERSATION_KEYS, (c, key) => (key === 'display_id' ? c.id : key in c ? c[key] : c.custom_attributes[key]), []);
			const rows = listedConversations(ctx).filter(match).sort(SORTS.last_activity_at_desc);
			const all = counts(ctx, rows);
			const number = ctx.query.get('page') || (isPlainObject(body) ? body.page : undefined);
			return {
				body: {
					meta: { mine_count: all.mine_count, unassigned_count: all.unassigned_count, all_count: all.all_count },
					payload: page(rows, number).map((c) => view(ctx, c)),
				},
			};
		},
	},
	{
		method: 'GET',
		path: /^\/conversations\/([^/]+)\/?$/,
		route: 'conversations.get',
		handler: (ctx) => ({ body: view(ctx, conversationFor(ctx, ctx.params[0])) }),
	},
	{
		method: 'POST',
		path: /^\/conversations\/?$/,
		route: 'conversations.create',
		bots: true,
		handler(ctx) {
			const body = ctx.body();
			const { acct } = ctx;
			let inbox;
			let contact;
			if (body.inbox_id !== undefined && body.contact_id !== undefined) {
				inbox = acct.mustFind(acct.inbox(body.inbox_id));
				contact = acct.mustFind(acct.contact(body.contact_id));
			} else {
				const owner = acct.contacts.find((c) => c.contact_inboxes.some((ci) => ci.source_id === String(body.source_id)));
				if (!owner || body.source_id === undefined) fail(ERRORS.notFound);
				contact = owner;
				inbox = acct.inbox(owner.contact_inboxes.find((ci) => ci.source_id === String(body.source_id)).inbox_id);
			}
			inboxFor(ctx, inbox.id);
			if (body.status !== undefined && body.status !== null && !STATUSES.includes(body.status)) fail(SERVER_ERROR);
			if (inbox.lock_to_single_conversation) {
				const latest = acct.conversations.filter((c) => c.contact_id === contact.id && c.inbox_id === inbox.id).pop();
				if (latest) return { body: view(ctx, latest) };
			}
			const conversation = acct.addConversation({
				inbox_id: inbox.id,
				contact_id: contact.id,
				source_id: body.source_id,
				status: body.status || 'open',
				snoozed_until: body.snoozed_until ? Math.floor(Date.parse(body.snoozed_until) / 1000) : null,
				assignee_id: body.assignee_id,
				team_id: body.team_id !== undefined && body.team_id !== null && acct.team(body.team_id) ? body.team_id : undefined,
				custom_attributes: body.custom_attributes,
				additional_attributes: body.additional_attributes,
			});
			conversationEvent(ctx, conversation, 'conversation_created');
			if (isPlainObject(body.message)) ctx.createMessage(conversation, { ...body.message, message_type: 'outgoing' });
			return { body: view(ctx, conversation) };
		},
	},
	{
		method: ['PATCH', 'PUT'],
		path: /^\/conversations\/([^/]+)\/?$/,
		route: 'conversations.update',
		bots: true,
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const body = ctx.body();
			if ('priority' in body) {
				const priority = body.priority === '' ? null : body.priority;
				if (priority !== null && !PRIORITIES.includes(priority)) fail(SERVER_ERROR);
				const before = c.priority;
				c.priority = priority;
				if (before !== priority) updated(ctx, c, [change('priority', before, priority)]);
			}
			return { body: view(ctx, c) };
		},
	},
	{
		method: 'POST',
		path: /^\/conversations\/([^/]+)\/toggle_status\/?$/,
		route: 'conversations.toggle_status',
		bots: true,
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const body = ctx.body();
			let status = body.status;
			if (status === undefined || status === null || status === '') status = c.status === 'open' ? 'resolved' : 'open';
			if (!STATUSES.includes(status)) fail(SERVER_ERROR);
			let snoozedUntil = null;
			if (status === 'snoozed' && body.snoozed_until !== undefined && body.snoozed_until !== null && body.snoozed_until !== '') {
				if (!/^\d+$/.test(String(body.snoozed_until))) fail(SERVER_ERROR);
				snoozedUntil = Number(body.snoozed_until);
			}
			const handoff = ctx.viewer.kind === 'bot' && c.status === 'pending' && status === 'open';
			setStatus(ctx, c, status, snoozedUntil);
			return {
				body: {
					payload: {
						success: handoff ? null : true,
						conversation_id: c.id,
						current_status: c.status,
						snoozed_until: render.iso(c.snoozed_until),
					},
				},
			};
		},
	},
	{
		method: 'POST',
		path: /^\/conversations\/([^/]+)\/toggle_priority\/?$/,
		route: 'conversations.toggle_priority',
		bots: true,
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const body = ctx.body();
			const priority = body.priority === '' || body.priority === undefined ? null : body.priority;
			if (priority !== null && !PRIORITIES.includes(priority)) fail(SERVER_ERROR);
			const before = c.priority;
			c.priority = priority;
			if (before !== priority) updated(ctx, c, [change('priority', before, priority)]);
			return { body: undefined };
		},
	},
	{
		method: 'POST',
		path: /^\/conversations\/([^/]+)\/toggle_typing_status\/?$/,
		route: 'conversations.toggle_typing_status',
		bots: true,
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const body = ctx.body();
			if (body.typing_status === 'on' || body.typing_status === 'off') {
				const user = ctx.viewer.kind === 'user' ? render.userWebhook(ctx.viewer.record) : render.botPush(ctx.viewer.record);
				ctx.fire(
					{
						event: `conversation_typing_${body.typing_status}`,
						user,
						conversation: render.conversationWebhook(ctx.acct, ctx.baseUrl, c),
						is_private: body.is_private === true || body.is_private === 'true',
					},
					ctx.route,
				);
			}
			return { body: undefined };
		},
	},
	{
		method: 'POST',
		path: /^\/conversations\/([^/]+)\/assignments\/?$/,
		route: 'conversations.assignments',
		bots: true,
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const body = ctx.body();
			const { acct } = ctx;
			if ('assignee_id' in body) {
				if (body.assignee_type === 'AgentBot') {
					const bot = acct.bot(body.assignee_id);
					assign(ctx, c, bot ? bot.id : null, 'AgentBot');
					return { body: bot ? render.botSlim(bot) : null };
				}
				const user = body.assignee_id === null ? null : acct.user(body.assignee_id);
				assign(ctx, c, user ? user.id : null, 'User');
				return { body: user ? render.agent(user) : null };
			}
			if ('team_id' in body) {
				const team = body.team_id === null ? null : acct.team(body.team_id);
				const before = c.team_id;
				c.team_id = team ? team.id : null;
				if (before !== c.team_id) updated(ctx, c, [change('team_id', before, c.team_id)]);
				return { body: team ? render.teamRaw(team) : null };
			}
			return { body: null };
		},
	},
	{
		method: 'GET',
		path: /^\/conversations\/([^/]+)\/labels\/?$/,
		route: 'conversations.labels.list',
		handler: (ctx) => ({ body: { payload: [...conversationFor(ctx, ctx.params[0]).labels] } }),
	},
	{
		method: 'POST',
		path: /^\/conversations\/([^/]+)\/labels\/?$/,
		route: 'conversations.labels.set',
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const body = ctx.body();
			const labels = Array.isArray(body.labels) ? [...new Set(body.labels.map((l) => String(l).trim()).filter(Boolean))] : [];
			const before = [...c.labels];
			c.labels = labels;
			if (JSON.stringify(before) !== JSON.stringify(labels)) updated(ctx, c, [change('label_list', before, labels)]);
			return { body: { payload: [...c.labels] } };
		},
	},
	{
		method: 'POST',
		path: /^\/conversations\/([^/]+)\/custom_attributes\/?$/,
		route: 'conversations.custom_attributes',
		bots: true,
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const body = ctx.body();
			if (!isPlainObject(body.custom_attributes)) fail(SERVER_ERROR);
			for (const [key, value] of Object.entries(body.custom_attributes)) {
				if (typeof value === 'string' && value.length > 1500) {
					fail({ status: 422, body: { message: `Custom attributes ${key} length should be < 1500`, attributes: ['custom_attributes'] } });
				}
			}
			const before = c.custom_attributes;
			c.custom_attributes = structuredClone(body.custom_attributes);
			if (JSON.stringify(before) !== JSON.stringify(c.custom_attributes)) {
				updated(ctx, c, [change('custom_attributes', before, c.custom_attributes)]);
			}
			return { body: { custom_attributes: structuredClone(c.custom_attributes) } };
		},
	},
	{
		method: 'POST',
		path: /^\/conversations\/([^/]+)\/update_last_seen\/?$/,
		route: 'conversations.update_last_seen',
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			c.agent_last_seen_at = nowSeconds();
			if (ctx.viewer.kind === 'user' && c.assignee_type === 'User' && c.assignee_id === ctx.viewer.record.id) {
				c.assignee_last_seen_at = c.agent_last_seen_at;
			}
			return { body: view(ctx, c) };
		},
	},
];

module.exports = { routes, conversationEvent, setStatus, unprocessable };
