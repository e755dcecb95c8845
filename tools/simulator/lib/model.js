'use strict';

/**
 * Records of one account (users, bots, inboxes, teams, labels, contacts, conversations, messages,
 * attachments) and the rules the server applies when they change. The HTTP resources and the test
 * methods both go through here, so a seeded record obeys the same rules as an API-created one.
 */

const crypto = require('node:crypto');
const { ERRORS, fail, invalid, unprocessable, isPlainObject, publicId } = require('./http');

const STATUSES = ['open', 'resolved', 'pending', 'snoozed'];
const PRIORITIES = ['low', 'medium', 'high', 'urgent'];
const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity', 'template'];
const CONTENT_TYPES = [
	'text',
	'input_text',
	'input_textarea',
	'input_email',
	'input_select',
	'cards',
	'form',
	'article',
	'incoming_email',
	'input_csat',
	'integrations',
	'sticker',
	'voice_call',
];
const CHANNELS = {
	web: 'Channel::WebWidget',
	whatsapp: 'Channel::Whatsapp',
	api: 'Channel::Api',
	email: 'Channel::Email',
	sms: 'Channel::Sms',
};
const LABEL_TITLE = /^[\p{L}\p{N}]+[\p{L}\p{N}_-]+$/u;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
// Chatwoot's regex has no \A anchor: only the end of the number is checked.
const PHONE = /\+[1-9]\d{1,14}$/;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const clone = (value) => structuredClone(value);

function integer(value) {
	if (typeof value === 'number' && Number.isInteger(value)) return value;
	if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
	return null;
}

function fileTypeOf(contentType) {
	const type = String(contentType || '').toLowerCase();
	if (/^image\/(jpeg|jpg|png|gif|bmp|webp)$/.test(type)) return 'image';
	if (/^video\/(ogg|mp4|webm|quicktime)$/.test(type)) return 'video';
	if (type.startsWith('audio/')) return 'audio';
	return 'file';
}

/** Global id counters: they never go back, not even on reset, so stale ids stay unknown. */
class Ids {
	constructor() {
		this.next = {};
	}
	take(kind, wanted) {
		if (wanted !== undefined && wanted !== null) {
			this.next[kind] = Math.max(this.next[kind] || 1, wanted + 1);
			return wanted;
		}
		const id = this.next[kind] || 1;
		this.next[kind] = id + 1;
		return id;
	}
}

class Account {
	constructor(key, name, ids, displayIds) {
		this.key = key;
		this.id = publicId(key);
		this.name = name;
		this.ids = ids;
		this.displayIds = displayIds;
		this.users = [];
		this.bots = [];
		this.inboxes = [];
		this.teams = [];
		this.labels = [];
		this.contacts = [];
		this.contactsById = new Map();
		this.conversations = [];
		this.conversationsById = new Map();
		this.messagesById = new Map();
		this.attachments = [];
	}

	// ---- lookups -------------------------------------------------------------------------------

	user(id) {
		return this.users.find((u) => u.id === integer(id)) || null;
	}
	bot(id) {
		return this.bots.find((b) => b.id === integer(id)) || null;
	}
	inbox(id) {
		return this.inboxes.find((i) => i.id === integer(id)) || null;
	}
	team(id) {
		return this.teams.find((t) => t.id === integer(id)) || null;
	}
	label(id) {
		return this.labels.find((l) => l.id === integer(id)) || null;
	}
	contact(id) {
		return this.contactsById.get(integer(id)) || null;
	}
	conversation(displayId) {
		return this.conversationsById.get(integer(displayId)) || null;
	}
	mustFind(record) {
		return record || fail(ERRORS.notFound);
	}

	// ---- people ----------------------------------------------------------------------------------

	addUser({ id, name, email, role = 'agent', token = null, inbox_ids = [], team_ids = [], availability_status = 'online' } = {}) {
		const user = {
			id: this.ids.take('user', id),
			account_id: this.id,
			name: name || `User ${this.users.length + 1}`,
			email: email || `user${this.users.length + 1}@account${this.key}.klivo.example`,
			role: role === 'administrator' ? 'administrator' : 'agent',
			token,
			availability_status,
		};
		this.users.push(user);
		for (const inboxId of inbox_ids) this.mustFind(this.inbox(inboxId)).member_ids.push(user.id);
		for (const teamId of team_ids) this.mustFind(this.team(teamId)).member_ids.push(user.id);
		return user;
	}

