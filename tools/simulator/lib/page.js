'use strict';

/**
 * The chat page: the simulator's inbox as an agent sees it, at the simulator's root URL, so a person
 * can try a workflow without a Klivo account. Static files from ../page (no framework, no CDN: it works
 * offline), and one JSON view (`inboxView`) the page polls through the control API.
 */

const fs = require('node:fs');
const path = require('node:path');

const { sendRaw } = require('./http');

const PAGE_DIR = path.join(__dirname, '..', 'page');
const FILES = {
	'/': ['index.html', 'text/html; charset=utf-8'],
	'/index.html': ['index.html', 'text/html; charset=utf-8'],
	'/page/app.js': ['app.js', 'text/javascript; charset=utf-8'],
	'/page/style.css': ['style.css', 'text/css; charset=utf-8'],
	'/favicon.ico': ['favicon.svg', 'image/svg+xml'],
	'/page/favicon.svg': ['favicon.svg', 'image/svg+xml'],
};

/** Serves the page's files; false when the path is not one of them (the API then answers). */
function handlePage(req, res, url) {
	if (req.method !== 'GET' && req.method !== 'HEAD') return false;
	const file = FILES[url.pathname];
	if (!file) return false;
	// Read on each request: the files are small, and an edited page shows on reload.
	const bytes = fs.readFileSync(path.join(PAGE_DIR, file[0]));
	sendRaw(res, 200, req.method === 'HEAD' ? Buffer.alloc(0) : bytes, file[1], {
		'Cache-Control': 'no-store',
		// The page loads only its own files and talks only to this simulator.
		'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'",
		'X-Content-Type-Options': 'nosniff',
	});
	return true;
}

function withoutQuery(url) {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return '';
	}
}

function kindOf(message) {
	if (message.private) return 'note';
	return message.message_type;
}

/**
 * What the page shows, in one document: conversations newest activity first with contact, inbox,
 * status, assignee, team and labels, and the selected conversation's messages (attachments link to
 * the blob route the API serves). Only names and texts: no token reaches the page.
 */
function inboxView(sim, accountId, selectedId) {
	const byId = (list) => new Map(list.map((r) => [r.id, r]));
	const contacts = byId(sim.contacts(accountId));
	const inboxes = byId(sim.inboxes(accountId));
	const users = byId(sim.agents(accountId));
	const bots = byId(sim.agentBots(accountId));
	const teams = byId(sim.teams(accountId));
	const name = (map, id) => (map.get(id) ? map.get(id).name : null);

	const assigneeOf = (c) => {
		if (c.assignee_id === null || c.assignee_id === undefined) return null;
		if (c.assignee_type === 'AgentBot') return { type: 'bot', name: name(bots, c.assignee_id) ?? `Bot ${c.assignee_id}` };
		return { type: 'agent', name: name(users, c.assignee_id) ?? `Agent ${c.assignee_id}` };
	};
	const senderOf = (m) => {
		if (m.sender_type === 'Contact') return { type: 'contact', name: name(contacts, m.sender_id) ?? 'Contact' };
		if (m.sender_type === 'AgentBot') return { type: 'bot', name: name(bots, m.sender_id) ?? 'Bot' };
		if (m.sender_type === 'User') return { type: 'agent', name: name(users, m.sender_id) ?? 'Agent' };
		return { type: 'system', name: 'Klivo' };
	};
	const messageView = (m) => ({
		id: m.id,
		kind: kindOf(m),
		content: m.content,
		content_type: m.content_type,
		sender: senderOf(m),
		created_at: m.created_at,
		attachments: (m.attachments || []).map((a) => ({
			id: a.id,
			file_name: a.file_name,
			file_type: a.file_type,
			content_type: a.content_type,
			file_size: a.file_size,
			url: `/rails/active_storage/blobs/${a.id}/${encodeURIComponent(a.file_name)}`,
		})),
	});

	const conversations = sim
		.conversations(accountId)
		.map((c) => {
			const messages = sim.messages(accountId, c.id);
			const last = [...messages].reverse().find((m) => m.message_type !== 'activity') || null;
			return {
				id: c.id,
				status: c.status,
				priority: c.priority,
				labels: c.labels,
				contact: { id: c.contact_id, name: name(contacts, c.contact_id) ?? `Contact ${c.contact_id}` },
				inbox: { id: c.inbox_id, name: name(inboxes, c.inbox_id), channel_type: inboxes.get(c.inbox_id)?.channel_type ?? null },
				assignee: assigneeOf(c),
				team: c.team_id === null ? null : name(teams, c.team_id),
				last_activity_at: c.last_activity_at,
				last_message: last ? { kind: kindOf(last), content: last.content, attachments: last.attachments.length } : null,
				message_count: messages.length,
			};
		})
		.sort((a, b) => b.last_activity_at - a.last_activity_at || b.id - a.id);

	const selected = conversations.find((c) => c.id === Number(selectedId)) || conversations[0] || null;
	return {
		account_id: String(accountId),
		// Without the query: n8n's Klivo Trigger puts a secret there.
		webhooks: sim.webhooks(accountId).map((w) => ({ id: w.id, url: withoutQuery(w.url), subscriptions: w.subscriptions, disabled: Boolean(w.disabled) })),
		conversations,
		selected: selected ? { ...selected, messages: sim.messages(accountId, selected.id).map(messageView) } : null,
	};
}

/** `[{file_name, content_type, data_base64}]` from the page's file picker, for customerMessage. */
function decodeAttachments(list) {
	if (!Array.isArray(list)) return [];
	return list
		.filter((a) => a && typeof a.data_base64 === 'string')
		.map((a) => ({
			file_name: String(a.file_name || 'file'),
			content_type: String(a.content_type || 'application/octet-stream'),
			data: Buffer.from(a.data_base64, 'base64'),
		}));
}

module.exports = { handlePage, inboxView, decodeAttachments, PAGE_DIR };
