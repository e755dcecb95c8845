'use strict';

/** Who may see what (reference "Administrator vs agent"): refusals are 401, never 403. */

const { ERRORS, fail } = require('./http');

const isAdmin = (viewer) => viewer.kind === 'user' && viewer.record.role === 'administrator';
// Bots act for the whole account on the few endpoints they may call.
const seesEverything = (viewer) => viewer.kind === 'bot' || isAdmin(viewer);

function requireAdmin(ctx) {
	if (!isAdmin(ctx.viewer)) fail(ERRORS.notAdmin);
}

function canSeeInbox(ctx, inbox) {
	return seesEverything(ctx.viewer) || inbox.member_ids.includes(ctx.viewer.record.id);
}

function inboxFor(ctx, id) {
	const inbox = ctx.acct.mustFind(ctx.acct.inbox(id));
	if (!canSeeInbox(ctx, inbox)) fail(ERRORS.notAdmin);
	return inbox;
}

function canSeeConversation(ctx, conversation) {
	if (seesEverything(ctx.viewer)) return true;
	const inbox = ctx.acct.inbox(conversation.inbox_id);
	if (inbox && inbox.member_ids.includes(ctx.viewer.record.id)) return true;
	const team = conversation.team_id !== null ? ctx.acct.team(conversation.team_id) : null;
	return Boolean(team && team.member_ids.includes(ctx.viewer.record.id));
}

/** Member actions: find by display id (404), then the policy (401). */
function conversationFor(ctx, displayId) {
	const conversation = ctx.acct.mustFind(ctx.acct.conversation(displayId));
	if (!canSeeConversation(ctx, conversation)) fail(ERRORS.notAdmin);
	return conversation;
}

/** Lists show an agent only their inboxes' conversations (team access does not add any). */
function listedConversations(ctx) {
	if (seesEverything(ctx.viewer)) return ctx.acct.conversations;
	const mine = new Set(ctx.acct.inboxes.filter((i) => i.member_ids.includes(ctx.viewer.record.id)).map((i) => i.id));
	return ctx.acct.conversations.filter((c) => mine.has(c.inbox_id));
}

module.exports = { isAdmin, requireAdmin, canSeeInbox, inboxFor, canSeeConversation, conversationFor, listedConversations };