	addBot({ id, name = 'Klivo Bot', token = null, description = 'n8n bot', outgoing_url = null } = {}) {
		const bot = { id: this.ids.take('bot', id), account_id: this.id, name, token, description, outgoing_url };
		this.bots.push(bot);
		return bot;
	}

	userInboxIds(user) {
		return this.inboxes.filter((i) => i.member_ids.includes(user.id)).map((i) => i.id);
	}
	userTeamIds(user) {
		return this.teams.filter((t) => t.member_ids.includes(user.id)).map((t) => t.id);
	}

	// ---- inboxes, teams, labels --------------------------------------------------------------------

	addInbox({
		id,
		name,
		channel_type = CHANNELS.web,
		phone_number = null,
		provider,
		message_templates,
		member_ids = [],
		lock_to_single_conversation = false,
		timezone = 'UTC',
		email = null,
	} = {}) {
		const type = CHANNELS[channel_type] || channel_type;
		const inbox = {
			id: this.ids.take('inbox', id),
			account_id: this.id,
			channel_id: this.ids.take('channel'),
			name: name || `Inbox ${this.inboxes.length + 1}`,
			channel_type: type,
			phone_number: phone_number,
			email,
			provider: provider !== undefined ? provider : type === CHANNELS.whatsapp ? 'whatsapp_cloud' : null,
			message_templates: type === CHANNELS.whatsapp ? clone(message_templates || []) : undefined,
			member_ids: [...member_ids],
			lock_to_single_conversation,
			timezone,
			secret: crypto.randomBytes(12).toString('hex'),
			hmac_token: crypto.randomBytes(12).toString('hex'),
			inbox_identifier: crypto.randomBytes(8).toString('hex'),
			website_token: type === CHANNELS.web ? crypto.randomBytes(12).toString('hex') : null,
			created_at: new Date().toISOString(),
		};
		this.inboxes.push(inbox);
		return inbox;
	}

	addTeam({ id, name, description = null, allow_auto_assign = true, member_ids = [] } = {}) {
		const team = {
			id: this.ids.take('team', id),
			account_id: this.id,
			name: String(name || `team-${this.teams.length + 1}`).toLowerCase(),
			description,
			allow_auto_assign,
			member_ids: [...member_ids],
			created_at: new Date().toISOString(),
		};
		this.teams.push(team);
		return team;
	}

	labelProblems(fields, self) {
		const problems = [];
		const title = typeof fields.title === 'string' ? fields.title.toLowerCase() : fields.title;
		if (title === undefined || title === null || title === '') {
			problems.push({ attribute: 'title', message: 'Title must not be blank' });
			problems.push({ attribute: 'title', message: 'Title is invalid' });
		} else if (typeof title !== 'string' || !LABEL_TITLE.test(title)) {
			problems.push({ attribute: 'title', message: 'Title is invalid' });
		} else if (this.labels.some((l) => l !== self && l.title === title)) {
			problems.push({ attribute: 'title', message: 'Title has already been taken' });
		}
		return problems;
	}

	addLabel({ id, title, description = null, color = '#1f93ff', show_on_sidebar = null } = {}) {
		const problems = this.labelProblems({ title });
		if (problems.length) invalid(problems);
		const label = {
			id: this.ids.take('label', id),
			account_id: this.id,
			title: title.toLowerCase(),
			description,
			color,
			show_on_sidebar,
		};
		this.labels.push(label);
		this.labels.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
		return label;
	}

	updateLabel(label, fields) {
		if ('title' in fields) {
			const problems = this.labelProblems(fields, label);
			if (problems.length) invalid(problems);
			label.title = fields.title.toLowerCase();
		}
		for (const key of ['description', 'color', 'show_on_sidebar']) if (key in fields) label[key] = fields[key];
		this.labels.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
		return label;
	}

