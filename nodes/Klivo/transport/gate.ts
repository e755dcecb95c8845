import { sleep } from 'n8n-workflow';

import { seconds, type Explanation } from './errors';

/**
 * One run's shared answer to Klivo's rate limit. Chatwoot (rack-attack) counts requests in fixed
 * windows aligned to its clock (`now / period`, one minute by default) and answers `429 Retry later`
 * without a Retry-After. A refused request was never applied, so it is sent again; but every request of
 * the run must wait, not only the refused one, or the others would keep hitting the limit and count
 * against the next window. So a 429 closes the gate for the whole run until the window ends (or until
 * Retry-After, when the server says), and every request passes the gate before it is sent.
 */

export interface GateOptions {
	/** The server's fixed window: Chatwoot's is a minute. */
	windowMs?: number;
	/** Waits in a row after which no request got through, before the run gives up. */
	maxFruitlessWaits?: number;
	/** A Retry-After longer than this is not waited for: the run fails at once and says so. */
	maxPauseMs?: number;
	/** Added to each wait: a request sent on the very boundary may still be counted in the old window. */
	marginMs?: number;
	/** The execution's cancel signal: a stopped run must not sit out a minute's wait. */
	signal?: AbortSignal;
}

/** The moment a 429 was answered, as the response tells it. */
export interface Refusal {
	retryAfterSeconds?: number;
	/** The response's `Date` header: the server's clock, to find where its window ends. */
	date?: unknown;
}

export class RateLimitGate {
	readonly windowMs: number;
	readonly maxFruitlessWaits: number;
	readonly maxPauseMs: number;
	readonly marginMs: number;
	private readonly signal: AbortSignal | undefined;
	/** Local time until which no request of the run is sent. */
	private pausedUntil = 0;
	/** Incremented each time the gate closes: tells a refusal of the current round from an older one. */
	private round = 0;
	private succeededThisRound = 0;
	private fruitlessWaits = 0;
	private failure: Explanation | undefined;
	/** For the report: how the run went. */
	succeeded = 0;
	refused = 0;
	waits = 0;
	waitedMs = 0;

	constructor(options: GateOptions = {}) {
		this.windowMs = options.windowMs ?? 60_000;
		this.maxFruitlessWaits = options.maxFruitlessWaits ?? 3;
		this.maxPauseMs = options.maxPauseMs ?? 5 * 60_000;
		this.marginMs = options.marginMs ?? 250;
		this.signal = options.signal;
	}

	/** Waits while the gate is closed; returns the round the request is sent in. Throws once the run gave up. */
	async pass(): Promise<number> {
		for (;;) {
			if (this.failure) throw new RateLimitExhausted(this.failure);
			const wait = this.pausedUntil - Date.now();
			if (wait <= 0) return this.round;
			if (this.signal?.aborted) {
				throw new RateLimitExhausted({
					reason: 'rateLimited',
					message: "The execution was stopped while waiting for Klivo's rate limit to reset",
					description: `${this.progress()}`,
				});
			}
			// In steps of a second at most, so that a stopped execution does not wait out the window.
			await sleep(Math.min(wait, 1000));
		}
	}

	/** A request sent in `sentRound` got through; one sent before the gate last closed proves nothing about now. */
	succeed(sentRound: number): void {
		this.succeeded++;
		if (sentRound === this.round) this.succeededThisRound++;
	}

	/**
	 * A request sent in `sentRound` was refused. The first refusal of a round closes the gate; refusals
	 * of requests already in flight then only wait for it to open again. Returns why, when the run gives up.
	 */
	refuse(sentRound: number, refusal: Refusal): Explanation | undefined {
		this.refused++;
		if (this.failure) return this.failure;
		if (sentRound !== this.round) return undefined;
		const now = Date.now();
		const pause = this.pauseFor(refusal, now);
		if (pause > this.maxPauseMs) {
			return this.fail({
				reason: 'rateLimited',
				retryAfterSeconds: refusal.retryAfterSeconds,
				message: `Klivo asked to wait ${seconds(refusal.retryAfterSeconds ?? Math.ceil(pause / 1000))} before the next request (rate limit reached)`,
				description: `The run stopped instead of waiting that long; ${this.progress()} Run again later.`,
			});
		}
		if (this.round > 0 && this.succeededThisRound === 0) this.fruitlessWaits++;
		else this.fruitlessWaits = 0;
		if (this.fruitlessWaits >= this.maxFruitlessWaits) {
			return this.fail({
				reason: 'rateLimited',
				message: `Klivo kept refusing requests (429, rate limit reached) after this run waited ${this.waits} times for its limit to reset`,
				description: `No request got through after the last ${this.fruitlessWaits} waits (${seconds(Math.round(this.waitedMs / 1000))} in all); ${this.progress()} Klivo counts requests per IP address in fixed one-minute windows, so another workflow or integration may be using up the same limit. Run again later, or lower the Concurrency option of write operations.`,
			});
		}
		this.round++;
		this.succeededThisRound = 0;
		this.waits++;
		this.waitedMs += pause;
		this.pausedUntil = Math.max(this.pausedUntil, now + pause);
		return undefined;
	}

	/** Retry-After when the server says; else until its fixed window ends, by its clock when it sent one. */
	private pauseFor(refusal: Refusal, now: number): number {
		if (refusal.retryAfterSeconds !== undefined) return refusal.retryAfterSeconds * 1000 + this.marginMs;
		// `Date` has whole seconds, so the server's clock is at most a second ahead of it: waiting from it
		// may wait up to a second too long, never too short. Too coarse for windows of a few seconds.
		const date = typeof refusal.date === 'string' && this.windowMs >= 10_000 ? Date.parse(refusal.date) : Number.NaN;
		const serverNow = Number.isNaN(date) ? now : date;
		const intoWindow = ((serverNow % this.windowMs) + this.windowMs) % this.windowMs;
		return this.windowMs - intoWindow + this.marginMs;
	}

	private progress(): string {
		return `${this.succeeded} request${this.succeeded === 1 ? '' : 's'} of this run had succeeded and ${this.refused} had been refused with 429 (none of those was applied).`;
	}

	/** Every later request of the run fails at once with the same words, instead of waiting again. */
	private fail(explanation: Explanation): Explanation {
		this.failure = explanation;
		return explanation;
	}
}

/** Carries the explanation to the transport, which turns it into the node's error. */
export class RateLimitExhausted extends Error {
	constructor(readonly explanation: Explanation) {
		super(explanation.message);
		this.name = 'RateLimitExhausted';
	}
}

/**
 * One gate per execution context: n8n creates a context per node run, so this is the run's gate, shared
 * by every item and page of that run without passing it through every API function.
 */
const gates = new WeakMap<object, RateLimitGate>();

export function useGate(context: object, gate: RateLimitGate = new RateLimitGate()): RateLimitGate {
	gates.set(context, gate);
	return gate;
}

export function gateOf(context: object): RateLimitGate | undefined {
	return gates.get(context);
}
