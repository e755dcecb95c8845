#!/usr/bin/env node
'use strict';
/**
 * `npm run screenshots`: the README pictures, taken from a real n8n in headless Chromium.
 *
 * Does what `npm start` does (scripts/demo.js: build + pack, the Klivo simulator, n8n with the package,
 * a credential, the demo workflows: the auto-reply active, the AI support bot inactive), on free ports
 * with a temporary n8n folder; then, with playwright-core driving the system Chromium, writes as the
 * customer on the simulator's chat page (so the auto-reply runs), logs in to the editor, and saves into
 * docs/images/:
 *
 *   chat-auto-reply.png        the chat page: the customer's message and the auto-reply under it
 *   editor-demo-workflow.png   the demo workflow on the canvas
 *   trigger-parameters.png     the Klivo Trigger opened: credential, events, the Options list
 *   execution-output.png       the execution's trigger output (JSON), scrolled to the `klivo` summary
 *   credential.png             the Klivo API credential dialog, connection tested
 *   ai-workflow.png            the AI support-bot workflow on the canvas (AI Agent, model, six Klivo tools)
 *   ai-model-credential.png    its OpenAI Chat Model node opened: the OpenAI credential and the model
 *   chat-ai-handoff.png        the chat page after the AI bot's hand-off: reply, label, note, team, open
 *
 * For the AI pictures the model is the scripted OpenAI-compatible double (tools/openai-double: no real
 * model, no network): an openAiApi credential whose base URL is the double goes on the OpenAI Chat
 * Model node, the auto-reply is deactivated and the AI workflow activated, as a user would (README,
 * "An AI support bot in five steps"); the double is scripted with the hand-off a real model would do.
 *
 * Needs Chromium (Debian/Ubuntu: `apt-get install -y chromium`; other path: CHROMIUM_PATH=/path/to/chrome).
 * Options: --out DIR (default docs/images), --n8n VERSION (default the pinned one; the UI steps are
 * written against n8n 2.41.x). Everything started is stopped on exit, also on errors and Ctrl-C.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { parseArgs, root, startDemo } = require('./demo.js');
const installer = require('./n8n-install.js');
const { getFreePort, waitFor } = require('../tools/n8n/harness.js');
const { startOpenAiDouble } = require('../tools/openai-double/server.js');
const { supportTools } = require('../tools/demo/workflows.js');

const args = parseArgs(process.argv.slice(2));
const outDir = path.resolve(args.out || path.join(root, 'docs', 'images'));
const n8nVersion = args.n8n || process.env.KLIVO_N8N_VERSION || installer.DEFAULT_N8N_VERSION;
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const VIEWPORT = { width: 1440, height: 900 };
/** The chat page needs less room than n8n's editor: a smaller picture, and larger text in the README. */
const CHAT_VIEWPORT = { width: 1180, height: 720 };
/** Seed conversations of the simulator: 2 (João, web chat) for the auto-reply, 4 (pending, no labels) for the AI bot. */
const AUTO_REPLY_CONVERSATION = 2;
const AI_CONVERSATION = 4;
const AUTO_REPLY_TEXT = 'Oi! Vocês entregam no sábado?';
const AI_CUSTOMER_TEXT = 'Meu pagamento no cartão foi recusado duas vezes. Quero falar com uma pessoa, por favor.';
const AI_REPLY = 'Sinto muito pelo problema com o pagamento! Vou passar sua conversa para a nossa equipe de suporte agora.';
const AI_NOTE = 'Hand-off: the card payment was refused twice; the customer asks for a person.';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
/** The simulator's documented port, so the credential picture shows the address the README uses. */
const PREFERRED_SIM_PORT = 3789;

