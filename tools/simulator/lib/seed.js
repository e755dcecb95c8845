'use strict';

/** The demo inbox `npm start` shows and tests rely on: fixed ids, documented in the README. */

const { Account, nowSeconds } = require('./model');

const TEMPLATES = [
	{
		name: 'order_confirmation',
		language: 'pt_BR',
		status: 'APPROVED',
		category: 'UTILITY',
		id: '1001',
		components: [
			{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi confirmado!', example: { body_text: [['Maria', 'A-1029']] } },
		],
	},
	{
		name: 'appointment_reminder',
		language: 'pt_BR',
		status: 'APPROVED',
		category: 'UTILITY',
		id: '1002',
		parameter_format: 'NAMED',
		components: [
			{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://klivo.marketing/agenda.png'] } },
			{
				type: 'BODY',
				text: 'Olá {{customer_name}}, lembrete da sua consulta em {{date}}.',
				example: { body_text_named_params: [{ param_name: 'customer_name', example: 'Maria' }, { param_name: 'date', example: '30/05' }] },
			},
			{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Ver agenda', url: 'https://klivo.marketing/agenda/{{1}}' }] },
		],
	},
	{
		name: 'welcome_offer',
		language: 'en_US',
		status: 'APPROVED',
		category: 'MARKETING',
		id: '1003',
		components: [{ type: 'BODY', text: 'Welcome {{1}}! Here is 10% off your first order.' }],
	},
	{
		name: 'black_friday',
		language: 'pt_BR',
		status: 'REJECTED',
		category: 'MARKETING',
		id: '1004',
		components: [{ type: 'BODY', text: 'Black Friday: 50% em tudo, {{1}}!' }],
	},
];

const SEED = Object.freeze({
	accounts: {
		1: {
			tokens: { admin: 'admin-token-1', agent: 'agent-token-1', bot: 'bot-token-1' },
			users: { admin: 1, agent: 2, agentWithoutToken: 3 },
			agentBot: 1,
			inboxes: { webChat: 1, whatsapp: 2, api: 3 },
			teams: { vendas: 1, suporte: 2 },
			labels: { lead: 1, vip: 2, suporte: 3, pagamento: 4 },
			contacts: { maria: 1, joao: 2, fernanda: 3, visitor: 4 },
			conversations: { maria: 1, joao: 2, fernanda: 3, visitor: 4 },
			templates: { approved: ['order_confirmation', 'appointment_reminder', 'welcome_offer'], notApproved: ['black_friday'] },
		},
		2: {
			tokens: { admin: 'admin-token-2', bot: 'bot-token-2' },
			users: { admin: 4 },
			agentBot: 2,
			inboxes: { webChat: 4 },
			labels: { cliente: 5 },
			contacts: { cliente: 5 },
			conversations: { cliente: 1 },
		},
	},
});

const ACCOUNT_NAMES = { 1: 'Klivo Marketing', 2: 'Conta Dois' };

/** Account 1 and 2 of the default seed, with (demoData) or without contacts and conversations. */
function seedDemoAccount(acct, demoData) {
	const t = nowSeconds();
	if (acct.key === '1') {
		acct.addInbox({ id: 1, name: 'Site Klivo', channel_type: 'web' });
		acct.addInbox({ id: 2, name: 'WhatsApp Vendas', channel_type: 'whatsapp', phone_number: '+551130000000', message_templates: TEMPLATES, timezone: 'America/Sao_Paulo' });
		acct.addInbox({ id: 3, name: 'Klivo API', channel_type: 'api' });
		acct.addTeam({ id: 1, name: 'vendas', description: 'Equipe de vendas' });
		acct.addTeam({ id: 2, name: 'suporte', description: null, allow_auto_assign: false });
		acct.addUser({ id: 1, name: 'Bruno Admin', email: 'admin@klivo.example', role: 'administrator', token: 'admin-token-1', availability_status: 'offline' });
		acct.addUser({ id: 2, name: 'Ana Lima', email: 'ana.lima@klivo.example', token: 'agent-token-1', inbox_ids: [1, 2], team_ids: [1] });
		acct.addUser({ id: 3, name: 'Carlos Souza', email: 'carlos.souza@klivo.example', inbox_ids: [1, 3], team_ids: [2], availability_status: 'busy' });
		acct.addBot({ id: 1, name: 'Klivo Bot', token: 'bot-token-1', outgoing_url: 'https://n8n.example.com/webhook/bot' });
		acct.addLabel({ id: 1, title: 'lead', description: 'Lead com alta intenção', color: '#1f93ff', show_on_sidebar: true });
		acct.addLabel({ id: 2, title: 'vip', description: null, color: '#f5a623', show_on_sidebar: null });
		acct.addLabel({ id: 3, title: 'suporte', description: 'Pedidos de ajuda', color: '#7ed321', show_on_sidebar: true });
		acct.addLabel({ id: 4, title: 'pagamento', description: 'Cobrança e pagamentos', color: '#d0021b', show_on_sidebar: true });
		if (!demoData) return;
		acct.addContact({ id: 1, name: 'Maria Souza', email: 'maria.souza@example.com', phone_number: '+5511987654321', custom_attributes: { plano: 'pro' }, additional_attributes: { city: 'São Paulo', country: 'Brazil', company_name: 'Acme Ltda' }, created_at: t - 86400 * 3 });
		acct.addContact({ id: 2, name: 'João Pereira', phone_number: '+5521998765432', created_at: t - 86400 * 2 });
		acct.addContact({ id: 3, name: 'Fernanda Costa', email: 'fernanda@example.com', identifier: 'crm-1003', created_at: t - 86400 });
		acct.addContact({ id: 4, name: 'misty-forest-208', created_at: t - 3600 });
		acct.addConversation({
			id: 1, inbox_id: 2, contact_id: 1, status: 'open', assignee_id: 2, team_id: 1, labels: ['lead', 'vip'],
			custom_attributes: { order_id: 'A-1029' }, created_at: t - 7200,
			messages: [
				{ id: 1, message_type: 'incoming', content: 'Oi, quanto custa o plano Pro?', created_at: t - 7200 },
				{ id: 2, message_type: 'outgoing', content: 'Olá Maria! O plano Pro custa R$ 99/mês.', sender_id: 2, created_at: t - 7100 },
				{ id: 3, message_type: 'incoming', content: 'Pode me mandar o link de pagamento?', created_at: t - 600 },
			],
		});
		acct.addConversation({
			id: 2, inbox_id: 1, contact_id: 2, status: 'open', created_at: t - 1800,
			messages: [{ id: 4, message_type: 'incoming', content: 'Olá, preciso de ajuda com meu pedido', created_at: t - 1800 }],
		});
		acct.addConversation({
			id: 3, inbox_id: 1, contact_id: 3, status: 'resolved', assignee_id: 3, labels: ['suporte'], created_at: t - 86400,
			messages: [
				{ id: 5, message_type: 'incoming', content: 'Não consigo acessar minha conta', created_at: t - 86400 },
				{ id: 6, message_type: 'outgoing', content: 'Enviei um link para redefinir a senha.', sender_id: 3, created_at: t - 86000 },
				{ id: 7, message_type: 'activity', content: 'Conversation was marked resolved by Carlos Souza', created_at: t - 85000 },
			],
		});
		acct.addConversation({
			id: 4, inbox_id: 3, contact_id: 4, status: 'pending', created_at: t - 3600,
			messages: [
				{ id: 8, message_type: 'incoming', content: 'Vocês entregam no sábado?', created_at: t - 3600 },
				{ id: 9, message_type: 'outgoing', private: true, content: 'Verificar com a logística', sender_id: 1, created_at: t - 3500 },
			],
		});
	} else if (acct.key === '2') {
		acct.addInbox({ id: 4, name: 'Site Conta 2', channel_type: 'web' });
		acct.addUser({ id: 4, name: 'Admin Conta Dois', email: 'admin@conta2.example', role: 'administrator', token: 'admin-token-2' });
		acct.addBot({ id: 2, name: 'Bot Conta Dois', token: 'bot-token-2' });
		acct.addLabel({ id: 5, title: 'cliente', description: null, color: '#1f93ff', show_on_sidebar: true });
		if (!demoData) return;
		acct.addContact({ id: 5, name: 'Cliente Dois', email: 'cliente2@example.com', created_at: t - 86400 });
		acct.addConversation({
			id: 1, inbox_id: 4, contact_id: 5, status: 'open', created_at: t - 900,
			messages: [{ id: 10, message_type: 'incoming', content: 'Bom dia!', created_at: t - 900 }],
		});
	}
}

/** An account given by the `accounts` option: its tokens become users and bots, nothing else. */
function seedCustomAccount(acct, { admins = [], agents = [], bots = [] }) {
	admins.forEach((token, i) => acct.addUser({ name: `Administrator ${i + 1}`, role: 'administrator', token }));
	agents.forEach((token, i) => acct.addUser({ name: `Agent ${i + 1}`, token }));
	bots.forEach((token, i) => acct.addBot({ name: `Bot ${i + 1}`, token }));
}

function buildAccount(key, tokens, { ids, displayIds, demo, demoData }) {
	const acct = new Account(key, ACCOUNT_NAMES[key] && demo ? ACCOUNT_NAMES[key] : `Account ${key}`, ids, displayIds);
	if (demo && (key === '1' || key === '2')) seedDemoAccount(acct, demoData);
	else seedCustomAccount(acct, tokens);
	return acct;
}

module.exports = { SEED, TEMPLATES, buildAccount };
