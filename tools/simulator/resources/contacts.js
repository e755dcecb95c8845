'use strict';

/** Contacts (reference §4): 15 per page, search by `has_more`, filter, labels, contact inboxes. */

const { ERRORS, fail, isPlainObject } = require('../lib/http');
const { integer, CHANNELS } = require('../lib/model');
const render = require('../lib/render');
const { requireAdmin, inboxFor, canSeeInbox, canSeeConversation } = require('../lib/access');
const { compile, CONTACT_KEYS } = require('../lib/filters');

const PAGE = 15;
const FIELDS = ['name', 'email', 'phone_number', 'identifier', 'blocked', 'custom_attributes', 'additional_attributes'];
const SORT_KEYS = {
	name: (c) => c.name.toLowerCase(),
	email: (c) => c.email || '',
	phone_number: (c) => c.phone_number || '',
	last_activity_at: (c) => c.last_activity_at || 0,
	created_at: (c) => c.created_at,
	company_name: (c) => c.additional_attributes.company_name || '',
	city: (c) => c.additional_attributes.city || '',
	country: (c) => c.additional_attributes.country || '',
};

// "Resolved" contacts: what the list and the filter show.
const resolved = (c) => Boolean(c.email || c.phone_number || c.identifier);

function sorted(rows, sort) {
	const key = sort ? sort.replace(/^-/, '') : null;
	const valueOf = SORT_KEYS[key];
	if (!valueOf) return rows;
	const direction = sort.startsWith('-') ? -1 : 1;
	return [...rows].sort((a, b) => {
		const x = valueOf(a);
		const y = valueOf(b);
		return (x < y ? -1 : x > y ? 1 : 0) * direction || a.id - b.id;
	});
}

function pageOf(query) {
	return Math.max(1, integer(query.get('page')) || 1);
}
// current_page echoes the query string: integer 1 when absent, the string otherwise.
function currentPage(query) {
	return query.has('page') ? query.get('page') : 1;
}
function withInboxes(query) {
	return !query.has('include_contact_inboxes') || query.get('include_contact_inboxes') === 'true';
}

function fields(body) {
	const out = {};
	for (const key of FIELDS) if (key in body) out[key] = body[key];
	return out;
}

function contactEvent(ctx, contact, event, changed) {
	const payload = { ...render.contactWebhook(ctx.acct, contact), event };
	if (changed) payload.changed_attributes = changed;
	ctx.fire(payload, ctx.route);
}

const find = (ctx) => ctx.acct.mustFind(ctx.acct.contact(ctx.params[0]));

