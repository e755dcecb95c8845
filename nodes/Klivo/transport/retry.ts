import { sleep } from 'n8n-workflow';

import { failureReason, retryAfterOf, type FailureReason } from './errors';

/** Failures that a second try moments later often does not meet; anything else would fail the same way. */
const TRANSIENT: ReadonlySet<FailureReason> = new Set(['rateLimited', 'server', 'timeout', 'dropped', 'network']);

export interface RetryPolicy {
	/** Tries in all, the first included. */
	attempts: number;
	/** Pause before the second try, doubled before each later one (a 429's Retry-After wins). */
	firstPauseMs: number;
	/** A 429 asking to wait longer than this is not waited for: the caller reports it instead. */
	maxPauseMs: number;
	/** Each timeout already cost a whole request timeout, so those are retried at most this often. */
	timeoutRetries: number;
}

export const CLEANUP_RETRY: RetryPolicy = { attempts: 3, firstPauseMs: 500, maxPauseMs: 5000, timeoutRetries: 1 };

export function isTransient(error: unknown): boolean {
	const reason = failureReason(error);
	return reason !== undefined && TRANSIENT.has(reason);
}

export type Attempted<T> = { ok: true; value: T; tries: number } | { ok: false; error: unknown; tries: number };

/**
 * Runs `attempt` again after a transient failure (429, 5xx, timeout, dropped connection), within the
 * policy's bounds, and settles with its value or its last failure as it was. `attempt` must be safe
 * to repeat.
 */
export async function retryTransient<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<Attempted<T>> {
	let timeouts = 0;
	for (let tries = 1; ; tries++) {
		let failure: unknown;
		try {
			return { ok: true, value: await attempt(), tries };
		} catch (error) {
			failure = error;
		}
		if (tries >= policy.attempts || !isTransient(failure)) return { ok: false, error: failure, tries };
		if (failureReason(failure) === 'timeout' && ++timeouts > policy.timeoutRetries) return { ok: false, error: failure, tries };
		const asked = retryAfterOf(failure);
		const pause = asked !== undefined ? asked * 1000 : policy.firstPauseMs * 2 ** (tries - 1);
		if (pause > policy.maxPauseMs) return { ok: false, error: failure, tries };
		await sleep(pause);
	}
}