	removeLabel(label) {
		this.labels.splice(this.labels.indexOf(label), 1);
	}

	// ---- contacts --------------------------------------------------------------------------------

	contactProblems(fields, self) {
		const problems = [];
		if (typeof fields.name === 'string' && fields.name.length > 255) {
			problems.push({ attribute: 'name', message: 'Name is too long (maximum is 255 characters)' });
		}
		const others = this.contacts.filter((c) => c !== self);
		if (fields.email) {
			const email = String(fields.email).toLowerCase();
			if (!EMAIL.test(email)) problems.push({ attribute: 'email', message: 'Email Invalid email' });
			else if (others.some((c) => c.email === email)) {
				problems.push({ attribute: 'email', message: 'Email has already been taken' });
			}
		}
		if (fields.phone_number) {
			if (!PHONE.test(String(fields.phone_number))) {
				problems.push({ attribute: 'phone_number', message: 'Phone number should be in e164 format' });
			} else if (others.some((c) => c.phone_number === fields.phone_number)) {
				problems.push({ attribute: 'phone_number', message: 'Phone number has already been taken' });
			}
		}
		if (fields.identifier && others.some((c) => c.identifier === String(fields.identifier))) {
			problems.push({ attribute: 'identifier', message: 'Identifier has already been taken' });
		}
		return problems;
	}

	addContact(fields = {}) {
		const problems = this.contactProblems(fields);
		if (problems.length) invalid(problems);
		const created = fields.created_at ?? nowSeconds();
		const contact = {
			id: this.ids.take('contact', fields.id),
			account_id: this.id,
			name: fields.name === undefined || fields.name === null ? '' : String(fields.name),
			email: fields.email ? String(fields.email).toLowerCase() : null,
			phone_number: fields.phone_number || null,
			identifier: fields.identifier ? String(fields.identifier) : null,
			blocked: fields.blocked === true || fields.blocked === 'true',
			custom_attributes: isPlainObject(fields.custom_attributes) ? clone(fields.custom_attributes) : {},
			additional_attributes: isPlainObject(fields.additional_attributes) ? clone(fields.additional_attributes) : {},
			labels: Array.isArray(fields.labels) ? fields.labels.map(String) : [],
			contact_inboxes: [],
			created_at: created,
			last_activity_at: fields.last_activity_at ?? null,
			updated_at: new Date().toISOString(),
		};
		this.contacts.push(contact);
		this.contactsById.set(contact.id, contact);
		for (const inboxId of fields.inbox_ids || []) this.linkContactInbox(contact, this.mustFind(this.inbox(inboxId)));
		return contact;
	}

	updateContact(contact, fields) {
		const problems = this.contactProblems(fields, contact);
		if (problems.length) invalid(problems);
		const changed = [];
		const set = (key, value) => {
			if (JSON.stringify(contact[key]) === JSON.stringify(value)) return;
			changed.push({ [key]: { previous_value: contact[key], current_value: value } });
			contact[key] = value;
		};
		if ('name' in fields) set('name', fields.name === null ? '' : String(fields.name));
		if ('email' in fields) set('email', fields.email ? String(fields.email).toLowerCase() : null);
		if ('phone_number' in fields) set('phone_number', fields.phone_number || null);
		if ('identifier' in fields) set('identifier', fields.identifier ? String(fields.identifier) : null);
		if ('blocked' in fields) set('blocked', fields.blocked === true || fields.blocked === 'true');
		// Chatwoot merges both attribute hashes on update.
		for (const key of ['custom_attributes', 'additional_attributes']) {
			if (isPlainObject(fields[key])) set(key, { ...contact[key], ...clone(fields[key]) });
		}
		const previous = contact.updated_at;
		contact.updated_at = new Date().toISOString();
		if (changed.length) changed.push({ updated_at: { previous_value: previous, current_value: contact.updated_at } });
		return changed;
	}

	removeContact(contact) {
		this.contacts.splice(this.contacts.indexOf(contact), 1);
		this.contactsById.delete(contact.id);
		for (const conversation of [...this.conversations]) {
			if (conversation.contact_id === contact.id) this.removeConversation(conversation);
		}
	}