const started = Date.now();
const say = (line) => process.stdout.write(`[screenshots ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

function portIsFree(port) {
	return new Promise((resolve) => {
		const srv = require('node:net').createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

// ---- the browser part --------------------------------------------------------------------------

/** Closes what n8n pops up on a fresh login (checklists, surveys, banners), if present. */
async function dismissPopups(page) {
	const closers = [
		'[data-test-id=suggested-actions-close]', // "Production Checklist" popover (reappears on each page load)
		'[data-test-id=banner-stack] [data-test-id=banner-close-button]',
		'[data-test-id=banner-stack] .n8n-callout button[title=Close]',
		'.el-dialog:visible [aria-label=Close]',
	];
	for (const selector of closers) {
		const targets = page.locator(selector);
		const n = await targets.count().catch(() => 0);
		for (let i = 0; i < n; i++) {
			const t = targets.nth(i);
			if (await t.isVisible().catch(() => false)) await t.click({ timeout: 2000 }).catch(() => undefined);
		}
	}
	// the mouse away from the canvas, so no hover toolbar shows
	await page.mouse.move(VIEWPORT.width - 5, VIEWPORT.height / 2);
}

/** Fails when the page is n8n's sign-in form or shows an error toast, instead of a wrong picture. */
async function assertNotBroken(page, what) {
	if (new URL(page.url()).pathname.startsWith('/signin')) throw new Error(`${what}: n8n shows its sign-in page`);
	const toast = page.locator('.el-notification--error, [role=alert].el-notification');
	if (await toast.first().isVisible().catch(() => false)) {
		throw new Error(`${what}: n8n shows an error: ${(await toast.first().innerText()).replace(/\s+/g, ' ')}`);
	}
}

/** `clip` ({ x, y, width, height }, optional): only that part of the page, for a picture with little in it. */
async function shoot(page, name, what, clip) {
	await assertNotBroken(page, what);
	await page.waitForTimeout(400); // animations (zoom, dropdown, modal) settle
	const file = path.join(outDir, name);
	await page.screenshot({ path: file, fullPage: false, animations: 'disabled', caret: 'hide', ...(clip ? { clip } : {}) });
	say(`saved ${path.relative(root, file)} (${Math.round(fs.statSync(file).size / 1024)} KB): ${what}`);
	return file;
}

async function login(page, url, owner) {
	await page.goto(`${url}/signin`);
	await page.locator('input[name=emailOrLdapLoginId]').fill(owner.email);
	await page.locator('input[name=password]').fill(owner.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30000 });
}

async function openWorkflow(page, url, workflowId) {
	await page.goto(`${url}/workflow/${workflowId}`);
	await page.locator('[data-test-id=canvas-node]').nth(1).waitFor({ state: 'visible', timeout: 60000 });
	await page.waitForTimeout(500);
	await dismissPopups(page);
}

function triggerNode(page) {
	return page.locator('[data-test-id=canvas-node]').filter({ hasText: 'Klivo Trigger' }).first();
}

/** The simulator's chat page on one conversation, at the chat page's viewport. */
async function openChat(page, simUrl, conversationId) {
	await page.setViewportSize(CHAT_VIEWPORT);
	await page.goto(`${simUrl}/#conversation=${conversationId}`);
	await page.locator('#conversation-number').filter({ hasText: `#${conversationId}` }).waitFor({ timeout: 10000 });
}

async function writeAsCustomer(page, text) {
	await page.locator('#customer-text').fill(text);
	await page.locator('#customer-text').press('Enter');
	await page.locator('#messages .message.incoming').last().filter({ hasText: text }).waitFor({ timeout: 10000 });
}

/** The newest message of the chat in view, and the caret out of the text box. */
async function settleChat(page) {
	await page.locator('#messages').evaluate((list) => {
		list.scrollTop = list.scrollHeight;
	});
	await page.locator('#customer-text').blur();
	await page.mouse.move(CHAT_VIEWPORT.width - 5, 5);
}

async function takeScreenshots(options) {
	const context = await options.chromium.launchPersistentContext(options.userDataDir, {
		executablePath: chromiumPath,
		headless: true,
		args: CHROMIUM_ARGS,
		// this script's own handlers close the browser, then n8n and the simulator (playwright's would exit first)
		handleSIGINT: false,
		handleSIGTERM: false,
		handleSIGHUP: false,
		viewport: VIEWPORT,
		deviceScaleFactor: 1,
		colorScheme: 'light',
		locale: 'en-US',
		timezoneId: 'UTC',
	});
	options.onContext(context);
	const page = context.pages()[0] || (await context.newPage());
	page.setDefaultTimeout(30000);
	try {
		return await takeEach(page, options);
	} catch (error) {
		const debug = path.join(os.tmpdir(), 'klivo-screenshots-failure.png');
		await page.screenshot({ path: debug }).catch(() => undefined);
		if (fs.existsSync(debug)) error.message += ` (the browser showed: ${debug})`;
		throw error;
	}
}

