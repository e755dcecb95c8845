'use strict';

/**
 * Chatwoot's views, key for key (reference §1): the order of keys is part of what the nodes
 * are tested against, so every object is built literally here.
 */

const { MESSAGE_TYPES } = require('./model');

const iso = (seconds) => (seconds === null || seconds === undefined ? null : new Date(seconds * 1000).toISOString());

function inboxSlim(inbox) {
	return {
		id: inbox.id,
		avatar_url: '',
		channel_id: inbox.channel_id,
		name: inbox.name,
		channel_type: inbox.channel_type,
		provider: inbox.provider,
	};
}

function contactInboxes(acct, contact) {
	return contact.contact_inboxes
		.map((ci) => ({ ci, inbox: acct.inbox(ci.inbox_id) }))
		.filter(({ inbox }) => inbox)
		.map(({ ci, inbox }) => ({ source_id: ci.source_id, inbox: inboxSlim(inbox) }));
}

/** §1.1; `withInboxes` adds contact_inboxes as the index, show, update and create views do. */
function contact(acct, c, withInboxes = false) {
	const out = {
		additional_attributes: structuredClone(c.additional_attributes),
		availability_status: 'offline',
		email: c.email,
		id: c.id,
		name: c.name,
		phone_number: c.phone_number,
		blocked: c.blocked,
		identifier: c.identifier,
		thumbnail: '',
		custom_attributes: structuredClone(c.custom_attributes),
	};
	if (c.last_activity_at !== null && c.last_activity_at !== undefined) out.last_activity_at = c.last_activity_at;
	out.created_at = c.created_at;
	if (withInboxes) out.contact_inboxes = contactInboxes(acct, c);
	return out;
}

/** §1.2 */
function contactPush(c) {
	return {
		additional_attributes: structuredClone(c.additional_attributes),
		custom_attributes: structuredClone(c.custom_attributes),
		email: c.email,
		id: c.id,
		identifier: c.identifier,
		name: c.name,
		phone_number: c.phone_number,
		thumbnail: '',
		blocked: c.blocked,
		type: 'contact',
	};
}

/** §1.3 */
function userPush(u) {
	return {
		id: u.id,
		name: u.name,
		available_name: u.name,
		avatar_url: '',
		type: 'user',
		availability_status: u.availability_status,
		thumbnail: '',
	};
}

function botPush(b) {
	return { id: b.id, name: b.name, avatar_url: '', type: 'agent_bot' };
}

/** §1.4 */
function agent(u) {
	return {
		id: u.id,
		account_id: u.account_id,
		availability_status: u.availability_status,
		auto_offline: true,
		confirmed: true,
		email: u.email,
		provider: 'email',
		available_name: u.name,
		name: u.name,
		role: u.role,
		thumbnail: '',
		custom_role_id: null,
	};
}

/** §1.5 */
function botSlim(b) {
	const out = { id: b.id, name: b.name, description: b.description, thumbnail: '' };
	if (b.outgoing_url) out.outgoing_url = b.outgoing_url;
	out.bot_type = 'webhook';
	return out;
}

/** §1.6 */
function team(t, viewer) {
	return {
		id: t.id,
		name: t.name,
		description: t.description,
		allow_auto_assign: t.allow_auto_assign,
		account_id: t.account_id,
		is_member: Boolean(viewer && viewer.kind === 'user' && t.member_ids.includes(viewer.record.id)),
	};
}

function teamRaw(t) {
	return {
		id: t.id,
		name: t.name,
		description: t.description,
		allow_auto_assign: t.allow_auto_assign,
		account_id: t.account_id,
		created_at: t.created_at,
		updated_at: t.created_at,
	};
}

function senderOf(acct, m) {
	if (m.sender_type === 'Contact') {
		const c = acct.contact(m.sender_id);
		return c ? contactPush(c) : null;
	}
	if (m.sender_type === 'User') {
		const u = acct.user(m.sender_id);
		return u ? userPush(u) : null;
	}
	if (m.sender_type === 'AgentBot') {
		const b = acct.bot(m.sender_id);
		return b ? botPush(b) : null;
	}
	return null;
}

