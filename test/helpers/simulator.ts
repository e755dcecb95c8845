/**
 * One Klivo simulator per describe block, emptied before each of its tests. Typed by the caller,
 * because the action and trigger tests each declare the part of the simulator's API they use.
 */
export function useStartedSimulator<S extends { reset(): void; close(): Promise<void> }>(start: () => Promise<S>): () => S {
	let sim: S | undefined;
	beforeAll(async () => {
		sim = await start();
	});
	beforeEach(() => sim?.reset());
	afterAll(async () => {
		await sim?.close();
	});
	return () => {
		if (!sim) throw new Error('simulator not started');
		return sim;
	};
}

/** A webhook as the simulator stores it (its test API, not the HTTP API's dialects). */
export interface SimWebhook {
	id: number;
	name: string | null;
	url: string;
	subscriptions: string[];
	secret: string;
	active: boolean;
}