/**
 * options: { url, simUrl, owner, workflowId, aiWorkflowId, credentialId, findExecution(), startAiBot() }
 * findExecution resolves the auto-reply's execution once the customer's message has run it; startAiBot
 * puts the scripted model on the AI workflow and activates it instead of the auto-reply.
 */
async function takeEach(page, { url, simUrl, owner, workflowId, aiWorkflowId, credentialId, findExecution, startAiBot }) {
	const files = [];

	// (0) the chat page: a customer's message, and the active auto-reply's answer under it
	say('chat page: writing as the customer');
	await openChat(page, simUrl, AUTO_REPLY_CONVERSATION);
	await writeAsCustomer(page, AUTO_REPLY_TEXT);
	await page.locator('#messages .message.outgoing').last().filter({ hasText: 'thanks for your message' }).waitFor({ timeout: 60000 });
	await settleChat(page);
	files.push(await shoot(page, 'chat-auto-reply.png', "the chat page: the customer's message and the auto-reply"));
	const executionId = (await findExecution()).id;
	await page.setViewportSize(VIEWPORT);

	say('logging in to the editor');
	await login(page, url, owner);

	// (a) the demo workflow on the canvas
	await openWorkflow(page, url, workflowId);
	await page.locator('[data-test-id=zoom-to-fit]').click();
	for (let i = 0; i < 2; i++) await page.locator('[data-test-id=zoom-in-button]').click();
	await dismissPopups(page);
	files.push(await shoot(page, 'editor-demo-workflow.png', 'the demo workflow on the canvas'));

	// (b) the Klivo Trigger's parameters, with the Options list open
	await triggerNode(page).dblclick();
	const ndv = page.locator('[data-test-id=ndv]');
	await ndv.locator('[data-test-id=parameter-input-events]').waitFor({ state: 'visible' });
	await ndv.getByPlaceholder('Add Option').click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: 'Message Types' }).first().waitFor({ state: 'visible' });
	files.push(await shoot(page, 'trigger-parameters.png', 'the Klivo Trigger node: credential, events and its options'));
	await page.keyboard.press('Escape');
	await page.keyboard.press('Escape');

	// (c) the execution: the trigger's output as JSON, scrolled to the `klivo` summary
	await page.goto(`${url}/workflow/${workflowId}/executions/${executionId}`);
	await page.locator('[data-test-id=canvas-node-status-success]').first().waitFor({ state: 'visible', timeout: 60000 });
	await page.waitForTimeout(500);
	await dismissPopups(page);
	await triggerNode(page).dblclick();
	const output = page.locator('[data-test-id=output-panel]');
	await output.waitFor({ state: 'visible' });
	await output.locator('[data-test-id=radio-button-json]').click();
	await output.locator('.vjs-tree').first().waitFor({ state: 'visible' });
	// the JSON view is a virtual list: scroll until the `klivo` key is rendered, then bring it to the top
	const found = await page.evaluate(async () => {
		const tree = document.querySelector('[data-test-id=output-panel] .vjs-tree.is-virtual') || document.querySelector('[data-test-id=output-panel] .vjs-tree');
		const find = () => [...tree.querySelectorAll('.vjs-key')].find((k) => /^"?klivo"?:?$/.test(k.textContent.trim()));
		for (let y = 0; y <= tree.scrollHeight && !find(); y += 300) {
			tree.scrollTop = y;
			await new Promise((r) => setTimeout(r, 50));
		}
		const key = find();
		if (!key) return false;
		const line = key.closest('.vjs-tree-node') || key;
		tree.scrollTop += line.getBoundingClientRect().top - tree.getBoundingClientRect().top - 100;
		await new Promise((r) => setTimeout(r, 200));
		return true;
	});
	if (!found) throw new Error('the execution output has no `klivo` key');
	await output.getByText('"messageText"').first().waitFor({ state: 'visible' });
	files.push(await shoot(page, 'execution-output.png', "the execution's Klivo Trigger output, with the klivo summary"));
	await page.keyboard.press('Escape');

	// (d) the credential dialog (n8n tests the connection when it opens)
	await page.goto(`${url}/home/credentials/${credentialId}`);
	const dialog = page.locator('[data-test-id=editCredential-modal], .el-dialog').filter({ hasText: 'Klivo API' }).first();
	await dialog.waitFor({ state: 'visible' });
	await dialog.getByText('Connection tested successfully').waitFor({ state: 'visible', timeout: 30000 });
	files.push(await shoot(page, 'credential.png', 'the Klivo API credential dialog, connection tested'));
	await page.keyboard.press('Escape');

	// (e) the AI support bot as `npm start` imports it: inactive, no model credential yet
	await openWorkflow(page, url, aiWorkflowId);
	await page.locator('[data-test-id=zoom-to-fit]').click();
	await dismissPopups(page);
	files.push(await shoot(page, 'ai-workflow.png', 'the AI support-bot workflow on the canvas, as imported'));

	// (f) its OpenAI credential chosen, the auto-reply off, the bot on; the model node opened
	say('AI support bot: the scripted model as its OpenAI credential, activated instead of the auto-reply');
	await startAiBot();
	await openWorkflow(page, url, aiWorkflowId);
	await page.locator('[data-test-id=canvas-node]').filter({ hasText: 'OpenAI Chat Model' }).first().dblclick();
	await ndv.waitFor({ state: 'visible' });
	await ndv.getByText('Use Responses API').first().waitFor({ state: 'visible' });
	await page.waitForFunction(() => [...document.querySelectorAll('[data-test-id=ndv] input')].some((i) => i.value.includes('scripted test model')));
	// The node's parameters take the upper part of the dialog only: the picture is cut below them.
	const ndvBox = await ndv.boundingBox();
	const lastParameter = await ndv.getByPlaceholder('Add Option').first().boundingBox();
	const clip = {
		x: Math.round(ndvBox.x),
		y: Math.round(ndvBox.y),
		width: Math.round(lastParameter.x + lastParameter.width + 24 - ndvBox.x),
		height: Math.round(lastParameter.y + lastParameter.height + 32 - ndvBox.y),
	};
	files.push(await shoot(page, 'ai-model-credential.png', 'the OpenAI Chat Model node: the OpenAI credential and the model', clip));
	await page.keyboard.press('Escape');

	// (g) the chat page: a customer asks for a person, the bot replies, labels and hands over
	say('chat page: a customer asks for a person (the AI bot answers through the scripted model)');
	await openChat(page, simUrl, AI_CONVERSATION);
	await writeAsCustomer(page, AI_CUSTOMER_TEXT);
	await page.locator('#conversation-status').filter({ hasText: 'open' }).waitFor({ timeout: 90000 });
	await page.locator('#messages .message.note').last().filter({ hasText: AI_NOTE }).waitFor({ timeout: 15000 });
	await page.locator('#messages .message.outgoing').last().filter({ hasText: AI_REPLY }).waitFor({ timeout: 15000 });
	await page.locator('#conversation-team').filter({ hasText: 'suporte' }).waitFor({ timeout: 15000 });
	await page.locator('#conversation-labels .label').filter({ hasText: 'pagamento' }).waitFor({ timeout: 15000 });
	await page.waitForTimeout(1200); // the page redraws each second: the conversation list catches up
	await settleChat(page);
	files.push(await shoot(page, 'chat-ai-handoff.png', "the chat page after the AI bot's hand-off"));

	return files;
}