const routes = [
	{
		method: 'GET',
		path: /^\/contacts\/?$/,
		route: 'contacts.list',
		handler(ctx) {
			const { query, acct } = ctx;
			let rows = acct.contacts.filter(resolved);
			const labels = query.getAll('labels[]');
			if (labels.length) rows = rows.filter((c) => c.labels.some((l) => labels.includes(l)));
			rows = sorted(rows, query.get('sort'));
			const number = pageOf(query);
			return {
				body: {
					meta: { count: rows.length, current_page: currentPage(query) },
					payload: rows.slice((number - 1) * PAGE, number * PAGE).map((c) => render.contact(acct, c, withInboxes(query))),
				},
			};
		},
	},
	{
		method: 'GET',
		path: /^\/contacts\/search\/?$/,
		route: 'contacts.search',
		handler(ctx) {
			const { query, acct } = ctx;
			const q = query.get('q');
			// The server's 422 guard returns before rendering, so the view answers 200 with nulls.
			if (!q) return { body: { meta: { count: null, current_page: 1, has_more: null }, payload: [] } };
			const needle = q.toLowerCase();
			let rows = acct.contacts.filter(
				(c) =>
					c.name.toLowerCase().includes(needle) ||
					(c.email || '').includes(needle) ||
					(c.phone_number || '').toLowerCase().includes(needle) ||
					(c.identifier || '').includes(q),
			);
			rows = sorted(rows, query.get('sort'));
			const number = pageOf(query);
			const slice = rows.slice((number - 1) * PAGE, number * PAGE + 1);
			const payload = slice.slice(0, PAGE);
			return {
				body: {
					meta: { count: payload.length, current_page: currentPage(query), has_more: slice.length > PAGE },
					payload: payload.map((c) => render.contact(acct, c, withInboxes(query))),
				},
			};
		},
	},
	{
		method: 'POST',
		path: /^\/contacts\/filter\/?$/,
		route: 'contacts.filter',
		handler(ctx) {
			const body = ctx.body();
			const { acct, query } = ctx;
			const custom = [...new Set(acct.contacts.flatMap((c) => Object.keys(c.custom_attributes)))];
			const match = compile(
				body,
				CONTACT_KEYS,
				(c, key) => {
					if (['city', 'company_name', 'country_code'].includes(key)) return c.additional_attributes[key];
					if (key === 'phone_number' || key in c) return c[key];
					return c.custom_attributes[key];
				},
				custom,
			);
			const rows = acct.contacts.filter(resolved).filter(match);
			const number = Math.max(1, integer(query.get('page') || (isPlainObject(body) ? body.page : null)) || 1);
			return {
				body: {
					meta: { count: rows.length, current_page: query.has('page') ? query.get('page') : isPlainObject(body) && body.page !== undefined ? body.page : 1 },
					payload: rows.slice((number - 1) * PAGE, number * PAGE).map((c) => render.contact(acct, c, withInboxes(query))),
				},
			};
		},
	},
	{
		method: 'GET',
		path: /^\/contacts\/([^/]+)\/?$/,
		route: 'contacts.get',
		handler: (ctx) => ({ body: { payload: render.contact(ctx.acct, find(ctx), withInboxes(ctx.query)) } }),
	},
	{
		method: 'POST',
		path: /^\/contacts\/?$/,
		route: 'contacts.create',
		handler(ctx) {
			const body = ctx.body();
			const { acct } = ctx;
			const inbox = body.inbox_id !== undefined && body.inbox_id !== null ? acct.mustFind(acct.inbox(body.inbox_id)) : null;
			const contact = acct.addContact(fields(body));
			let link = null;
			if (inbox) {
				try {
					link = acct.linkContactInbox(contact, inbox, body.source_id);
				} catch (error) {
					// The whole create rolls back.
					acct.removeContact(contact);
					throw error;
				}
			}
			contactEvent(ctx, contact, 'contact_created');
			return {
				body: {
					payload: {
						contact: render.contact(acct, contact, true),
						contact_inbox: { inbox: inbox ? render.inboxRaw(inbox) : null, source_id: link ? link.source_id : null },
					},
				},
			};
		},
	},
	{
		method: ['PUT', 'PATCH'],
		path: /^\/contacts\/([^/]+)\/?$/,
		route: 'contacts.update',
		handler(ctx) {
			const contact = find(ctx);
			const changed = ctx.acct.updateContact(contact, fields(ctx.body()));
			if (changed.length) contactEvent(ctx, contact, 'contact_updated', changed);
			return { body: { payload: render.contact(ctx.acct, contact, withInboxes(ctx.query)) } };
		},
	},
	{
		method: 'DELETE',
		path: /^\/contacts\/([^/]+)\/?$/,
		route: 'contacts.delete',
		handler(ctx) {
			const contact = find(ctx);
			requireAdmin(ctx);
			ctx.acct.removeContact(contact);
			return { body: undefined };
		},
	},
	{
		method: 'GET',
		path: /^\/contacts\/([^/]+)\/conversations\/?$/,
		route: 'contacts.conversations',
		handler(ctx) {
			const contact = find(ctx);
			const rows = ctx.acct.conversations
				.filter((c) => c.contact_id === contact.id && canSeeConversation(ctx, c) && canSeeInbox(ctx, ctx.acct.inbox(c.inbox_id)))
				.sort((a, b) => b.last_activity_at - a.last_activity_at || b.id - a.id)
				.slice(0, 20);
			return { body: { payload: rows.map((c) => render.conversation(ctx.acct, ctx.baseUrl, c, ctx.viewer)) } };
		},
	},
	{
		method: 'POST',
		path: /^\/contacts\/([^/]+)\/contact_inboxes\/?$/,
		route: 'contacts.contact_inboxes',
		handler(ctx) {
			const contact = find(ctx);
			const body = ctx.body();
			if (body.inbox_id === undefined || body.inbox_id === null) fail(ERRORS.notFound);
			const inbox = inboxFor(ctx, body.inbox_id);
			const link = ctx.acct.linkContactInbox(contact, inbox, body.source_id);
			return { body: { source_id: link.source_id, inbox: render.inboxSlim(inbox) } };
		},
	},
	{
		method: 'GET',
		path: /^\/contacts\/([^/]+)\/contactable_inboxes\/?$/,
		route: 'contacts.contactable_inboxes',
		handler(ctx) {
			const contact = find(ctx);
			const payload = [];
			for (const inbox of ctx.acct.inboxes) {
				if (!canSeeInbox(ctx, inbox)) continue;
				const existing = contact.contact_inboxes.find((ci) => ci.inbox_id === inbox.id);
				let source = null;
				switch (inbox.channel_type) {
					case CHANNELS.api:
						source = existing ? existing.source_id : require('node:crypto').randomUUID();
						break;
					case CHANNELS.email:
						source = contact.email;
						break;
					case CHANNELS.whatsapp:
						source = contact.phone_number ? contact.phone_number.replace(/^\+/, '') : null;
						break;
					case CHANNELS.sms:
						source = contact.phone_number;
						break;
					case CHANNELS.web: {
						const idle = existing && !ctx.acct.conversations.some((c) => c.contact_inbox_id === existing.id);
						source = idle ? existing.source_id : null;
						break;
					}
				}
				if (source) payload.push({ inbox: render.inboxSlim(inbox), source_id: source });
			}
			return { body: { payload } };
		},
	},
	{
		method: 'GET',
		path: /^\/contacts\/([^/]+)\/labels\/?$/,
		route: 'contacts.labels.list',
		handler: (ctx) => ({ body: { payload: [...find(ctx).labels] } }),
	},
	{
		method: 'POST',
		path: /^\/contacts\/([^/]+)\/labels\/?$/,
		route: 'contacts.labels.set',
		handler(ctx) {
			const contact = find(ctx);
			const body = ctx.body();
			contact.labels = Array.isArray(body.labels) ? [...new Set(body.labels.map((l) => String(l).trim()).filter(Boolean))] : [];
			return { body: { payload: [...contact.labels] } };
		},
	},
];

module.exports = { routes, contactEvent };
