/**
 * Operators paste whatever is in their address bar: a trailing slash, or a dashboard path such as
 * `https://chat.klivo.marketing/app/accounts/7/dashboard`. The API lives at the server root, so keep
 * the origin (and any sub-path a self-hosted proxy adds) and drop everything from `/app` or `/api` on.
 */
export function normalizeBaseUrl(raw: string): string {
	let value = (raw ?? '').trim();
	if (value === '') return '';
	if (!/^https?:\/\//i.test(value)) value = `https://${value}`;
	value = value.replace(/[?#].*$/, '');
	value = value.replace(/\/(app|api)(\/.*)?$/i, '');
	return value.replace(/\/+$/, '');
}

export const KLIVO_CLOUD_HOST = 'chat.klivo.marketing';

export function isKlivoCloud(baseUrl: string): boolean {
	try {
		const host = new URL(normalizeBaseUrl(baseUrl)).hostname.toLowerCase();
		return host === KLIVO_CLOUD_HOST || host.endsWith(`.${KLIVO_CLOUD_HOST}`);
	} catch {
		return false;
	}
}