/** The hand-off a real model would do (read, reply + label, note + team, status open), for the double. */
function handOffScript() {
	const tool = Object.fromEntries(supportTools().map((t) => [t.name, t.name.replace(/[^a-zA-Z0-9_-]+/g, '_')]));
	return [
		{ toolCalls: [{ name: tool['Read history'], arguments: {} }] },
		{
			toolCalls: [
				{ name: tool['Reply to customer'], arguments: { content: AI_REPLY } },
				{ name: tool['Add labels'], arguments: { labels: 'pagamento' } },
			],
		},
		{
			toolCalls: [
				{ name: tool['Write private note'], arguments: { content: AI_NOTE } },
				{ name: tool['Assign to team'], arguments: { team: 2 } },
			],
		},
		{ toolCalls: [{ name: tool['Set status'], arguments: { status: 'open' } }] },
		{ text: 'Replied, labelled pagamento and handed the conversation to suporte.' },
	];
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
	if (!fs.existsSync(chromiumPath)) {
		throw new Error(`no Chromium at ${chromiumPath}: install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH`);
	}
	const { chromium } = require('playwright-core');
	fs.mkdirSync(outDir, { recursive: true }); // before starting anything: an unusable --out fails at once

	const stoppers = [];
	let stopping = null;
	const stopAll = () => {
		if (!stopping) {
			stopping = (async () => {
				say('stopping…');
				for (const stop of stoppers.reverse()) await Promise.resolve().then(stop).catch(() => undefined);
			})();
		}
		return stopping;
	};
	let interrupted = false;
	const exitCodes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
	for (const [sig, code] of Object.entries(exitCodes)) {
		process.on(sig, () => {
			interrupted = true;
			say(`${sig}: stopping`);
			void stopAll().then(() => process.exit(code));
		});
	}

	try {
		const port = await getFreePort();
		const simPort = (await portIsFree(PREFERRED_SIM_PORT)) ? PREFERRED_SIM_PORT : await getFreePort();
		const demo = await startDemo({ n8nVersion, port, simPort, dialect: 'klivo', say, stoppers });
		stoppers.splice(0, 0, async () => fs.rmSync(path.dirname(demo.tarball), { recursive: true, force: true }));
		const { n8n, sim, workflow, credential } = demo;

		const findExecution = () =>
			waitFor(
				async () => {
					const list = await n8n.api('GET', `/executions?workflowId=${workflow.id}&limit=5`);
					return (list.data || []).find((e) => e.status === 'success' || e.finished === true);
				},
				{ timeoutMs: 30000, message: 'the auto-reply execution' },
			);

		const model = await startOpenAiDouble();
		stoppers.push(() => model.close());
		const startAiBot = async () => {
			const openAi = await n8n.createCredential({
				name: 'OpenAI (scripted test model)',
				type: 'openAiApi',
				data: { apiKey: 'sk-scripted-double', url: model.url, header: false },
			});
			const current = await n8n.api('GET', `/workflows/${demo.aiWorkflow.id}`);
			const nodes = current.nodes.map((node) =>
				node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi' ? { ...node, credentials: { openAiApi: { id: String(openAi.id), name: openAi.name } } } : node,
			);
			await n8n.api('PUT', `/workflows/${demo.aiWorkflow.id}`, { name: current.name, nodes, connections: current.connections, settings: { executionOrder: 'v1' } });
			await n8n.deactivateWorkflow(workflow.id);
			const activation = await n8n.activateWorkflow(demo.aiWorkflow.id);
			if (!activation.ok) throw new Error(`activating the AI support bot failed: ${activation.message}`);
			model.reset();
			model.script(handOffScript());
		};

		const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-chromium-'));
		stoppers.push(async () => fs.rmSync(userDataDir, { recursive: true, force: true }));
		const files = await takeScreenshots({
			url: n8n.url,
			simUrl: sim.url,
			owner: n8n.owner,
			workflowId: workflow.id,
			aiWorkflowId: demo.aiWorkflow.id,
			credentialId: credential.id,
			findExecution,
			startAiBot,
			chromium,
			userDataDir,
			onContext: (context) => stoppers.push(() => context.close()),
		});

		await stopAll();
		process.stdout.write(`\nREADME pictures (${((Date.now() - started) / 1000).toFixed(0)} s) in ${outDir}:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
		process.exit(0);
	} catch (error) {
		if (interrupted) return; // the signal handler stops everything and exits
		process.stderr.write(`\nnpm run screenshots failed: ${error instanceof Error ? error.stack || error.message : String(error)}\n`);
		await stopAll();
		process.exit(1);
	}
}

main().catch((error) => {
	// only what fails before anything started lands here (no Chromium, an unusable --out)
	process.stderr.write(`\nnpm run screenshots failed: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