	/** Chatwoot's per-channel source_id, or the 422 when the contact lacks the field the channel needs. */
	sourceIdFor(contact, inbox) {
		switch (inbox.channel_type) {
			case CHANNELS.whatsapp:
				if (!contact.phone_number) unprocessable('param is missing or the value is empty: contact phone number');
				return contact.phone_number.replace(/^\+/, '');
			case CHANNELS.sms:
				if (!contact.phone_number) unprocessable('param is missing or the value is empty: contact phone number');
				return contact.phone_number;
			case CHANNELS.email:
				if (!contact.email) unprocessable('param is missing or the value is empty: contact email');
				return contact.email;
			default:
				return crypto.randomUUID();
		}
	}

	linkContactInbox(contact, inbox, sourceId) {
		const existing = contact.contact_inboxes.find(
			(ci) => ci.inbox_id === inbox.id && (sourceId === undefined || sourceId === null || ci.source_id === sourceId),
		);
		if (existing) return existing;
		const source = sourceId === undefined || sourceId === null || sourceId === '' ? this.sourceIdFor(contact, inbox) : String(sourceId);
		const taken = this.contacts.some(
			(c) => c !== contact && c.contact_inboxes.some((ci) => ci.inbox_id === inbox.id && ci.source_id === source),
		);
		if (taken) unprocessable('source_id should be unique');
		const link = { id: this.ids.take('contact_inbox'), inbox_id: inbox.id, source_id: source, created_at: new Date().toISOString() };
		contact.contact_inboxes.push(link);
		return link;
	}

	// ---- conversations ---------------------------------------------------------------------------

	addConversation(fields = {}) {
		const inbox = this.mustFind(this.inbox(fields.inbox_id));
		const contact = this.mustFind(this.contact(fields.contact_id));
		const link = this.linkContactInbox(contact, inbox, fields.source_id);
		const status = fields.status ?? 'open';
		if (!STATUSES.includes(status)) fail({ status: 500, body: { status: 500, error: 'Internal Server Error' } });
		const at = fields.created_at ?? nowSeconds();
		const displayId = fields.id ?? (this.displayIds.get(this.key) || 1);
		this.displayIds.set(this.key, Math.max(this.displayIds.get(this.key) || 1, displayId + 1));
		const conversation = {
			id: displayId,
			account_id: this.id,
			uuid: crypto.randomUUID(),
			inbox_id: inbox.id,
			contact_id: contact.id,
			contact_inbox_id: link.id,
			source_id: link.source_id,
			status: contact.blocked ? 'resolved' : status,
			assignee_id: null,
			assignee_type: null,
			team_id: null,
			labels: Array.isArray(fields.labels) ? fields.labels.map(String) : [],
			priority: fields.priority ?? null,
			custom_attributes: isPlainObject(fields.custom_attributes) ? clone(fields.custom_attributes) : {},
			additional_attributes: isPlainObject(fields.additional_attributes) ? clone(fields.additional_attributes) : {},
			snoozed_until: status === 'snoozed' ? (fields.snoozed_until ?? null) : null,
			muted: false,
			agent_last_seen_at: 0,
			assignee_last_seen_at: 0,
			contact_last_seen_at: 0,
			first_reply_created_at: 0,
			waiting_since: at,
			created_at: at,
			updated_at: at,
			last_activity_at: fields.last_activity_at ?? at,
			messages: [],
		};
		if (fields.team_id !== undefined && fields.team_id !== null) conversation.team_id = this.mustFind(this.team(fields.team_id)).id;
		if (fields.assignee_id !== undefined && fields.assignee_id !== null) {
			const user = this.user(fields.assignee_id);
			if (user) {
				conversation.assignee_id = user.id;
				conversation.assignee_type = 'User';
			}
		}
		this.conversations.push(conversation);
		this.conversationsById.set(conversation.id, conversation);
		for (const message of fields.messages || []) this.addMessage(conversation, message);
		return conversation;
	}

