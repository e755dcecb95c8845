import type { IDataObject } from 'n8n-workflow';

/** Server fields that may hold credentials under another name; never copied into output. */
export const SECRET_LIKE = /secret|token|password|passwd|api_?key|hmac|signature/i;

/**
 * A copy of a server object without string values under credential-like keys, at any depth (an
 * administrator's inbox carries `hmac_token` and `secret`). Flags such as `hmac_verified: false`
 * stay: they describe, they do not grant.
 */
export function withoutSecrets<T>(value: T): T {
	if (Array.isArray(value)) return value.map((entry) => withoutSecrets(entry) as unknown) as unknown as T;
	if (typeof value !== 'object' || value === null) return value;
	const copy: IDataObject = {};
	for (const [key, entry] of Object.entries(value as IDataObject)) {
		if (typeof entry === 'string' && entry !== '' && SECRET_LIKE.test(key)) continue;
		copy[key] = withoutSecrets(entry);
	}
	return copy as T;
}