/** §1.9 */
function attachment(baseUrl, a) {
	const dataUrl = `${baseUrl}/rails/active_storage/blobs/${a.id}/${encodeURIComponent(a.file_name)}`;
	const out = {
		id: a.id,
		message_id: a.message_id,
		file_type: a.file_type,
		account_id: a.account_id,
		extension: a.extension,
		content_type: a.content_type,
		data_url: dataUrl,
		thumb_url: a.file_type === 'image' ? dataUrl : '',
		file_size: a.file_size,
		width: null,
		height: null,
	};
	if (a.file_type === 'audio') out.transcribed_text = '';
	return out;
}

/** §1.8: what GET/POST/DELETE messages answer. */
function messagePartial(acct, baseUrl, m) {
	const out = { id: m.id, content: m.content, inbox_id: m.inbox_id };
	if (m.echo_id !== null) out.echo_id = m.echo_id;
	Object.assign(out, {
		conversation_id: m.conversation_id,
		message_type: MESSAGE_TYPES.indexOf(m.message_type),
		content_type: m.content_type,
		status: m.status,
		content_attributes: structuredClone(m.content_attributes),
		created_at: m.created_at,
		private: m.private,
		source_id: m.source_id,
	});
	const sender = senderOf(acct, m);
	if (sender) out.sender = sender;
	if (m.attachments.length) out.attachments = m.attachments.map((a) => attachment(baseUrl, a));
	return out;
}

/** §1.7: messages inside conversation objects. */
function messagePush(acct, baseUrl, m) {
	const conversation = acct.conversation(m.conversation_id);
	const out = {
		id: m.id,
		content: m.content,
		account_id: m.account_id,
		inbox_id: m.inbox_id,
		conversation_id: m.conversation_id,
		message_type: MESSAGE_TYPES.indexOf(m.message_type),
		created_at: m.created_at,
		updated_at: m.updated_at,
		private: m.private,
		status: m.status,
		source_id: m.source_id,
		content_type: m.content_type,
		content_attributes: structuredClone(m.content_attributes),
		sender_type: m.sender_type,
		sender_id: m.sender_id,
		external_source_ids: {},
		additional_attributes: structuredClone(m.additional_attributes),
		processed_message_content: m.content,
		sentiment: {},
		conversation: conversation
			? {
					assignee_id: conversation.assignee_type === 'User' ? conversation.assignee_id : null,
					unread_count: unreadCount(conversation),
					last_activity_at: conversation.last_activity_at,
					contact_inbox: { source_id: conversation.source_id },
				}
			: null,
	};
	if (m.echo_id !== null) out.echo_id = m.echo_id;
	if (m.attachments.length) out.attachments = m.attachments.map((a) => attachment(baseUrl, a));
	const sender = senderOf(acct, m);
	if (sender) out.sender = sender;
	return out;
}

function unreadCount(conversation) {
	const lastSeen = conversation.agent_last_seen_at || 0;
	const unread = conversation.messages.filter((m) => m.message_type === 'incoming' && m.created_at > lastSeen).length;
	return Math.min(unread, 10);
}

/** §1.10 */
function conversation(acct, baseUrl, c, viewer) {
	const inbox = acct.inbox(c.inbox_id);
	const person = acct.contact(c.contact_id);
	const meta = { sender: person ? contact(acct, person) : null, channel: inbox ? inbox.channel_type : null };
	if (c.assignee_type === 'User' && acct.user(c.assignee_id)) {
		meta.assignee = agent(acct.user(c.assignee_id));
		meta.assignee_type = 'User';
	} else if (c.assignee_type === 'AgentBot' && acct.bot(c.assignee_id)) {
		meta.assignee = botSlim(acct.bot(c.assignee_id));
		meta.assignee_type = 'AgentBot';
	}
	if (c.team_id !== null && acct.team(c.team_id)) meta.team = team(acct.team(c.team_id), viewer);
	meta.hmac_verified = false;
	const last = c.messages[c.messages.length - 1];
	const lastReal = [...c.messages].reverse().find((m) => m.message_type !== 'activity');
	return {
		meta,
		id: c.id,
		messages: last ? [messagePush(acct, baseUrl, last)] : [],
		account_id: c.account_id,
		uuid: c.uuid,
		additional_attributes: structuredClone(c.additional_attributes),
		agent_last_seen_at: c.agent_last_seen_at,
		assignee_last_seen_at: c.assignee_last_seen_at,
		can_reply: true,
		contact_last_seen_at: c.contact_last_seen_at,
		custom_attributes: structuredClone(c.custom_attributes),
		inbox_id: c.inbox_id,
		labels: [...c.labels],
		muted: c.muted,
		snoozed_until: iso(c.snoozed_until),
		status: c.status,
		created_at: c.created_at,
		updated_at: c.updated_at,
		timestamp: c.last_activity_at,
		first_reply_created_at: c.first_reply_created_at,
		unread_count: unreadCount(c),
		last_non_activity_message: lastReal ? messagePush(acct, baseUrl, lastReal) : null,
		last_activity_at: c.last_activity_at,
		priority: c.priority,
		waiting_since: c.waiting_since,
		sla_policy_id: null,
	};
}

