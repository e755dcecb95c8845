'use strict';

/** Inboxes (reference §6), agents and teams (§7): unpaginated lists. */

const render = require('../lib/render');
const { isAdmin, inboxFor, canSeeInbox } = require('../lib/access');

const byLowerName = (a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase());

const routes = [
	{
		method: 'GET',
		path: /^\/inboxes\/?$/,
		route: 'inboxes.list',
		handler: (ctx) => ({
			body: {
				payload: ctx.acct.inboxes
					.filter((i) => canSeeInbox(ctx, i))
					.sort(byLowerName)
					.map((i) => render.inbox(i, isAdmin(ctx.viewer))),
			},
		}),
	},
	{
		method: 'GET',
		path: /^\/inboxes\/([^/]+)\/?$/,
		route: 'inboxes.get',
		handler: (ctx) => ({ body: render.inbox(inboxFor(ctx, ctx.params[0]), isAdmin(ctx.viewer)) }),
	},
	{
		method: 'GET',
		path: /^\/agents\/?$/,
		route: 'agents.list',
		handler: (ctx) => ({ body: [...ctx.acct.users].sort(byLowerName).map(render.agent) }),
	},
	{
		method: 'GET',
		path: /^\/teams\/?$/,
		route: 'teams.list',
		handler: (ctx) => ({ body: ctx.acct.teams.map((t) => render.team(t, ctx.viewer)) }),
	},
];

module.exports = { routes };