	removeConversation(conversation) {
		this.conversations.splice(this.conversations.indexOf(conversation), 1);
		this.conversationsById.delete(conversation.id);
		for (const message of conversation.messages) this.messagesById.delete(message.id);
	}

	touch(conversation, at = nowSeconds()) {
		conversation.updated_at = Date.now() / 1000;
		conversation.last_activity_at = Math.max(conversation.last_activity_at, at);
	}

	// ---- messages --------------------------------------------------------------------------------

	addMessage(conversation, fields = {}) {
		const type = fields.message_type ?? 'incoming';
		const messageType = typeof type === 'number' ? MESSAGE_TYPES[type] : type;
		if (!MESSAGE_TYPES.includes(messageType)) unprocessable(`'${type}' is not a valid message_type`);
		const contentType = fields.content_type ?? 'text';
		if (!CONTENT_TYPES.includes(contentType)) unprocessable(`'${contentType}' is not a valid content_type`);
		const content = fields.content === undefined || fields.content === null ? null : String(fields.content);
		if (content !== null && content.length > 150000) {
			unprocessable('Validation failed: Content is too long (maximum is 150000 characters)');
		}
		let sender_type = fields.sender_type ?? null;
		let sender_id = fields.sender_id ?? null;
		if (sender_type === null && messageType === 'incoming') {
			sender_type = 'Contact';
			sender_id = conversation.contact_id;
		} else if (sender_type === null && sender_id !== null) {
			sender_type = 'User';
		}
		const at = fields.created_at ?? nowSeconds();
		const message = {
			id: this.ids.take('message', fields.id),
			account_id: this.id,
			conversation_id: conversation.id,
			inbox_id: conversation.inbox_id,
			content,
			message_type: messageType,
			content_type: contentType,
			content_attributes: isPlainObject(fields.content_attributes) ? clone(fields.content_attributes) : {},
			private: fields.private === true || fields.private === 'true',
			status: fields.status ?? 'sent',
			source_id: fields.source_id ?? null,
			echo_id: fields.echo_id ?? null,
			sender_type,
			sender_id,
			additional_attributes: isPlainObject(fields.additional_attributes) ? clone(fields.additional_attributes) : {},
			created_at: at,
			updated_at: new Date(at * 1000).toISOString(),
			attachments: [],
		};
		for (const file of fields.attachments || []) {
			const data = Buffer.isBuffer(file.data) ? Buffer.from(file.data) : Buffer.from(String(file.data ?? ''), 'utf8');
			const fileName = file.file_name || file.filename || 'file';
			const attachment = {
				id: this.ids.take('attachment'),
				message_id: message.id,
				account_id: this.id,
				file_name: fileName,
				content_type: file.content_type || 'application/octet-stream',
				file_type: fileTypeOf(file.content_type),
				extension: fileName.includes('.') ? fileName.split('.').pop() : null,
				file_size: data.length,
				data,
			};
			message.attachments.push(attachment);
			this.attachments.push(attachment);
		}
		conversation.messages.push(message);
		conversation.messages.sort((a, b) => a.id - b.id);
		this.messagesById.set(message.id, message);
		if (messageType !== 'activity') {
			this.touch(conversation, at);
			if (messageType === 'outgoing' && !message.private && !conversation.first_reply_created_at) {
				conversation.first_reply_created_at = at;
			}
			if (messageType === 'incoming') conversation.waiting_since = conversation.waiting_since || at;
			if (messageType === 'outgoing' && !message.private) conversation.waiting_since = 0;
		}
		const contact = this.contact(conversation.contact_id);
		if (contact && messageType === 'incoming') contact.last_activity_at = at;
		return message;
	}

	deleteMessage(message) {
		message.content = 'This message was deleted';
		message.content_type = 'text';
		message.content_attributes = { deleted: true };
		for (const attachment of message.attachments) this.attachments.splice(this.attachments.indexOf(attachment), 1);
		message.attachments = [];
		message.updated_at = new Date().toISOString();
		return message;
	}
}

module.exports = {
	Account,
	Ids,
	STATUSES,
	PRIORITIES,
	MESSAGE_TYPES,
	CHANNELS,
	integer,
	nowSeconds,
};
