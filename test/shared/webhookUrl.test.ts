/**
 * Webhook URLs: validation, the trigger's URL token, redaction.
 */
import type { IDataObject } from 'n8n-workflow';
import { planWebhook } from '../../nodes/Klivo/shared/reconcile';
import {
	checkWebhookUrl,
	deriveUrlToken,
	hasRedactedToken,
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

		it('tells a redacted URL from one with a real token', () => {
			expect(hasRedactedToken(redactToken(withToken(withQuery, 'tok-secret-1')))).toBe(true);
			expect(hasRedactedToken(`${HOOK}?${URL_TOKEN_PARAM}=redacted`)).toBe(true);
			expect(hasRedactedToken(withToken(HOOK, 'tok-secret-1'))).toBe(false);
			expect(hasRedactedToken(`${HOOK}?note=REDACTED`)).toBe(false);
			expect(hasRedactedToken(HOOK)).toBe(false);
			expect(hasRedactedToken('not a url')).toBe(false);
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
