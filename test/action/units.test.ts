/**
 * The pure functions under the action node: base URL rules, response envelopes, webhook URLs and
 * the Ensure plan.
 */
import type { IDataObject } from 'n8n-workflow';
import { planWebhook } from '../../nodes/Klivo/shared/reconcile';
import {
	checkWebhookUrl,
	deriveUrlToken,
	redactToken,
	tokenOf,
	URL_TOKEN_PARAM,
	withoutToken,
	withToken,
} from '../../nodes/Klivo/shared/webhookUrl';
import { isKlivoCloud, normalizeBaseUrl } from '../../nodes/Klivo/transport/baseUrl';
import { toWebhook, unwrapList, unwrapOne, webhookToJson } from '../../nodes/Klivo/transport/envelopes';
import { parseRetryAfter } from '../../nodes/Klivo/transport/errors';
import type { KlivoWebhook } from '../../nodes/Klivo/transport/types';

const HOOK = 'https://n8n.example.com/webhook/orders';

describe('normalizeBaseUrl', () => {
	it.each([
		['https://chat.klivo.marketing', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/', 'https://chat.klivo.marketing'],
		['  https://chat.klivo.marketing//  ', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/app/accounts/7/dashboard', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/app/accounts/7/conversations/12?status=open#m', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/api/v1/accounts/7/webhooks', 'https://chat.klivo.marketing'],
		['https://chat.klivo.marketing/APP', 'https://chat.klivo.marketing'],
		['chat.klivo.marketing', 'https://chat.klivo.marketing'],
		['chat.klivo.marketing/app/accounts/7', 'https://chat.klivo.marketing'],
		['http://localhost:3000/', 'http://localhost:3000'],
		['HTTP://10.0.0.5:3000', 'HTTP://10.0.0.5:3000'],
		// A self-hosted server behind a proxy sub-path keeps it.
		['https://example.com/klivo/app/accounts/1', 'https://example.com/klivo'],
		['https://example.com/applications', 'https://example.com/applications'],
		['', ''],
		['   ', ''],
	])('%j → %j', (input, expected) => {
		expect(normalizeBaseUrl(input)).toBe(expected);
	});
});

describe('isKlivoCloud', () => {
	it.each([
		'https://chat.klivo.marketing',
		'chat.klivo.marketing',
		'https://CHAT.KLIVO.MARKETING/app/accounts/7/dashboard',
		'https://eu.chat.klivo.marketing',
	])('recognises %s', (url) => {
		expect(isKlivoCloud(url)).toBe(true);
	});

	it.each([
		'https://chat.klivo.marketing.evil.example',
		'https://evilchat.klivo.marketing',
		'https://klivo.marketing',
		'http://127.0.0.1:3000',
		'',
		'http://',
	])('does not mistake %j for it', (url) => {
		expect(isKlivoCloud(url)).toBe(false);
	});
});

describe('response envelopes', () => {
	const raw = { id: 3, url: HOOK, subscriptions: ['message_created'] };

	describe('unwrapList', () => {
		it("reads Klivo's documented {data:[...]}", () => {
			expect(unwrapList({ data: [raw] })).toEqual({ items: [raw], dialect: 'klivo' });
		});

		it("reads Chatwoot's {payload:{webhooks:[...]}}", () => {
			expect(unwrapList({ payload: { webhooks: [raw] } })).toEqual({ items: [raw], dialect: 'chatwoot' });
		});

		it('reads close variants: a bare array, {payload:[...]}, {webhooks:[...]}', () => {
			expect(unwrapList([raw])?.items).toEqual([raw]);
			expect(unwrapList({ payload: [raw] })?.items).toEqual([raw]);
			expect(unwrapList({ webhooks: [raw] })?.items).toEqual([raw]);
		});

		it('reads empty lists in both dialects', () => {
			expect(unwrapList({ data: [] })).toEqual({ items: [], dialect: 'klivo' });
			expect(unwrapList({ payload: { webhooks: [] } })).toEqual({ items: [], dialect: 'chatwoot' });
		});

		it.each([
			['nothing', undefined],
			['null', null],
			['an HTML page', '<!doctype html><html></html>'],
			['an empty object', {}],
			['an error body', { error: 'Resource could not be found' }],
			['data that is not a list', { data: { id: 1 } }],
			['a payload without webhooks', { payload: { webhook: raw } }],
		])('refuses %s', (_label, body) => {
			expect(unwrapList(body)).toBeUndefined();
		});
	});

	describe('unwrapOne', () => {
		it.each([
			['a bare webhook (Klivo)', raw],
			['{payload:{webhook}} (Chatwoot)', { payload: { webhook: raw } }],
			['{payload:webhook}', { payload: raw }],
			['{data:webhook}', { data: raw }],
			['{webhook:webhook}', { webhook: raw }],
		])('reads %s', (_label, body) => {
			expect(unwrapOne(body)).toEqual(raw);
		});

		it.each([
			['an empty body', undefined],
			["a delete's message", { message: 'Webhook deleted' }],
			['a list', [raw]],
			['an HTML page', '<html></html>'],
			['an empty payload', { payload: {} }],
		])('refuses %s', (_label, body) => {
			expect(unwrapOne(body)).toBeUndefined();
		});
	});

	describe('toWebhook', () => {
		it('normalises a Chatwoot webhook', () => {
			const webhook = toWebhook({ id: '5', name: 'Orders', url: HOOK, account_id: 1, subscriptions: ['a', 7, 'b'], secret: 's3cr3t', inbox: null });
			expect(webhook).toMatchObject({ id: 5, name: 'Orders', url: HOOK, events: ['a', 'b'], secret: 's3cr3t', disabled: false });
		});

		it('treats empty name and secret as absent, and missing subscriptions as none', () => {
			expect(toWebhook({ id: 1, url: HOOK, name: '', secret: '' })).toMatchObject({ name: undefined, secret: undefined, events: [] });
			expect(toWebhook({ id: 1, url: HOOK, name: null, secret: null })).toMatchObject({ name: undefined, secret: undefined });
		});

		it.each([
			['no id', { url: HOOK }],
			['a non-numeric id', { id: 'abc', url: HOOK }],
			['no url', { id: 1 }],
			['a non-string url', { id: 1, url: 7 }],
			['not an object', 'webhook'],
		])('skips an entry with %s', (_label, value) => {
			expect(toWebhook(value)).toBeUndefined();
		});

		it.each([
			[{ active: false }, true],
			[{ enabled: false }, true],
			[{ disabled: true }, true],
			[{ status: 'disabled' }, true],
			[{ status: 'INACTIVE' }, true],
			[{ active: true }, false],
			[{ status: 'active' }, false],
			[{ disabled: false }, false],
			[{}, false],
		])('reads the disabled marker %j as disabled=%s', (marker, disabled) => {
			expect(toWebhook({ id: 1, url: HOOK, ...marker })?.disabled).toBe(disabled);
		});
	});

	describe('webhookToJson', () => {
		const base: KlivoWebhook = { id: 4, url: HOOK, events: ['message_created'], disabled: false, extra: {} };

		it('shows that a secret exists, never the secret', () => {
			const json = webhookToJson({ ...base, secret: 'sig-secret-123' });
			expect(json.hasSecret).toBe(true);
			expect(JSON.stringify(json)).not.toContain('sig-secret-123');
			expect(webhookToJson(base).hasSecret).toBe(false);
		});

		it('redacts the URL token', () => {
			const json = webhookToJson({ ...base, url: withToken(HOOK, 'url-token-abc') });
			expect(JSON.stringify(json)).not.toContain('url-token-abc');
			expect(tokenOf(json.url as string)).toBeDefined();
		});

		it('maps disabled to active=false and keeps the name only when known', () => {
			expect(webhookToJson({ ...base, disabled: true }).active).toBe(false);
			expect(webhookToJson(base)).not.toHaveProperty('name');
			expect(webhookToJson({ ...base, name: 'Orders' }).name).toBe('Orders');
		});

		it('keeps the same core keys in both dialects and passes other server fields through, never secret-like ones', () => {
			const chatwoot = toWebhook({ id: 4, name: 'Orders', url: HOOK, account_id: 1, subscriptions: ['message_created'], secret: 'x1', inbox: null, hmac_token: 'h1' })!;
			const klivo = toWebhook({ id: 4, name: 'Orders', url: HOOK, subscriptions: ['message_created'], active: true })!;
			const core = ({ id, url, events, name, active }: IDataObject) => ({ id, url, events, name, active });
			expect(core(webhookToJson(chatwoot))).toEqual(core(webhookToJson(klivo)));
			expect(webhookToJson(chatwoot)).toMatchObject({ account_id: 1, inbox: null, hasSecret: true });
			expect(webhookToJson(klivo)).toEqual({ id: 4, name: 'Orders', url: HOOK, events: ['message_created'], active: true, hasSecret: false });
			const text = JSON.stringify(webhookToJson(chatwoot));
			expect(text).not.toContain('h1');
			expect(text).not.toContain('x1');
		});
	});
});

describe('webhook URLs', () => {
	describe('checkWebhookUrl', () => {
		it.each([HOOK, 'http://localhost:5678/webhook/x', 'https://n8n.example.com:8443/webhook/x?a=1', '  https://n8n.example.com  '])(
			'accepts %s',
			(url) => {
				expect(checkWebhookUrl(url)).toBeUndefined();
			},
		);

		it.each([
			['', /empty/i],
			['   ', /empty/i],
			['n8n.example.com/webhook', /full URL/i],
			['/webhook/x', /full URL/i],
			['ftp://n8n.example.com/x', /https:\/\//],
			['mailto:ops@example.com', /https:\/\//],
			['javascript:alert(1)', /https:\/\//],
		])('rejects %j', (url, problem) => {
			expect(checkWebhookUrl(url)).toMatch(problem);
		});
	});

	describe('URL token helpers', () => {
		const withQuery = `${HOOK}?source=klivo`;

		it('adds the token, reads it back, and keeps other query parameters', () => {
			const url = withToken(withQuery, 'tok-1');
			expect(tokenOf(url)).toBe('tok-1');
			expect(new URL(url).searchParams.get('source')).toBe('klivo');
			expect(new URL(url).searchParams.get(URL_TOKEN_PARAM)).toBe('tok-1');
		});

		it('replaces an existing token instead of adding a second', () => {
			const url = withToken(withToken(HOOK, 'old'), 'new');
			expect(new URL(url).searchParams.getAll(URL_TOKEN_PARAM)).toEqual(['new']);
		});

		it('has no token on a URL without one, or on something that is not a URL', () => {
			expect(tokenOf(HOOK)).toBeUndefined();
			expect(tokenOf('not a url')).toBeUndefined();
		});

		it('removes only the token', () => {
			const url = withoutToken(withToken(withQuery, 'tok-1'));
			expect(tokenOf(url)).toBeUndefined();
			expect(new URL(url).searchParams.get('source')).toBe('klivo');
			expect(withoutToken(HOOK)).toBe(HOOK);
			expect(withoutToken('not a url')).toBe('not a url');
		});

		it('redacts the token but shows that there is one', () => {
			const redacted = redactToken(withToken(withQuery, 'tok-secret-1'));
			expect(redacted).not.toContain('tok-secret-1');
			expect(tokenOf(redacted)).toBeDefined();
			expect(new URL(redacted).searchParams.get('source')).toBe('klivo');
			expect(redactToken(withQuery)).toBe(withQuery);
		});
	});

	describe('deriveUrlToken', () => {
		const token = deriveUrlToken('admin-token-1', '1', HOOK);

		it('is the same every time for the same inputs', () => {
			expect(deriveUrlToken('admin-token-1', '1', HOOK)).toBe(token);
			expect(deriveUrlToken('admin-token-1', 1, HOOK)).toBe(token);
			expect(deriveUrlToken('admin-token-1', ' 1 ', HOOK)).toBe(token);
		});

		it('ignores the query string, including a token already on the URL, and a trailing slash', () => {
			expect(deriveUrlToken('admin-token-1', '1', withToken(HOOK, token))).toBe(token);
			expect(deriveUrlToken('admin-token-1', '1', `${HOOK}/`)).toBe(token);
		});

		it('differs by access token, account and URL', () => {
			const others = [
				deriveUrlToken('admin-token-2', '1', HOOK),
				deriveUrlToken('admin-token-1', '2', HOOK),
				deriveUrlToken('admin-token-1', '1', `${HOOK}-2`),
			];
			expect(new Set([token, ...others]).size).toBe(4);
		});

		it('is URL-safe, long enough to guess-proof, and does not reveal the access token', () => {
			expect(token).toMatch(/^[A-Za-z0-9_-]{24,}$/);
			expect(token).not.toContain('admin-token-1');
			expect(withToken(HOOK, token)).toContain(token);
		});
	});
});

describe('planWebhook', () => {
	let nextId = 1;
	function webhook(url: string, events: string[], fields: Partial<KlivoWebhook> = {}): KlivoWebhook {
		return { id: nextId++, url, events, disabled: false, extra: {}, ...fields };
	}

	it('creates when no webhook has the URL', () => {
		expect(planWebhook([webhook('https://other.example.com/x', ['message_created'])], { url: HOOK, events: ['message_created'] })).toEqual({
			action: 'create',
		});
		expect(planWebhook([], { url: HOOK, events: ['message_created'] }).action).toBe('create');
	});

	it('leaves alone a webhook with the same URL and events in another order', () => {
		const existing = webhook(HOOK, ['contact_created', 'message_created']);
		expect(planWebhook([existing], { url: HOOK, events: ['message_created', 'contact_created'] })).toEqual({
			action: 'unchanged',
			webhook: existing,
		});
	});

	it('treats two spellings of one URL as the same', () => {
		const existing = webhook('HTTPS://N8N.Example.com/webhook/orders', ['message_created']);
		expect(planWebhook([existing], { url: HOOK, events: ['message_created'] }).action).toBe('unchanged');
	});

	it('changes only the events when only they differ', () => {
		const existing = webhook(HOOK, ['message_created']);
		expect(planWebhook([existing], { url: HOOK, events: ['contact_created'] })).toEqual({
			action: 'update',
			webhook: existing,
			changes: { events: ['contact_created'] },
			changed: ['events'],
		});
	});

	it('re-enables a disabled webhook and sends its events along', () => {
		const existing = webhook(HOOK, ['message_created'], { disabled: true });
		expect(planWebhook([existing], { url: HOOK, events: ['message_created'] })).toEqual({
			action: 'update',
			webhook: existing,
			changes: { active: true, events: ['message_created'] },
			// The events go along for servers that only re-enable on a full update, but did not change.
			changed: ['enabled'],
		});
	});

	it('adds a token to a webhook registered without it', () => {
		const existing = webhook(HOOK, ['message_created']);
		const desired = withToken(HOOK, 'tok');
		expect(planWebhook([existing], { url: desired, events: ['message_created'] })).toEqual({
			action: 'update',
			webhook: existing,
			changes: { url: desired },
			changed: ['url'],
		});
	});

	it('replaces a stale token', () => {
		const existing = webhook(withToken(HOOK, 'old'), ['message_created']);
		const desired = withToken(HOOK, 'new');
		const plan = planWebhook([existing], { url: desired, events: ['message_created'] });
		expect(plan).toMatchObject({ action: 'update', webhook: existing, changes: { url: desired } });
	});

	it('keeps an existing token when the URL is given without one', () => {
		const existing = webhook(withToken(HOOK, 'tok'), ['message_created']);
		expect(planWebhook([existing], { url: HOOK, events: ['message_created'] }).action).toBe('unchanged');
		expect(planWebhook([existing], { url: HOOK, events: ['contact_created'] })).toEqual({
			action: 'update',
			webhook: existing,
			changes: { events: ['contact_created'] },
			changed: ['events'],
		});
	});

	it('prefers the exact URL, then the preferred ID, among webhooks on the same address', () => {
		const stale = webhook(withToken(HOOK, 'old'), ['message_created']);
		const exact = webhook(withToken(HOOK, 'new'), ['message_created']);
		expect(planWebhook([stale, exact], { url: withToken(HOOK, 'new'), events: ['message_created'] })).toEqual({
			action: 'unchanged',
			webhook: exact,
		});
		const plan = planWebhook([stale, exact], { url: HOOK, events: ['contact_created'], preferId: exact.id });
		expect(plan).toMatchObject({ action: 'update', webhook: { id: exact.id } });
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-05-01T12:00:00Z');

	it.each([
		['7', 7],
		[' 0 ', 0],
		[['12'], 12],
		[30, 30],
		['Fri, 01 May 2026 12:00:05 GMT', 5],
		['Fri, 01 May 2026 11:00:00 GMT', 0],
	])('reads %j as %s seconds', (value, seconds) => {
		expect(parseRetryAfter(value, now)).toBe(seconds);
	});

	it.each([undefined, '', 'soon', null])('has no answer for %j', (value) => {
		expect(parseRetryAfter(value, now)).toBeUndefined();
	});
});