/** §1.11; administrators also see the inbox's secrets. */
function inbox(i, admin) {
	const out = {
		id: i.id,
		avatar_url: '',
		channel_id: i.channel_id,
		name: i.name,
		channel_type: i.channel_type,
		greeting_enabled: false,
		greeting_message: null,
		working_hours_enabled: false,
		enable_email_collect: true,
		csat_survey_enabled: false,
		csat_config: {},
		enable_auto_assignment: true,
		auto_assignment_config: {},
		out_of_office_message: null,
		working_hours: [0, 1, 2, 3, 4, 5, 6].map((day) => ({
			day_of_week: day,
			closed_all_day: day === 0,
			open_hour: day === 0 ? null : 9,
			open_minutes: day === 0 ? null : 0,
			close_hour: day === 0 ? null : 18,
			close_minutes: day === 0 ? null : 0,
			open_all_day: false,
		})),
		timezone: i.timezone,
		callback_webhook_url:
			i.channel_type === 'Channel::Whatsapp' ? `https://chat.klivo.marketing/webhooks/whatsapp/${i.phone_number}` : null,
		allow_messages_after_resolved: true,
		lock_to_single_conversation: i.lock_to_single_conversation,
		sender_name_type: 'friendly',
		business_name: null,
		allowed_domains: null,
		widget_color: i.channel_type === 'Channel::WebWidget' ? '#1f93ff' : null,
		website_url: i.channel_type === 'Channel::WebWidget' ? 'https://klivo.marketing' : null,
		hmac_mandatory: i.channel_type === 'Channel::Whatsapp' ? null : false,
		welcome_title: null,
		welcome_tagline: null,
		web_widget_script: null,
		website_token: i.website_token,
		selected_feature_flags: null,
		reply_time: null,
		messaging_service_sid: null,
		phone_number: i.phone_number,
	};
	if (admin && (i.channel_type === 'Channel::Api' || i.channel_type === 'Channel::WebWidget')) out.hmac_token = i.hmac_token;
	if (i.channel_type === 'Channel::Api') {
		if (admin) out.secret = i.secret;
		out.webhook_url = null;
		out.inbox_identifier = i.inbox_identifier;
		out.additional_attributes = {};
	}
	out.provider = i.provider;
	if (i.channel_type === 'Channel::Whatsapp') {
		out.message_templates = structuredClone(i.message_templates);
		if (admin) out.provider_config = { api_key: 'sim-whatsapp-key', phone_number_id: '100200300', business_account_id: '400500600' };
		out.reauthorization_required = false;
	}
	return out;
}

/** The raw Inbox record of POST /contacts' contact_inbox. */
function inboxRaw(i) {
	return {
		id: i.id,
		channel_id: i.channel_id,
		account_id: i.account_id,
		name: i.name,
		created_at: i.created_at,
		updated_at: i.created_at,
		channel_type: i.channel_type,
		enable_auto_assignment: true,
		greeting_enabled: false,
		greeting_message: null,
		email_address: i.email,
		working_hours_enabled: false,
		out_of_office_message: null,
		timezone: i.timezone,
		enable_email_collect: true,
		csat_survey_enabled: false,
		allow_messages_after_resolved: true,
		auto_assignment_config: {},
		lock_to_single_conversation: i.lock_to_single_conversation,
		portal_id: null,
		sender_name_type: 'friendly',
		business_name: null,
		csat_config: {},
	};
}

function label(l) {
	return { id: l.id, title: l.title, description: l.description, color: l.color, show_on_sidebar: l.show_on_sidebar };
}

// ---- webhook payloads (Chatwoot's webhook_data serializers) ------------------------------------

function accountData(acct) {
	return { id: acct.id, name: acct.name };
}

