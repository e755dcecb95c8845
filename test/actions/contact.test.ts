/**
 * The Contact resource of the Klivo node, over real HTTP against the simulator (Chatwoot's contact
 * envelopes, 15 a page, search `has_more`, 422 duplicates, labels as replaced lists).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { runActionNode, type RunResult } from '../helpers/n8n';
import { useStartedSimulator } from '../helpers/simulator';
import { ADMIN, AGENT, locator } from './support';

const simulator = require('../../tools/simulator/server.js');

interface ContactSim {
	url: string;
	reset(): void;
	close(): Promise<void>;
	addContact(account: number, fields: IDataObject): IDataObject;
	addContacts(account: number, count: number, make: (i: number) => IDataObject): IDataObject[];
	addLabel(account: number, fields: IDataObject): IDataObject;
	addConversation(account: number, fields: IDataObject): IDataObject;
	contact(account: number, id: number): IDataObject | null;
	contacts(account: number): IDataObject[];
	labels(account: number): IDataObject[];
	countRequests(filter?: { route?: string; method?: string }): number;
	clearRequests(): void;
	setRateLimit(options: IDataObject | null): void;
	injectFault(options: IDataObject): void;
}

const SECRETS = ['admin-token-1', 'agent-token-1', 'admin-token-2'];

function useContactSimulator(demoData: boolean): () => ContactSim {
	return useStartedSimulator(async () => (await simulator.startSimulator({ port: 0, demoData })) as ContactSim);
}

async function run(sim: ContactSim, parameters: IDataObject, options: { token?: string; items?: IDataObject[]; continueOnFail?: boolean } = {}) {
	const result: RunResult = await runActionNode({
		parameters: { resource: 'contact', ...parameters },
		credentials: { baseUrl: sim.url, accessToken: options.token ?? ADMIN, accountId: '1', timeout: 5 },
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
	const text = JSON.stringify(result.output ?? null) + String(result.error?.message) + String(result.error?.description);
	for (const secret of SECRETS) expect(text).not.toContain(secret);
	return result;
}

async function ok(sim: ContactSim, parameters: IDataObject, options: { token?: string; items?: IDataObject[] } = {}): Promise<IDataObject[]> {
	const result = await run(sim, parameters, options);
	if (result.error) throw new Error(`expected success, got: ${result.error.message} (${result.error.description ?? ''})`);
	return (result.output?.[0] ?? []).map((item: INodeExecutionData) => item.json);
}

async function fail(sim: ContactSim, parameters: IDataObject, options: { token?: string } = {}) {
	const result = await run(sim, parameters, options);
	if (!result.error) throw new Error(`expected an error, got ${JSON.stringify(result.output)}`);
	return result.error;
}

const ids = (items: IDataObject[]) => items.map((item) => Number(item.id));

describe('Contact resource: reads (seeded account)', () => {
	const sim = useContactSimulator(true);

	it('gets a contact with the fields Klivo sends', async () => {
		const [maria] = await ok(sim(), { operation: 'get', contactId: locator(1) });
		expect(maria).toMatchObject({ id: 1, name: 'Maria Souza', email: 'maria.souza@example.com', phone_number: '+5511987654321' });
		expect(Array.isArray(maria.contact_inboxes)).toBe(true);
	});

	it('says which contact does not exist, and how to find one', async () => {
		const error = await fail(sim(), { operation: 'get', contactId: locator(9999) });
		expect(error.message).toBe('Contact 9999 does not exist in account 1');
		expect(error.description).toContain('Search');
	});

	it("refuses a contact ID that is not a number before any request", async () => {
		sim().clearRequests();
		const error = await fail(sim(), { operation: 'get', contactId: locator('maria') });
		expect(error.message).toContain('is not a contact ID');
		expect(sim().countRequests({ route: 'contacts.*' })).toBe(0);
	});

	it("gets the contact's conversations", async () => {
		const conversations = await ok(sim(), { operation: 'getConversations', contactId: locator(1) });
		expect(conversations.length).toBeGreaterThan(0);
		expect(conversations.every((c) => (c.meta as IDataObject).sender && ((c.meta as IDataObject).sender as IDataObject).id === 1)).toBe(true);
	});

	it("works with an agent's token for reads and writes", async () => {
		const [got] = await ok(sim(), { operation: 'get', contactId: locator(3) }, { token: AGENT });
		expect(got.identifier).toBe('crm-1003');
		const [created] = await ok(sim(), { operation: 'create', name: 'Agent Made', additionalFields: { email: 'agent.made@example.com' } }, { token: AGENT });
		const [updated] = await ok(
			sim(),
			{ operation: 'update', contactId: locator(Number(created.id)), updateFields: { name: 'Agent Changed' } },
			{ token: AGENT },
		);
		expect(updated.name).toBe('Agent Changed');
	});

	it("says that deleting a contact needs an administrator's token", async () => {
		const error = await fail(sim(), { operation: 'delete', contactId: locator(2) }, { token: AGENT });
		expect(error.message).toContain('contacts');
		expect(error.description).toContain('only administrators may delete them');
		expect(sim().contact(1, 2)).not.toBeNull();
	});

	it('deletes a contact with an administrator token', async () => {
		const [result] = await ok(sim(), { operation: 'delete', contactId: locator(2) });
		expect(result).toEqual({ deleted: true, id: 2 });
		expect(sim().contact(1, 2)).toBeNull();
	});
});

describe('Contact resource: lists and search over several pages', () => {
	const sim = useContactSimulator(false);

	it('Get Many with Return All reads every page once: nothing lost, nothing repeated', async () => {
		const seeded = sim().addContacts(1, 38, (i) => ({ name: `Person ${String(i).padStart(2, '0')}`, email: `person${i}@example.com` }));
		// A web visitor without e-mail, phone or identifier is not in Klivo's list.
		sim().addContact(1, { name: 'Anonymous visitor' });
		sim().clearRequests();
		const items = await ok(sim(), { operation: 'getAll', returnAll: true });
		expect(ids(items).sort((a, b) => a - b)).toEqual(ids(seeded).sort((a, b) => a - b));
		expect(new Set(ids(items)).size).toBe(38);
		expect(sim().countRequests({ route: 'contacts.list' })).toBe(3);
	});

	it('Get Many stops at the limit, reading only the pages it needs', async () => {
		sim().addContacts(1, 40, (i) => ({ name: `P${i}`, phone_number: `+55119${String(10000000 + i)}` }));
		sim().clearRequests();
		const items = await ok(sim(), { operation: 'getAll', returnAll: false, limit: 20 });
		expect(items).toHaveLength(20);
		expect(sim().countRequests({ route: 'contacts.list' })).toBe(2);
	});

	it('Get Many sorts as asked', async () => {
		sim().addContact(1, { name: 'Zoe', email: 'zoe@example.com' });
		sim().addContact(1, { name: 'Ana', email: 'ana@example.com' });
		const items = await ok(sim(), { operation: 'getAll', returnAll: true, options: { sort: '-name' } });
		expect(items.map((c) => c.name)).toEqual(['Zoe', 'Ana']);
	});

	it('Search with Return All follows has_more (its count is not a total), without an extra empty page', async () => {
		const matching = sim().addContacts(1, 30, (i) => ({ name: `Acme buyer ${i}`, email: `buyer${i}@acme.example` }));
		sim().addContacts(1, 5, (i) => ({ name: `Other ${i}`, email: `other${i}@example.com` }));
		sim().clearRequests();
		const items = await ok(sim(), { operation: 'search', query: 'acme', returnAll: true });
		expect(ids(items).sort((a, b) => a - b)).toEqual(ids(matching).sort((a, b) => a - b));
		expect(sim().countRequests({ route: 'contacts.search' })).toBe(2);
	});

	it('Search with a limit', async () => {
		sim().addContacts(1, 20, (i) => ({ name: `Lead ${i}`, email: `lead${i}@example.com` }));
		const items = await ok(sim(), { operation: 'search', query: 'lead', returnAll: false, limit: 3 });
		expect(items).toHaveLength(3);
	});

	it('explains the 100-searches-a-minute limit', async () => {
		sim().addContact(1, { name: 'Maria', email: 'maria@example.com' });
		// A run waits for the limit's window to end (test/transport/rateLimit.test.ts); asked to wait longer than a run may, it fails at once.
		sim().injectFault({ route: 'contacts.search', status: 429, body: 'Retry later', retryAfter: 3600 });
		try {
			const error = await fail(sim(), { operation: 'search', query: 'maria', returnAll: true });
			expect(error.message).toContain('100 contact searches a minute');
			expect(error.description).toContain('Create or Update');
		} finally {
			sim().setRateLimit(null);
		}
	});

	it('refuses an empty search text', async () => {
		const error = await fail(sim(), { operation: 'search', query: '  ', returnAll: true });
		expect(error.message).toBe('The search text is empty');
	});
});

describe('Contact resource: create, update, phone numbers, duplicates', () => {
	const sim = useContactSimulator(false);

	it.each([
		['+55 11 98765-4321', '+5511987654321'],
		['+55 (011) 98765-4321', '+5511987654321'],
		['0055 11 98765 4321', '+5511987654321'],
		['+44 (0)20 7946 0958', '+442079460958'],
		['+1 (415) 555-0132', '+14155550132'],
		['tel:+39 06 6982 1234', '+390669821234'],
	])('creates a contact with the phone number %s sent as %s', async (typed, e164) => {
		const [contact] = await ok(sim(), { operation: 'create', name: 'Phone', additionalFields: { phoneNumber: typed } });
		expect(contact.phone_number).toBe(e164);
		expect(sim().contact(1, Number(contact.id))!.phone_number).toBe(e164);
	});

	it.each([
		['11 98765-4321', 'no country code'],
		['+55 11 9876A-4321', 'may only hold digits'],
		['+0 11 98765 4321', 'starts with 0'],
		['+55 1', 'too short'],
	])('refuses %s before any request, with an example', async (typed, problem) => {
		sim().clearRequests();
		const error = await fail(sim(), { operation: 'create', name: 'Phone', additionalFields: { phoneNumber: typed } });
		expect(error.message).toContain(problem);
		expect(error.description).toContain('+55 11 98765-4321');
		expect(sim().countRequests({ route: 'contacts.*' })).toBe(0);
	});

	it('creates a contact with every field, attributes as JSON text or objects', async () => {
		const [contact] = await ok(sim(), {
			operation: 'create',
			name: 'Maria Souza',
			additionalFields: {
				email: 'Maria.Souza@Example.com',
				identifier: 'crm-1',
				customAttributes: '{"plan":"pro"}',
				additionalAttributes: { city: 'São Paulo' },
				blocked: false,
				inboxId: '3',
			},
		});
		expect(contact).toMatchObject({
			name: 'Maria Souza',
			email: 'maria.souza@example.com',
			identifier: 'crm-1',
			custom_attributes: { plan: 'pro' },
			blocked: false,
		});
		expect((contact.additional_attributes as IDataObject).city).toBe('São Paulo');
		expect((contact.contact_inboxes as IDataObject[]).map((link) => (link.inbox as IDataObject).id)).toEqual([3]);
	});

	it('refuses attributes that are not a JSON object', async () => {
		const error = await fail(sim(), { operation: 'create', name: 'X', additionalFields: { email: 'x@example.com', customAttributes: '[1,2]' } });
		expect(error.message).toBe('Custom Attributes must be a JSON object');
	});

	it('names the existing contact when a create collides with its e-mail, and suggests Create or Update', async () => {
		const existing = sim().addContact(1, { name: 'Maria Souza', email: 'maria@example.com' });
		const error = await fail(sim(), { operation: 'create', name: 'Maria S.', additionalFields: { email: 'MARIA@example.com' } });
		expect(error.message).toContain(`contact ${String(existing.id)} (Maria Souza)`);
		expect(error.message).toContain('e-mail maria@example.com');
		expect(error.description).toContain('Create or Update');
		expect(sim().contacts(1)).toHaveLength(1);
	});

	it('names the existing contact when a create collides with its phone number', async () => {
		const existing = sim().addContact(1, { name: 'João', phone_number: '+5521998765432' });
		const error = await fail(sim(), { operation: 'create', name: 'J', additionalFields: { phoneNumber: '+55 21 99876-5432' } });
		expect(error.message).toContain(`phone number +5521998765432 already belongs to contact ${String(existing.id)} (João)`);
	});

	it('merges custom attributes on update and keeps the fields not given', async () => {
		const contact = sim().addContact(1, { name: 'Ana', email: 'ana@example.com', custom_attributes: { plan: 'free', city: 'Recife' } });
		const [updated] = await ok(sim(), {
			operation: 'update',
			contactId: locator(Number(contact.id)),
			updateFields: { customAttributes: { plan: 'pro' }, phoneNumber: '+55 81 99999-0000' },
		});
		expect(updated.custom_attributes).toEqual({ plan: 'pro', city: 'Recife' });
		expect(updated).toMatchObject({ name: 'Ana', email: 'ana@example.com', phone_number: '+5581999990000' });
	});

	it('refuses an update without fields', async () => {
		const contact = sim().addContact(1, { name: 'Ana', email: 'ana@example.com' });
		const error = await fail(sim(), { operation: 'update', contactId: locator(Number(contact.id)), updateFields: { email: '' } });
		expect(error.message).toBe('Nothing to update');
	});

	it('an update colliding with another contact names it', async () => {
		const a = sim().addContact(1, { name: 'A', email: 'a@example.com' });
		const b = sim().addContact(1, { name: 'B', email: 'b@example.com' });
		const error = await fail(sim(), { operation: 'update', contactId: locator(Number(a.id)), updateFields: { email: 'b@example.com' } });
		expect(error.message).toContain(`contact ${String(b.id)} (B)`);
	});
});

describe('Contact resource: Create or Update', () => {
	const sim = useContactSimulator(false);

	function upsert(fields: IDataObject, name = '') {
		return { operation: 'upsert', name, additionalFields: fields };
	}

	it.each([
		['identifier', { identifier: 'crm-7' }],
		['e-mail', { email: 'FOUND@example.com' }],
		['phone number', { phoneNumber: '+55 11 91234-5678' }],
	])('finds the contact by its %s, updates it, in 2 requests', async (_key, fields) => {
		const existing = sim().addContact(1, { name: 'Found', identifier: 'crm-7', email: 'found@example.com', phone_number: '+5511912345678' });
		sim().addContact(1, { name: 'Near miss', identifier: 'crm-70', email: 'notfound@example.com', phone_number: '+55119123456789' });
		sim().clearRequests();
		const [result] = await ok(sim(), upsert({ ...fields, customAttributes: { tier: 'gold' } }, 'Found Again'));
		expect(result).toMatchObject({ action: 'updated', id: existing.id, name: 'Found Again', custom_attributes: { tier: 'gold' } });
		expect(sim().contacts(1)).toHaveLength(2);
		expect(sim().countRequests({ route: 'contacts.*' })).toBe(2);
		expect(sim().countRequests({ route: 'contacts.filter' })).toBe(1);
		expect(sim().countRequests({ route: 'contacts.search' })).toBe(0);
	});

	it('prefers the identifier over the e-mail, and the e-mail over the phone number', async () => {
		const byPhone = sim().addContact(1, { name: 'By phone', phone_number: '+5511900000001' });
		const byEmail = sim().addContact(1, { name: 'By email', email: 'x@example.com' });
		const byId = sim().addContact(1, { name: 'By id', identifier: 'id-1' });
		// The other keys would collide, so the item names the conflict instead of writing.
		const conflict = await fail(sim(), upsert({ identifier: 'id-1', email: 'x@example.com' }));
		expect(conflict.message).toContain(`identifier id-1 belongs to contact ${String(byId.id)} (By id)`);
		expect(conflict.message).toContain(`e-mail x@example.com belongs to contact ${String(byEmail.id)} (By email)`);
		const [viaEmail] = await ok(sim(), upsert({ email: 'x@example.com', phoneNumber: '+5511900000002' }));
		expect(viaEmail).toMatchObject({ action: 'updated', id: byEmail.id, phone_number: '+5511900000002' });
		const [viaPhone] = await ok(sim(), upsert({ email: 'new@example.com', phoneNumber: '+55 11 90000-0001' }));
		expect(viaPhone).toMatchObject({ action: 'updated', id: byPhone.id, email: 'new@example.com' });
	});

	it('creates the contact when no key matches exactly, in 2 requests', async () => {
		sim().addContact(1, { name: 'Substring', email: 'maria.souza@example.com.br', identifier: 'crm-10' });
		sim().clearRequests();
		const [result] = await ok(sim(), upsert({ email: 'maria.souza@example.com', identifier: 'crm-1' }, 'Maria'));
		expect(result).toMatchObject({ action: 'created', name: 'Maria', email: 'maria.souza@example.com', identifier: 'crm-1' });
		expect(sim().contacts(1)).toHaveLength(2);
		expect(sim().countRequests({ route: 'contacts.*' })).toBe(2);
	});

	it('running the same items twice creates nothing the second time', async () => {
		const items = Array.from({ length: 12 }, (_, i) => ({ name: `Row ${i}`, email: `row${i}@example.com`, phone: `+55 11 9${String(8000_0000 + i)}` }));
		const parameters = {
			operation: 'upsert',
			name: '={{ $json.name }}',
			additionalFields: { email: '={{ $json.email }}', phoneNumber: '={{ $json.phone }}' },
		};
		const first = await ok(sim(), parameters, { items });
		expect(first.map((r) => r.action)).toEqual(items.map(() => 'created'));
		const second = await ok(sim(), parameters, { items });
		expect(second.map((r) => r.action)).toEqual(items.map(() => 'updated'));
		expect(ids(second)).toEqual(ids(first));
		expect(sim().contacts(1)).toHaveLength(12);
	});

	it('links a found contact to the inbox given', async () => {
		const existing = sim().addContact(1, { name: 'Inboxless', email: 'inboxless@example.com' });
		const [result] = await ok(sim(), upsert({ email: 'inboxless@example.com', inboxId: 3 }));
		expect(result.id).toBe(existing.id);
		expect((result.contact_inboxes as IDataObject[]).map((link) => (link.inbox as IDataObject).id)).toEqual([3]);
	});

	it('needs an identifier, an e-mail or a phone number', async () => {
		sim().clearRequests();
		const error = await fail(sim(), upsert({ customAttributes: { a: 1 } }, 'Nobody'));
		expect(error.message).toBe('Create or Update needs an identifier, an e-mail or a phone number');
		expect(sim().countRequests({ route: 'contacts.*' })).toBe(0);
	});
});

describe('Contact resource: labels', () => {
	const sim = useContactSimulator(false);

	it('adds labels and keeps the ones the contact had', async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com', labels: ['lead'] });
		const [result] = await ok(sim(), { operation: 'addLabels', contactId: locator(Number(contact.id)), labels: ['vip', 'lead'] });
		expect(result).toEqual({ contactId: contact.id, labels: ['lead', 'vip'], added: ['vip'] });
		expect(sim().contact(1, Number(contact.id))!.labels).toEqual(['lead', 'vip']);
	});

	it('takes titles as comma-separated text (an expression or an AI agent) in any case', async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com' });
		const [result] = await ok(sim(), { operation: 'addLabels', contactId: locator(Number(contact.id)), labels: 'VIP, suporte' });
		expect(result.labels).toEqual(['vip', 'suporte']);
	});

	it('refuses a title Klivo could never hold as a label, before any request, and suggests one', async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com' });
		sim().clearRequests();
		const error = await fail(sim(), { operation: 'addLabels', contactId: locator(Number(contact.id)), labels: ['lead quente'] });
		expect(error.message).toBe("'lead quente' is not a valid label title");
		expect(error.description).toContain("Did you mean 'lead-quente'?");
		expect(sim().countRequests()).toBe(0);
	});

	it('creates missing account labels first with Create Missing Labels', async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com' });
		const [result] = await ok(sim(), {
			operation: 'addLabels',
			contactId: locator(Number(contact.id)),
			labels: ['vip', 'novo-cliente'],
			createMissing: true,
		});
		expect(result.createdAccountLabels).toEqual(['novo-cliente']);
		expect(sim().labels(1).map((label) => label.title)).toContain('novo-cliente');
		expect(sim().contact(1, Number(contact.id))!.labels).toEqual(['vip', 'novo-cliente']);
	});

	it('Create Missing Labels accepts a label created by someone else in the meantime', async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com' });
		sim().addLabel(1, { title: 'just-made' });
		// The account's list is read before the other creation lands: the create then answers 422 taken.
		sim().injectFault({ route: 'labels.list', status: 200, body: { payload: [] } });
		const [result] = await ok(sim(), { operation: 'addLabels', contactId: locator(Number(contact.id)), labels: ['just-made'], createMissing: true });
		expect(result.labels).toEqual(['just-made']);
		expect(sim().labels(1).filter((label) => label.title === 'just-made')).toHaveLength(1);
	});

	it("adds labels with an agent's token, but says that creating a missing one needs an administrator", async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com' });
		await ok(sim(), { operation: 'addLabels', contactId: locator(Number(contact.id)), labels: ['vip'], createMissing: true }, { token: AGENT });
		const error = await fail(
			sim(),
			{ operation: 'addLabels', contactId: locator(Number(contact.id)), labels: ['brand-new'], createMissing: true },
			{ token: AGENT },
		);
		expect(error.message).toBe("The account label 'brand-new' does not exist, and only administrators may create it");
		expect(error.description).toContain('turn Create Missing Labels off');
		expect(sim().contact(1, Number(contact.id))!.labels).toEqual(['vip']);
	});

	it('removes labels and keeps the others', async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com', labels: ['lead', 'vip', 'suporte'] });
		const [result] = await ok(sim(), { operation: 'removeLabels', contactId: locator(Number(contact.id)), labels: ['VIP', 'absent'] });
		expect(result).toEqual({ contactId: contact.id, labels: ['lead', 'suporte'], removed: ['vip'] });
		expect(sim().contact(1, Number(contact.id))!.labels).toEqual(['lead', 'suporte']);
	});
});

describe('Contact resource: items', () => {
	const sim = useContactSimulator(false);

	it('continues on fail with one output per item, paired to its input', async () => {
		const items = [{ phone: '+55 11 98765-4321' }, { phone: '98765-4321' }, { phone: '+55 21 99876-5432' }];
		const result = await run(
			sim(),
			{ operation: 'create', name: 'Row', additionalFields: { phoneNumber: '={{ $json.phone }}' } },
			{ items, continueOnFail: true },
		);
		const output = result.output![0];
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.phone_number).toBe('+5511987654321');
		expect((output[1].json.error as IDataObject).message).toContain('no country code');
		expect(output[2].json.phone_number).toBe('+5521998765432');
	});

	it('without continue on fail, stops at the failing item and names it', async () => {
		const items = [{ phone: '+55 11 98765-4321' }, { phone: 'call me' }];
		const result = await run(sim(), { operation: 'create', name: 'Row', additionalFields: { phoneNumber: '={{ $json.phone }}' } }, { items });
		expect(result.error?.message).toContain('is not a phone number');
		expect((result.error as unknown as { context: IDataObject }).context.itemIndex).toBe(1);
	});
});

describe('Contact resource: Add Labels › Create Missing Labels tags with the account label\'s title', () => {
	const sim = useContactSimulator(false);

	it('a title typed with capitals is tagged as Klivo stores the account label (lower-case)', async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com' });
		const [result] = await ok(sim(), { operation: 'addLabels', contactId: locator(Number(contact.id)), labels: ['Novo-Cliente'], createMissing: true });
		expect(sim().labels(1).map((label) => label.title)).toContain('novo-cliente');
		expect(result.labels).toEqual(['novo-cliente']);
		expect(sim().contact(1, Number(contact.id))!.labels).toEqual(['novo-cliente']);
	});

	it('an account label kept with capitals (made before Klivo lowercased titles): tagged with that title, nothing created', async () => {
		const contact = sim().addContact(1, { name: 'L', email: 'l@example.com', labels: ['lead'] });
		sim().injectFault({
			route: 'labels.list',
			status: 200,
			body: { payload: [{ id: 9, title: 'Cliente-Antigo', description: null, color: '#1f93ff', show_on_sidebar: true }] },
		});
		sim().clearRequests();
		const [result] = await ok(sim(), { operation: 'addLabels', contactId: locator(Number(contact.id)), labels: ['cliente-antigo'], createMissing: true });
		expect(result).toEqual({ contactId: contact.id, labels: ['lead', 'Cliente-Antigo'], added: ['Cliente-Antigo'] });
		expect(sim().contact(1, Number(contact.id))!.labels).toEqual(['lead', 'Cliente-Antigo']);
		expect(sim().countRequests({ route: 'labels.create' })).toBe(0);
	});
});
