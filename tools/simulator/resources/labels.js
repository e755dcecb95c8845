'use strict';

/** Account labels (reference §5): lowercased titles without spaces; writes are administrator-only. */

const { isPlainObject, fail } = require('../lib/http');
const render = require('../lib/render');
const { requireAdmin } = require('../lib/access');

// Rails wraps flat JSON keys into `label`, so both shapes arrive here the same.
function labelParams(body) {
	const source = isPlainObject(body) && isPlainObject(body.label) ? body.label : body;
	const out = {};
	for (const key of ['title', 'description', 'color', 'show_on_sidebar']) if (isPlainObject(source) && key in source) out[key] = source[key];
	return out;
}

const find = (ctx) => ctx.acct.mustFind(ctx.acct.label(ctx.params[0]));

const routes = [
	{
		method: 'GET',
		path: /^\/labels\/?$/,
		route: 'labels.list',
		handler: (ctx) => ({ body: { payload: ctx.acct.labels.map(render.label) } }),
	},
	{
		method: 'GET',
		path: /^\/labels\/([^/]+)\/?$/,
		route: 'labels.get',
		handler(ctx) {
			const label = find(ctx);
			requireAdmin(ctx);
			return { body: render.label(label) };
		},
	},
	{
		method: 'POST',
		path: /^\/labels\/?$/,
		route: 'labels.create',
		handler(ctx) {
			requireAdmin(ctx);
			const params = labelParams(ctx.body());
			if (Object.keys(params).length === 0) fail({ status: 422, body: { error: 'param is missing or the value is empty: label' } });
			return { body: render.label(ctx.acct.addLabel(params)) };
		},
	},
	{
		method: ['PATCH', 'PUT'],
		path: /^\/labels\/([^/]+)\/?$/,
		route: 'labels.update',
		handler(ctx) {
			const label = find(ctx);
			requireAdmin(ctx);
			return { body: render.label(ctx.acct.updateLabel(label, labelParams(ctx.body()))) };
		},
	},
	{
		method: 'DELETE',
		path: /^\/labels\/([^/]+)\/?$/,
		route: 'labels.delete',
		handler(ctx) {
			const label = find(ctx);
			requireAdmin(ctx);
			ctx.acct.removeLabel(label);
			return { body: undefined };
		},
	},
];

module.exports = { routes };
