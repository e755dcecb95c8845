'use strict';

/** Messages of a conversation (reference §3): `before` cursor, 20 per page, multipart uploads. */

const { unprocessable, isPlainObject, ERRORS, fail } = require('../lib/http');
const { integer, CHANNELS } = require('../lib/model');
const render = require('../lib/render');
const { conversationFor } = require('../lib/access');
const { parseMultipart } = require('../lib/multipart');

const PAGE = 20;

function messageEvent(ctx, message, event) {
	ctx.fire(render.messageWebhook(ctx.acct, ctx.baseUrl, message, event), ctx.route);
}

/** A WhatsApp template must exist, approved, under its name and language, or the message fails later. */
function templateFound(inbox, params) {
	if (!inbox || inbox.channel_type !== CHANNELS.whatsapp) return true;
	const name = String(params.name || '').toLowerCase();
	const language = params.language ? String(params.language).toLowerCase() : null;
	return inbox.message_templates.some(
		(t) =>
			String(t.name).toLowerCase() === name &&
			(language === null || String(t.language).toLowerCase() === language) &&
			String(t.status).toLowerCase() === 'approved',
	);
}

/** Messages::MessageBuilder as the API runs it: every failure is a 422 `{"error"}`. */
function createMessage(ctx, conversation, params, files = []) {
	const { acct, viewer } = ctx;
	const type = params.message_type === undefined || params.message_type === '' ? 'outgoing' : params.message_type;
	const inbox = acct.inbox(conversation.inbox_id);
	if (type === 'incoming' && inbox.channel_type !== CHANNELS.api) {
		unprocessable('Incoming messages are only allowed in Api inboxes');
	}
	if (!['outgoing', 'incoming', 'template', 'activity'].includes(type)) unprocessable(`'${type}' is not a valid message_type`);
	let contentAttributes = params.content_attributes;
	if (typeof contentAttributes === 'string') {
		try {
			contentAttributes = JSON.parse(contentAttributes);
		} catch {
			unprocessable(`unexpected token at '${contentAttributes}'`);
		}
	}
	if (['input_select', 'cards', 'article', 'form'].includes(params.content_type)) {
		const items = isPlainObject(contentAttributes) && Array.isArray(contentAttributes.items) ? contentAttributes.items : [];
		if (items.length === 0) unprocessable('Validation failed: Content attributes At least one item is required.');
	}
	const additional = {};
	if (params.template_params !== undefined) {
		if (!isPlainObject(params.template_params) || typeof params.template_params.name !== 'string') {
			unprocessable('Validation failed: Additional attributes template params is invalid');
		}
		additional.template_params = structuredClone(params.template_params);
	}
	if (params.campaign_id !== undefined) additional.campaign_id = params.campaign_id;
	if (files.length > 15) unprocessable('Validation failed: Attachments Too many attachments');
	let senderType = null;
	let senderId = null;
	if (type !== 'incoming') {
		if (params.sender_type === 'AgentBot' && acct.bot(params.sender_id)) {
			senderType = 'AgentBot';
			senderId = acct.bot(params.sender_id).id;
		} else if (viewer.kind === 'bot') {
			senderType = 'AgentBot';
			senderId = viewer.record.id;
		} else {
			senderType = 'User';
			senderId = viewer.record.id;
		}
	}
	const message = acct.addMessage(conversation, {
		content: params.content,
		message_type: type,
		private: params.private === true || params.private === 'true',
		content_type: params.content_type || 'text',
		content_attributes: isPlainObject(contentAttributes) ? contentAttributes : {},
		source_id: params.source_id,
		echo_id: params.echo_id,
		sender_type: senderType,
		sender_id: senderId,
		additional_attributes: additional,
		attachments: files,
	});
	messageEvent(ctx, message, 'message_created');
	if (additional.template_params && !templateFound(inbox, additional.template_params)) {
		// Chatwoot's send job fails it after the answer; the API call itself succeeded.
		const answered = render.messagePartial(acct, ctx.baseUrl, message);
		message.status = 'failed';
		message.content_attributes = { ...message.content_attributes, external_error: 'Template not found or not approved' };
		messageEvent(ctx, message, 'message_updated');
		return { message, answered };
	}
	return { message, answered: null };
}

function readParams(ctx) {
	const contentType = ctx.req.headers['content-type'] || '';
	if (/^multipart\/form-data/i.test(contentType)) {
		const parsed = parseMultipart(ctx.bytes, contentType);
		if (!parsed) unprocessable('Invalid multipart body');
		// Rails needs the brackets: a plain `attachments` field breaks the builder.
		if (parsed.files.some((f) => f.field === 'attachments')) unprocessable("undefined method `each' for an instance of ActionDispatch::Http::UploadedFile");
		const files = parsed.files.filter((f) => f.field === 'attachments[]');
		return { params: parsed.fields, files };
	}
	return { params: ctx.body(), files: [] };
}

const routes = [
	{
		method: 'GET',
		path: /^\/conversations\/([^/]+)\/messages\/?$/,
		route: 'messages.list',
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const { query, acct } = ctx;
			let rows = c.messages;
			if (query.get('filter_internal_messages') === 'true') {
				rows = rows.filter((m) => !m.private && m.message_type !== 'activity');
			}
			const before = integer(query.get('before'));
			const after = integer(query.get('after'));
			if (after !== null && before !== null) rows = rows.filter((m) => m.id >= after && m.id < before).slice(0, 1000);
			else if (after !== null) rows = rows.filter((m) => m.id > after).slice(0, 100);
			else if (before !== null) rows = rows.filter((m) => m.id < before).slice(-PAGE);
			else rows = rows.slice(-PAGE);
			const person = acct.contact(c.contact_id);
			const meta = {
				labels: [...c.labels],
				additional_attributes: structuredClone(c.additional_attributes),
				contact: person ? render.contactPush(person) : null,
			};
			if (c.assignee_type === 'User' && acct.user(c.assignee_id)) meta.assignee = render.userPush(acct.user(c.assignee_id));
			meta.agent_last_seen_at = c.agent_last_seen_at ? render.iso(c.agent_last_seen_at) : null;
			meta.assignee_last_seen_at = c.assignee_last_seen_at ? render.iso(c.assignee_last_seen_at) : null;
			return { body: { meta, payload: rows.map((m) => render.messagePartial(acct, ctx.baseUrl, m)) } };
		},
	},
	{
		method: 'POST',
		path: /^\/conversations\/([^/]+)\/messages\/?$/,
		route: 'messages.create',
		bots: true,
		uploads: true,
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const { params, files } = readParams(ctx);
			const { message, answered } = createMessage(ctx, c, params, files);
			return { body: answered || render.messagePartial(ctx.acct, ctx.baseUrl, message) };
		},
	},
	{
		method: 'DELETE',
		path: /^\/conversations\/([^/]+)\/messages\/([^/]+)\/?$/,
		route: 'messages.delete',
		handler(ctx) {
			const c = conversationFor(ctx, ctx.params[0]);
			const message = c.messages.find((m) => m.id === integer(ctx.params[1]));
			if (!message) fail(ERRORS.notFound);
			ctx.acct.deleteMessage(message);
			messageEvent(ctx, message, 'message_updated');
			return { body: render.messagePartial(ctx.acct, ctx.baseUrl, message) };
		},
	},
];

module.exports = { routes, createMessage, messageEvent };
