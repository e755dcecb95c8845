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
	expectRefused,
	fixture,
	makeTrigger,
	onlyWebhook,
	signatureHeaders,
	tokenIn,
	useSimulator,
	type Trigger,
} from './support';

describe('Klivo Trigger: signing secret changed after activation (chatwoot dialect)', () => {
	const sim = useSimulator('chatwoot');
	const message = fixture('message_created.incoming');

	function signedWith(secret: string, trigger: Trigger) {
		return callWebhook(trigger, {
			body: message.body,
			rawBody: message.raw,
			headers: signatureHeaders(secret, message.raw),
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
		expectRefused(await signedWith('forged-secret-000000000000', trigger), 401, /signature mismatch/);
		expectRefused(await signedWith(registered.secret, trigger), 401, /signature mismatch/);
		expect(sim().countRequests({ route: 'list' })).toBe(1);
	});

	test('a re-activation after a learned secret verifies with the newly stored secret at once', async () => {
		const trigger = makeTrigger(sim(), { events: ['message_created'] });
		await trigger.activate();
		const first = onlyWebhook(sim());
		// A forged delivery makes the trigger look up (and learn) the current secret.
		expectRefused(await signedWith('forged-secret-000000000000', trigger), 401, /signature mismatch/);

		await trigger.remove();
		await trigger.activate();
		const second = onlyWebhook(sim());
		expect(second.secret).not.toBe(first.secret);

		expectEmitted(await signedWith(second.secret, trigger));
	});
});
