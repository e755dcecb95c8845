#!/usr/bin/env node
'use strict';
/**
 * `npm run screenshots`: the README pictures, taken from a real n8n in headless Chromium.
 *
 * Does what `npm start` does (scripts/demo.js: build + pack, the Klivo simulator, n8n with the package,
 * a credential, the demo workflow, activated), on free ports with a temporary n8n folder; sends one
 * `message_created` from the simulator so there is an execution; then logs in to the editor with
 * playwright-core driving the system Chromium and saves into docs/images/:
 *
 *   editor-demo-workflow.png   the demo workflow on the canvas
 *   trigger-parameters.png     the Klivo Trigger opened: credential, events, the Options list
 *   execution-output.png       the execution's trigger output (JSON), scrolled to the `klivo` summary
 *   credential.png             the Klivo API credential dialog, connection tested
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

const args = parseArgs(process.argv.slice(2));
const outDir = path.resolve(args.out || path.join(root, 'docs', 'images'));
const n8nVersion = args.n8n || process.env.KLIVO_N8N_VERSION || installer.DEFAULT_N8N_VERSION;
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const VIEWPORT = { width: 1440, height: 900 };
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

async function shoot(page, name, what) {
	await assertNotBroken(page, what);
	await page.waitForTimeout(400); // animations (zoom, dropdown, modal) settle
	const file = path.join(outDir, name);
	await page.screenshot({ path: file, fullPage: false, animations: 'disabled', caret: 'hide' });
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

async function takeScreenshots({ url, owner, workflowId, executionId, credentialId, chromium, userDataDir, onContext }) {
	const context = await chromium.launchPersistentContext(userDataDir, {
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
	onContext(context);
	const page = context.pages()[0] || (await context.newPage());
	page.setDefaultTimeout(30000);
	try {
		return await takeEach(page, { url, owner, workflowId, executionId, credentialId });
	} catch (error) {
		const debug = path.join(os.tmpdir(), 'klivo-screenshots-failure.png');
		await page.screenshot({ path: debug }).catch(() => undefined);
		if (fs.existsSync(debug)) error.message += ` (the browser showed: ${debug})`;
		throw error;
	}
}

async function takeEach(page, { url, owner, workflowId, executionId, credentialId }) {
	const files = [];

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

	return files;
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

		say('simulator: emitting message_created');
		// A customer message in a seeded conversation: the demo auto-reply answers it (a fixture's conversation does not exist).
		const { deliveries } = await sim.customerMessage(1, 2, 'Oi! Vocês entregam no sábado?');
		if (!deliveries.some((d) => d.ok)) throw new Error(`the simulator's delivery failed: ${JSON.stringify(deliveries)}`);
		const execution = await waitFor(
			async () => {
				const list = await n8n.api('GET', `/executions?workflowId=${workflow.id}&limit=5`);
				return (list.data || []).find((e) => e.status === 'success' || e.finished === true);
			},
			{ timeoutMs: 30000, message: 'the demo execution' },
		);
		say(`execution ${execution.id} saved`);

		const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-chromium-'));
		stoppers.push(async () => fs.rmSync(userDataDir, { recursive: true, force: true }));
		const files = await takeScreenshots({
			url: n8n.url,
			owner: n8n.owner,
			workflowId: workflow.id,
			executionId: execution.id,
			credentialId: credential.id,
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