function contactWebhook(acct, c) {
	return {
		account: accountData(acct),
		additional_attributes: structuredClone(c.additional_attributes),
		avatar: '',
		custom_attributes: structuredClone(c.custom_attributes),
		email: c.email,
		id: c.id,
		identifier: c.identifier,
		name: c.name,
		phone_number: c.phone_number,
		thumbnail: '',
		blocked: c.blocked,
	};
}

function userWebhook(u) {
	return { id: u.id, name: u.name, email: u.email, type: 'user' };
}

function conversationWebhook(acct, baseUrl, c) {
	const inbox = acct.inbox(c.inbox_id);
	const person = acct.contact(c.contact_id);
	const link = person && person.contact_inboxes.find((ci) => ci.id === c.contact_inbox_id);
	const assignee = c.assignee_type === 'User' ? acct.user(c.assignee_id) : null;
	const teamRecord = c.team_id !== null ? acct.team(c.team_id) : null;
	const last = c.messages[c.messages.length - 1];
	return {
		additional_attributes: structuredClone(c.additional_attributes),
		can_reply: true,
		channel: inbox ? inbox.channel_type : null,
		contact_inbox: {
			id: link ? link.id : null,
			contact_id: c.contact_id,
			inbox_id: c.inbox_id,
			source_id: c.source_id,
			created_at: link ? link.created_at : null,
			updated_at: link ? link.created_at : null,
			hmac_verified: false,
			pubsub_token: `pubsub-${c.uuid.slice(0, 8)}`,
		},
		id: c.id,
		inbox_id: c.inbox_id,
		messages: last ? [messagePush(acct, baseUrl, last)] : [],
		labels: [...c.labels],
		meta: {
			sender: person ? contactPush(person) : null,
			assignee: assignee ? userPush(assignee) : null,
			assignee_type: c.assignee_type,
			team: teamRecord ? { id: teamRecord.id, name: teamRecord.name } : null,
			hmac_verified: false,
		},
		status: c.status,
		custom_attributes: structuredClone(c.custom_attributes),
		snoozed_until: iso(c.snoozed_until),
		unread_count: unreadCount(c),
		first_reply_created_at: c.first_reply_created_at ? iso(c.first_reply_created_at) : null,
		priority: c.priority,
		waiting_since: c.waiting_since || null,
		agent_last_seen_at: c.agent_last_seen_at,
		contact_last_seen_at: c.contact_last_seen_at,
		last_activity_at: c.last_activity_at,
		timestamp: c.last_activity_at,
		created_at: c.created_at,
		updated_at: c.updated_at,
	};
}

function messageWebhook(acct, baseUrl, m, event) {
	const conversationRecord = acct.conversation(m.conversation_id);
	const inboxRecord = acct.inbox(m.inbox_id);
	let sender = null;
	if (m.sender_type === 'Contact' && acct.contact(m.sender_id)) sender = contactWebhook(acct, acct.contact(m.sender_id));
	else if (m.sender_type === 'User' && acct.user(m.sender_id)) sender = userWebhook(acct.user(m.sender_id));
	else if (m.sender_type === 'AgentBot' && acct.bot(m.sender_id)) sender = botPush(acct.bot(m.sender_id));
	const out = {
		account: accountData(acct),
		additional_attributes: structuredClone(m.additional_attributes),
		content_attributes: structuredClone(m.content_attributes),
		content_type: m.content_type,
		content: m.content,
		conversation: conversationRecord ? conversationWebhook(acct, baseUrl, conversationRecord) : null,
		created_at: new Date(m.created_at * 1000).toISOString(),
		id: m.id,
		inbox: inboxRecord ? { id: inboxRecord.id, name: inboxRecord.name } : null,
		message_type: m.message_type,
		private: m.private,
		sender,
		source_id: m.source_id,
	};
	if (m.attachments.length) out.attachments = m.attachments.map((a) => attachment(baseUrl, a));
	out.event = event;
	return out;
}

module.exports = {
	iso,
	inboxSlim,
	contact,
	contactPush,
	userPush,
	botPush,
	agent,
	botSlim,
	team,
	teamRaw,
	attachment,
	messagePartial,
	messagePush,
	conversation,
	inbox,
	inboxRaw,
	label,
	contactWebhook,
	userWebhook,
	conversationWebhook,
	messageWebhook,
};
