/**
 * A Chatwoot-dialect webhook re-created while the workflow stays active (a watchdog's Ensure, a person
 * in Klivo's UI) signs with a new secret. The trigger learns it with one list request instead of
 * refusing every delivery until the next activation, and a flood of forged deliveries cannot turn
 * into a flood of API requests.
 */
import {
	ACCOUNT,
	callWebhook,
	expectEmitted,
	expectUnauthorized,
	makeTrigger,
	onlyWebhook,
	payload,
	signatureHeaders,
	tokenIn,
	useSimulator,
	watchLog,
	wire,
	type Trigger,
} from './support';

afterEach(() => jest.restoreAllMocks());

describe('Klivo Trigger: signing secret changed after activation (chatwoot dialect)', () => {
	const sim = useSimulator('chatwoot');
	let sent = 0;

	/** A new message each time (the same bytes in the same second would be a replay). */
	function signedWith(secret: string, trigger: Trigger) {
		sent += 1;
		const body = payload('message_created.incoming', { content: `message ${sent}` });
		const raw = wire(body);
		return callWebhook(trigger, {
			body,
			rawBody: raw,
			headers: signatureHeaders(secret, raw),
			query: { klivo_token: trigger.state().urlToken },
		});
	}

	test('learns the new secret once, then verifies without asking again; forged deliveries stay refused', async () => {
		const trigger = makeTrigger(sim(), { events: ['message_created'] });
		await trigger.activate();
		const registered = onlyWebhook(sim());
		expect(tokenIn(registered.url)).toBe(trigger.state().urlToken);

		// The webhook is deleted and registered again under the same URL: Klivo gives it a new secret.
		sim().deleteWebhookDirect(ACCOUNT, registered.id);
		sim().addWebhookDirect(ACCOUNT, { url: registered.url, subscriptions: ['message_created'] });
		const recreated = onlyWebhook(sim());
		expect(recreated.secret).not.toBe(registered.secret);
		sim().clearRequests();

		expectEmitted(await signedWith(recreated.secret, trigger));
		expect(sim().countRequests({ route: 'list' })).toBe(1);

		expectEmitted(await signedWith(recreated.secret, trigger));
		const log = watchLog(trigger);
		expectUnauthorized(await signedWith('forged-secret-000000000000', trigger));
		expect(log.lastRefusal()).toMatch(/HTTP 401\): signature mismatch/);
		// Within a minute of that warning, the next refusal at this webhook is counted, not logged.
		expectUnauthorized(await signedWith(registered.secret, trigger));
		expect(log.refusals()).toHaveLength(1);
		expect(sim().countRequests({ route: 'list' })).toBe(1);
	});

	test('a re-activation after a learned secret verifies with the newly stored secret at once', async () => {
		const trigger = makeTrigger(sim(), { events: ['message_created'] });
		await trigger.activate();
		const first = onlyWebhook(sim());
		// A forged delivery makes the trigger look up (and learn) the current secret.
		const log = watchLog(trigger);
		expectUnauthorized(await signedWith('forged-secret-000000000000', trigger));
		expect(log.lastRefusal()).toMatch(/HTTP 401\): signature mismatch/);

		await trigger.remove();
		await trigger.activate();
		const second = onlyWebhook(sim());
		expect(second.secret).not.toBe(first.secret);

		expectEmitted(await signedWith(second.secret, trigger));
	});
});
