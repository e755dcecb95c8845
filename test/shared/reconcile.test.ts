/**
 * The Ensure / trigger plan: which webhook is ours and what it takes to make it right.
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

	it('with keepRegisteredToken, never replaces a token the webhook has, but adds one where it has none', () => {
		const registered = webhook(withToken(HOOK, 'registered'), ['message_created']);
		expect(planWebhook([registered], { url: withToken(HOOK, 'other'), events: ['message_created'], keepRegisteredToken: true })).toEqual({
			action: 'unchanged',
			webhook: registered,
		});
		expect(
			planWebhook([registered], { url: withToken(HOOK, 'other'), events: ['contact_created'], keepRegisteredToken: true }),
		).toMatchObject({ action: 'update', changes: { events: ['contact_created'] }, changed: ['events'] });
		const bare = webhook(HOOK, ['message_created']);
		expect(planWebhook([bare], { url: withToken(HOOK, 'new'), events: ['message_created'], keepRegisteredToken: true })).toMatchObject({
			action: 'update',
			changes: { url: withToken(HOOK, 'new') },
		});
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

	it("matches the whole URL but the token: another query string is another integration's webhook", () => {
		const other = webhook(`${HOOK}?src=a`, ['message_created']);
		expect(planWebhook([other], { url: `${HOOK}?src=b`, events: ['message_created'] })).toEqual({ action: 'create' });
		expect(planWebhook([other], { url: HOOK, events: ['message_created'] })).toEqual({ action: 'create' });
		const trigger = webhook(withToken(`${HOOK}?src=a`, 'tok'), ['message_created']);
		expect(planWebhook([other, trigger], { url: withToken(`${HOOK}?src=b`, 'tok'), events: ['message_created'] }).action).toBe('create');
	});

	it('finds a webhook whose URL is spelled differently: parameter order, host case, default port, trailing slash', () => {
		const existing = webhook(`${HOOK}?a=1&b=2`, ['message_created']);
		for (const url of [`${HOOK}?b=2&a=1`, 'https://N8N.example.com:443/webhook/orders/?a=1&b=2']) {
			expect(planWebhook([existing], { url, events: ['message_created'] })).toEqual({ action: 'unchanged', webhook: existing });
		}
	});

	it('puts the registered token into a URL given without one, keeping its own query', () => {
		const existing = webhook(withToken(`${HOOK}?src=a`, 'tok'), ['message_created'], { disabled: true });
		expect(planWebhook([existing], { url: `${HOOK}?src=a`, events: ['message_created'] })).toMatchObject({
			action: 'update',
			changes: { active: true, events: ['message_created'] },
			changed: ['enabled'],
		});
	});

	it('never takes a webhook at another scheme, host, port or path, even under the preferred ID', () => {
		for (const url of [
			'https://staging.example.com/webhook/orders',
			'http://n8n.example.com/webhook/orders',
			'https://n8n.example.com:8443/webhook/orders',
			'https://n8n.example.com/webhook-test/orders',
		]) {
			const foreign = webhook(withToken(url, 'tok'), ['message_created']);
			expect(planWebhook([foreign], { url: withToken(HOOK, 'tok'), events: ['message_created'], preferId: foreign.id })).toEqual({
				action: 'create',
			});
		}
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
