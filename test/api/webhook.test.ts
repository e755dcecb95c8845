/**
 * Response envelopes of both webhook dialects, read into one shape.
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
import { toWebhook, unwrapList, unwrapOne, webhookToJson } from '../../nodes/Klivo/api/webhook';
import { parseRetryAfter } from '../../nodes/Klivo/transport/errors';
import type { KlivoWebhook } from '../../nodes/Klivo/transport/types';

const HOOK = 'https://n8n.example.com/webhook/orders';

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
