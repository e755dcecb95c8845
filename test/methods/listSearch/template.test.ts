/**
 * The WhatsApp template picker (searchTemplates): the approved templates of the chosen conversation's
 * inbox, through n8n-core's LoadOptionsContext against the simulator's seed (tools/simulator/README.md).
 */
import type { IDataObject, INodeListSearchResult, INodeParameters } from 'n8n-workflow';

import { searchTemplates } from '../../../nodes/Klivo/methods/listSearch/template';
import { loadOptionsContext, makeHarness } from '../../helpers/n8n';
import { AGENT, credentialsFor, expectNoLeaks, locator, useSimulator, type Simulator } from '../../actions/support';

/** The node's parameters as the editor sends them while the picker is open. */
async function search(sim: Simulator, conversationId: IDataObject | string, filter?: string, accessToken?: string): Promise<INodeListSearchResult> {
	const parameters = { resource: 'message', operation: 'sendTemplate', conversationId } as INodeParameters;
	const harness = makeHarness({ parameters, credentials: credentialsFor(sim, accessToken ? { accessToken } : {}) });
	(harness.additionalData as unknown as { currentNodeParameters: INodeParameters }).currentNodeParameters = parameters;
	const result = await searchTemplates.call(loadOptionsContext(harness), filter);
	expectNoLeaks(sim, result);
	return result;
}

async function searchError(sim: Simulator, conversationId: IDataObject | string): Promise<Error & { description?: string }> {
	try {
		await search(sim, conversationId);
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('expected the search to fail');
}

describe('Klivo node WhatsApp template list search', () => {
	const sim = useSimulator('chatwoot');

	it("lists the approved templates of the conversation's WhatsApp inbox as name|language", async () => {
		const { results } = await search(sim(), locator(1));
		expect(results.map((r) => r.value)).toEqual(['appointment_reminder|pt_BR', 'order_confirmation|pt_BR', 'welcome_offer|en_US']);
		expect(results.find((r) => r.value === 'order_confirmation|pt_BR')!.name).toMatch(/^order_confirmation \(pt_BR\)/);
	});

	it('leaves out templates WhatsApp has not approved', async () => {
		const { results } = await search(sim(), locator(1));
		expect(results.map((r) => r.value)).not.toContain('black_friday|pt_BR');
	});

	it('filters by part of the name, in any case', async () => {
		const { results } = await search(sim(), locator('#1'), 'ORDER');
		expect(results.map((r) => r.value)).toEqual(['order_confirmation|pt_BR']);
	});

	it('works with an agent token that is a member of the inbox', async () => {
		const { results } = await search(sim(), locator(1), undefined, AGENT);
		expect(results).toHaveLength(3);
	});

	it('asks for a conversation number while the conversation is an expression', async () => {
		const error = await searchError(sim(), { __rl: true, mode: 'id', value: '={{ $json.klivo.conversationId }}' });
		expect(error.message).toBe('Enter a conversation number first to list its templates');
		expect(error.description).toContain('By Name');
	});

	it('says when the conversation is not in a WhatsApp inbox', async () => {
		const error = await searchError(sim(), locator(2));
		expect(error.message).toBe("Conversation #2 is in inbox 'Site Klivo', which is not a WhatsApp inbox");
	});

	it('names the conversation number of a 404', async () => {
		const error = await searchError(sim(), locator(9876));
		expect(error.message).toBe('Conversation #9876 does not exist in account 1');
	});
});
