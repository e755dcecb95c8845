'use strict';
/**
 * Runs a REAL n8n (installed by scripts/n8n-install.js into a cache outside the repo) with a
 * community package loaded, headlessly, for `npm start` and the end-to-end jest suite.
 * Plain CommonJS, node built-ins only (global fetch: Node >= 18).
 *
 *   const { startN8n } = require('./tools/n8n/harness');
 *   const n8n = await startN8n({ version: '2.41.1', packageTarball: '/path/n8n-nodes-klivo-0.2.0.tgz' });
 *   await n8n.api('POST', '/workflows', { name, nodes, connections, settings: {} });
 *   await n8n.stop();
 *
 * What was found in n8n's own code (2.41.1 and 1.123.81; both checked):
 *
 * - Owner: POST /rest/owner/setup { email, firstName, lastName, password } (password: 8+ chars, a
 *   digit and an uppercase letter). Whether it is still needed: GET /rest/settings ->
 *   data.userManagement.showSetupOnFirstLoad. Login: POST /rest/login
 *   { emailOrLdapLoginId, password } sets cookie `n8n-auth`. The cookie's JWT is bound to the
 *   `browser-id` request header (hashed into the token): every /rest call must send the same
 *   browser-id header, so this harness sends a fixed one per instance.
 * - API key: GET /rest/api-keys/scopes -> the scopes the owner role may grant; then
 *   POST /rest/api-keys { label (1..50 chars), scopes: string[], expiresAt: null | unix seconds }
 *   -> data.rawApiKey (data.apiKey is the redacted form). Public API: /api/v1/... with header
 *   X-N8N-API-KEY. The key lives in the DB, so it survives restarts (kept in <userFolder>/klivo-harness.json).
 * - Node types loaded: GET /types/nodes.json (cookie auth; served from n8n's static cache dir,
 *   regenerated at start) -> array of node descriptions, `name` is e.g. 'n8n-nodes-klivo.klivo'
 *   (one entry per version). Credential types: GET /types/credentials.json. Also
 *   POST /rest/node-types { nodeInfos: [{ name, version }] } -> full descriptions of given types.
 *   GET /rest/community-packages lists only packages installed through n8n's own UI/API
 *   (installed_packages table), NOT packages dropped into <userFolder>/.n8n/nodes, so it is not
 *   the way to check that our package loaded.
 * - Community packages are loaded from <N8N_USER_FOLDER>/.n8n/nodes/node_modules/{n8n-nodes-*,@x/n8n-nodes-*}
 *   by the `community-packages` module (never disable it); the package's n8n.n8nNodesApiVersion
 *   must be supported, else it is skipped with a warning in the log.
 * - Credential test: POST /rest/credentials/test
 *   { credentials: { id, name, type, data } } -> data: { status: 'OK' | 'Error', message }.
 *   `id` must be a SAVED credential the user can read (create it first with
 *   POST /api/v1/credentials { name, type, data }); `data` is what gets tested (for the owner it is
 *   used as given, so send the full data). n8n 2.x also accepts id '' (unsaved, owner only) and has
 *   POST /api/v1/credentials/:id/test (tests the stored data; public API, 2.x only).
 * - Activation:
 *   * n8n 1.x: POST /api/v1/workflows/:id/activate is synchronous; a trigger that fails to
 *     activate gives HTTP 400 { message } and the workflow stays inactive.
 *   * n8n 2.x: same route (deprecated alias of /publish) answers 200 { active: true } at once and
 *     the triggers are set up asynchronously by the "workflow publication" outbox
 *     (N8N_USE_WORKFLOW_PUBLICATION_SERVICE, default true). Webhook path conflicts and invalid
 *     nodes still fail synchronously (409 / 400). Trigger failures surface in
 *     GET /rest/workflows/:id/publication-status -> data: { status: 'in_progress' | 'published' |
 *     'partial' | 'failed' | 'not_published', liveVersionId, pendingVersionId,
 *     triggers: [{ nodeId, status: 'activated' | 'failed', errorMessage }] }.
 *   `activateWorkflow()` below hides the difference.
 * - Env: see buildEnv(). 2.x always runs the JS task runner in "internal" mode (a child process
 *   of n8n; N8N_RUNNERS_ENABLED is deprecated there), whose broker listens on
 *   N8N_RUNNERS_BROKER_PORT (default 5679!), so each instance gets its own free broker port;
 *   N8N_PYTHON_ENABLED=false stops the (missing) Python runner. 1.x: N8N_RUNNERS_ENABLED=false.
 *   N8N_DISABLED_MODULES must only name modules this n8n knows (unknown -> n8n refuses to start),
 *   so the list is filtered against the installed n8n's MODULE_NAMES; `mcp-registry` (2.x) calls
 *   out to the internet at start and is always disabled.
 * - SSRF protection (2.x, N8N_SSRF_PROTECTION_ENABLED) is off by default; when on it blocks
 *   127.0.0.0/8, i.e. a local simulator. The harness sets it to false explicitly.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');

const installer = require('../../scripts/n8n-install.js');

const STATE_FILE = 'klivo-harness.json';
const BROWSER_ID = 'klivo-e2e-harness';
const READY_LINE = 'Editor is now accessible via'; // printed by `n8n start` when fully up (1.x and 2.x)
const START_MARK = '----- klivo-harness: starting n8n';
const MAX_LOG_CHARS = 8 * 1024 * 1024;

/** Modules we always want off when this n8n knows them (filtered per version). */
const DEFAULT_DISABLED_MODULES = ['mcp-registry'];

// n8n runs in its own process group (detached), so a Ctrl-C or a dying test process would not
// reach it: kill what is still running on exit and on SIGINT/SIGTERM/SIGHUP (then re-raise).
const live = new Set();
let guardsInstalled = false;
function installExitGuards() {
	if (guardsInstalled) return;
	guardsInstalled = true;
	process.on('exit', () => {
		for (const child of live) killGroup(child.pid, 'SIGKILL');
	});
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		const onSignal = () => {
			for (const child of live) killGroup(child.pid, 'SIGKILL');
			if (process.listenerCount(sig) === 1) {
				process.removeListener(sig, onSignal);
				process.kill(process.pid, sig);
			}
		};
		process.on(sig, onSignal);
	}
}

/**
 * Kills c's process group when this process exits or is interrupted, and once c has exited (n8n's
 * task runner may outlive its parent for a moment). Resolves { code, signal } when c has exited;
 * onExit(code, signal) runs first.
 */
function trackChild(c, onExit = () => undefined) {
	installExitGuards();
	live.add(c);
	return new Promise((resolve) => {
		c.on('exit', (code, signal) => {
			live.delete(c);
			onExit(code, signal);
			killGroup(c.pid, 'SIGKILL');
			resolve({ code, signal });
		});
	});
}

function killGroup(pid, signal) {
	if (!pid) return;
	try {
		process.kill(-pid, signal);
	} catch {
		try {
			process.kill(pid, signal);
		} catch {}
	}
}

/** Polls fn until it returns a truthy value (thrown errors count as "not yet"); resolves with that value. */
/** SIGTERM to a child, SIGKILL to its process group if it has not exited after graceMs; resolves its exit. */
async function terminate(c, exitPromise, graceMs = 20000) {
	if (c.exitCode !== null || c.signalCode !== null) return exitPromise;
	try {
		process.kill(c.pid, 'SIGTERM');
	} catch {}
	const timer = setTimeout(() => killGroup(c.pid, 'SIGKILL'), graceMs);
	const r = await exitPromise;
	clearTimeout(timer);
	return r;
}

async function waitFor(fn, { timeoutMs = 30000, intervalMs = 250, message = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastError;
	for (;;) {
		try {
			const v = await fn();
			if (v) return v;
		} catch (e) {
			lastError = e;
		}
		if (Date.now() >= deadline) {
			const err = new Error(
				`Timed out after ${timeoutMs} ms waiting for ${message}` + (lastError ? `: ${lastError.message}` : ''),
			);
			err.lastError = lastError;
			throw err;
		}
		await new Promise((r) => setTimeout(r, intervalMs));
	}
}

/** A TCP port free on 127.0.0.1 right now. */
function getFreePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function readJson(file, fallback) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return fallback;
	}
}

/** Module names the installed n8n knows (N8N_DISABLED_MODULES rejects unknown ones). */
function knownModules(dir) {
	const f = path.join(dir, 'node_modules', '@n8n', 'backend-common', 'dist', 'modules', 'modules.config.js');
	try {
		const src = fs.readFileSync(f, 'utf8');
		const m = /MODULE_NAMES\s*=\s*\[([^\]]*)\]/.exec(src);
		if (!m) return [];
		return [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
	} catch {
		return [];
	}
}

function majorOf(version) {
	return Number(String(version).split('.')[0]);
}

/**
 * Installs packed community packages into <userFolder>/.n8n/nodes (no scripts, no peers, prefer the
 * cache). Several tarballs go into ONE `npm install`: a later `npm install --no-save` of another
 * package would prune the first one as extraneous.
 */
function installPackages(userFolder, tarballs, say) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pkgJson = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pkgJson)) {
		fs.writeFileSync(pkgJson, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	}
	const list = (Array.isArray(tarballs) ? tarballs : [tarballs]).map((t) => path.resolve(t));
	if (list.length === 0) throw new Error('no package tarball given');
	for (const abs of list) if (!fs.existsSync(abs)) throw new Error(`package tarball not found: ${abs}`);
	const shown = list.join(', ');
	say(`installing ${shown} into ${nodesDir}`);
	const res = spawnSync(
		'npm',
		[
			'install',
			...list,
			'--ignore-scripts',
			'--no-save',
			'--no-package-lock',
			'--no-audit',
			'--no-fund',
			'--no-update-notifier',
			'--prefer-offline',
			'--legacy-peer-deps', // peer n8n-workflow is provided by n8n itself (NODE_PATH)
			'--omit=dev',
			'--loglevel=warn',
		],
		{ cwd: nodesDir, env: installer.cleanEnv(), encoding: 'utf8', timeout: 300000 },
	);
	if (res.status !== 0) {
		throw new Error(`npm install of ${shown} failed (${res.status ?? res.signal}): ${res.stderr || res.stdout}`);
	}
	return { nodesDir };
}

/** Installs one packed community package into <userFolder>/.n8n/nodes (see installPackages). */
function installPackage(userFolder, tarball, say) {
	return installPackages(userFolder, [tarball], say);
}

function buildEnv({ version, dir, nodeBin, recommendedEnv, port, brokerPort, userFolder, webhookUrl, encryptionKey, disabledModules, env }) {
	const major = majorOf(version);
	const known = knownModules(dir);
	const disabled = [...new Set([...DEFAULT_DISABLED_MODULES, ...(disabledModules || [])])].filter(
		(m) => m !== 'community-packages' && known.includes(m),
	);
	const base = {
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: webhookUrl,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		// nothing may call out: there is no internet
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		// the public API and community packages
		N8N_PUBLIC_API_DISABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'false',
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		// task runners (only built-in nodes are used: no Code node needs a runner)
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PYTHON_ENABLED: 'false',
		// storage / executions
		DB_TYPE: 'sqlite',
		EXECUTIONS_MODE: 'regular',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		GENERIC_TIMEZONE: 'UTC',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_DISABLED_MODULES: disabled.join(','),
	};
	if (major < 2) {
		base.N8N_RUNNERS_ENABLED = 'false';
		base.DB_SQLITE_POOL_SIZE = '2'; // 1.x default 0 = deprecated legacy driver
	}
	// from the installer, e.g. N8N_EXPRESSION_ENGINE=legacy where isolated-vm cannot run (1.123.x on Node 20)
	Object.assign(base, recommendedEnv || {});
	// n8n's Node first on PATH (its task runner and any npm it runs use it); npm_* vars dropped
	const out = installer.runtimeEnv({ nodeBin: nodeBin || process.execPath }, base);
	for (const [k, v] of Object.entries(env || {})) {
		if (v === undefined || v === null) delete out[k];
		else out[k] = String(v);
	}
	return out;
}

/**
 * Starts n8n and returns an instance:
 *   { url, port, userFolder, apiKey, version, webhookUrl, api(method, path, body, opts),
 *     rest(method, path, body, opts), stop(), restart(), dispose(), logs(), listNodeTypes(), nodeTypeVersions(name),
 *     listCredentialTypes(), createCredential(c), testCredential(cred), activateWorkflow(id, opts),
 *     deactivateWorkflow(id, opts), publicationStatus(id), waitForPublication(id, opts), webhook(path) }
 *
 * options:
 *   version         n8n version (default scripts/n8n-install.js DEFAULT_N8N_VERSION, or $KLIVO_N8N_VERSION)
 *   port            HTTP port (default: a free one)
 *   userFolder      N8N_USER_FOLDER (default: a new temp folder); reused state lives in <userFolder>/klivo-harness.json
 *   webhookUrl      WEBHOOK_URL (default http://127.0.0.1:<port>/)
 *   env             extra env for n8n (undefined/null deletes a variable)
 *   packageTarball  path to an `npm pack` tarball, installed into <userFolder>/.n8n/nodes (a folder
 *                   would be symlinked by npm, and the package would then see the repo's node_modules);
 *                   an array of paths installs several packages (one `npm install`)
 *   packageTarballs more tarballs to install along with packageTarball (e.g. a second package)
 *   log             true: echo n8n output to stderr; function(line): receive each line; default: quiet
 *   disabledModules extra n8n modules to disable (filtered to those this n8n knows)
 *   startTimeoutMs  default 240000
 *   owner           { email, password, firstName, lastName } for a first start
 */
async function startN8n(options = {}) {
	const version = options.version || process.env.KLIVO_N8N_VERSION || installer.DEFAULT_N8N_VERSION;
	const sayPrefix = `[n8n-harness ${version}]`;
	const userLog =
		options.log === true
			? (line) => process.stderr.write(`${sayPrefix} ${line}\n`)
			: typeof options.log === 'function'
				? options.log
				: null;
	const say = (line) => (userLog ? userLog(line) : undefined);

	const inst = await installer.ensureN8n(version, { log: userLog ? (l) => userLog(l) : undefined });
	const port = options.port || (await getFreePort());
	const ownsUserFolder = !options.userFolder;
	const userFolder = path.resolve(options.userFolder || fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-n8n-')));
	fs.mkdirSync(userFolder, { recursive: true });
	const webhookUrl = options.webhookUrl || `http://127.0.0.1:${port}/`;
	const url = `http://127.0.0.1:${port}`;

	const stateFile = path.join(userFolder, STATE_FILE);
	const state = readJson(stateFile, {});
	if (!state.encryptionKey) state.encryptionKey = crypto.randomBytes(24).toString('hex');
	if (!state.owner) {
		state.owner = {
			email: 'owner@klivo-e2e.test',
			firstName: 'Klivo',
			lastName: 'Tester',
			password: `Kl1vo-${crypto.randomBytes(9).toString('base64url')}`,
			...(options.owner || {}),
		};
	}
	const brokerPort = await getFreePort(); // task broker (2.x); kept for restarts of this instance
	const saveState = () => fs.writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
	saveState();

	const tarballs = [options.packageTarball, ...(options.packageTarballs || [])].flat().filter(Boolean);
	if (tarballs.length > 0) installPackages(userFolder, tarballs, say);

	const env = buildEnv({
		version,
		dir: inst.dir,
		port,
		nodeBin: inst.nodeBin,
		recommendedEnv: inst.recommendedEnv,
		brokerPort,
		userFolder,
		webhookUrl,
		encryptionKey: state.encryptionKey,
		disabledModules: options.disabledModules,
		env: options.env,
	});

	let logText = '';
	let child = null;
	let exitPromise = null;
	let cookies = {};

	function appendLog(chunk) {
		const s = chunk.toString();
		logText += s;
		if (logText.length > MAX_LOG_CHARS) logText = logText.slice(-MAX_LOG_CHARS);
		if (userLog) for (const line of s.split('\n')) if (line.trim()) userLog(line);
	}

	function spawnN8n() {
		appendLog(`\n${START_MARK} ${version} on ${url} at ${new Date().toISOString()} -----\n`);
		const c = spawn(inst.nodeBin, [inst.n8nBin, 'start'], {
			cwd: userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true, // own process group: stop() also reaches the task runner child
		});
		c.stdout.on('data', appendLog);
		c.stderr.on('data', appendLog);
		exitPromise = trackChild(c, (code, signal) => appendLog(`\n----- n8n exited (${signal || code}) -----\n`));
		c.on('error', (e) => appendLog(`\nspawn error: ${e.message}\n`));
		child = c;
		return c;
	}

	async function request(method, urlPath, body, { raw = false, headers = {}, timeoutMs = 60000 } = {}) {
		const h = { accept: 'application/json', 'browser-id': BROWSER_ID, ...headers };
		const cookieHeader = Object.entries(cookies)
			.map(([k, v]) => `${k}=${v}`)
			.join('; ');
		if (cookieHeader && !h.cookie) h.cookie = cookieHeader;
		let payload;
		if (body !== undefined && body !== null) {
			if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
			else {
				payload = JSON.stringify(body);
				h['content-type'] = h['content-type'] || 'application/json';
			}
		}
		const res = await fetch(url + urlPath, { method, headers: h, body: payload, signal: AbortSignal.timeout(timeoutMs) });
		const setCookies = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
		for (const sc of setCookies) {
			const [pair] = sc.split(';');
			const i = pair.indexOf('=');
			if (i > 0) cookies[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
		}
		const text = await res.text();
		let parsed = text;
		try {
			parsed = text ? JSON.parse(text) : null;
		} catch {}
		if (raw) return { status: res.status, headers: res.headers, body: parsed };
		if (!res.ok) {
			const msg = parsed && typeof parsed === 'object' && parsed.message ? parsed.message : String(text).slice(0, 500);
			const err = new Error(`${method} ${urlPath} -> HTTP ${res.status}: ${msg}`);
			err.status = res.status;
			err.body = parsed;
			throw err;
		}
		return parsed;
	}

	/** Internal REST API (owner cookie). Returns `data` of n8n's { data } envelope (raw: { status, headers, body }). */
	async function rest(method, p, body, opts = {}) {
		const r = await request(method, `/rest${p.startsWith('/') ? p : `/${p}`}`, body, opts);
		if (opts.raw) return r;
		return r && typeof r === 'object' && !Array.isArray(r) && 'data' in r ? r.data : r;
	}

	/** Public API /api/v1 with the API key. Returns the parsed body (raw: { status, headers, body }). */
	async function api(method, p, body, opts = {}) {
		if (!instance.apiKey) throw new Error('no API key yet');
		return request(method, `/api/v1${p.startsWith('/') ? p : `/${p}`}`, body, {
			...opts,
			headers: { 'x-n8n-api-key': instance.apiKey, ...(opts.headers || {}) },
		});
	}

	async function waitReady(startedAt) {
		const timeoutMs = options.startTimeoutMs || 240000;
		const deadline = startedAt + timeoutMs;
		let exited = null;
		exitPromise.then((e) => (exited = e));
		const check = async () => {
			if (exited) {
				const err = new Error(`n8n exited during start (${exited.signal || exited.code})`);
				err.fatal = true;
				throw err;
			}
			const h = await request('GET', '/healthz', null, { raw: true, timeoutMs: 5000 });
			if (h.status !== 200) return false;
			const r = await request('GET', '/healthz/readiness', null, { raw: true, timeoutMs: 5000 });
			if (r.status !== 200) return false;
			const s = await request('GET', '/rest/settings', null, { raw: true, timeoutMs: 10000 });
			if (s.status !== 200) return false;
			return logText.lastIndexOf(READY_LINE) > logText.lastIndexOf(START_MARK) ? s.body.data : false;
		};
		for (;;) {
			try {
				const v = await check();
				if (v) return v;
			} catch (e) {
				if (e.fatal) {
					e.message += `\n--- n8n output ---\n${logText.slice(-6000)}`;
					throw e;
				}
			}
			if (Date.now() > deadline) {
				throw new Error(`n8n did not become ready within ${timeoutMs} ms\n--- n8n output ---\n${logText.slice(-6000)}`);
			}
			await new Promise((r) => setTimeout(r, 300));
		}
	}

	async function loginAndKey(settings) {
		const o = state.owner;
		if (settings.userManagement && settings.userManagement.showSetupOnFirstLoad) {
			say('setting up the owner');
			await rest('POST', '/owner/setup', {
				email: o.email,
				firstName: o.firstName,
				lastName: o.lastName,
				password: o.password,
			});
			state.ownerSetUp = true;
			saveState();
		}
		cookies = {};
		await rest('POST', '/login', { emailOrLdapLoginId: o.email, email: o.email, password: o.password });
		if (!cookies['n8n-auth']) throw new Error('login did not set the n8n-auth cookie');

		if (state.apiKey) {
			instance.apiKey = state.apiKey;
			const probe = await api('GET', '/workflows?limit=1', null, { raw: true });
			if (probe.status === 200) return;
			say(`saved API key rejected (${probe.status}); creating a new one`);
		}
		// n8n < 1.9x has no API key scopes (no /scopes route; a key may do everything)
		const scopes = await rest('GET', '/api-keys/scopes').catch((e) => {
			if (e.status === 404) return undefined;
			throw e;
		});
		const created = await rest('POST', '/api-keys', {
			label: `klivo-e2e-${Date.now()}`,
			scopes,
			expiresAt: null,
		});
		instance.apiKey = created.rawApiKey || created.apiKey;
		if (!instance.apiKey || instance.apiKey.includes('*')) throw new Error(`unexpected API key answer: ${JSON.stringify(created)}`);
		state.apiKey = instance.apiKey;
		saveState();
	}

	async function boot() {
		const t0 = Date.now();
		spawnN8n();
		try {
			const settings = await waitReady(t0);
			await loginAndKey(settings);
		} catch (e) {
			await stopChild();
			throw e;
		}
		instance.lastStartMs = Date.now() - t0;
		say(`n8n ${version} ready on ${url} in ${instance.lastStartMs} ms`);
	}

	async function stopChild(graceMs = 20000) {
		const c = child;
		if (!c) return;
		child = null;
		return terminate(c, exitPromise, graceMs);
	}

	const instance = {
		version,
		major: majorOf(version),
		url,
		port,
		webhookUrl,
		userFolder,
		apiKey: null,
		owner: state.owner,
		nodeBin: inst.nodeBin,
		n8nBin: inst.n8nBin,
		lastStartMs: null,
		api,
		rest,
		request,
		get pid() {
			return child ? child.pid : null;
		},
		logs: () => logText,
		/** SIGTERM, SIGKILL (whole process group) after graceMs; resolves { code, signal } when exited. */
		stop: (graceMs) => stopChild(graceMs),
		/** stop(), then delete the user folder if the harness made it (no userFolder option given). */
		async dispose(graceMs) {
			await stopChild(graceMs);
			if (ownsUserFolder) fs.rmSync(userFolder, { recursive: true, force: true });
		},
		/** stop() then start again with the same folder, port and key; resolves the instance. */
		async restart(graceMs) {
			await stopChild(graceMs);
			await boot();
			return instance;
		},
		/** Full production webhook URL for a path. */
		webhook: (p) => `${webhookUrl.replace(/\/$/, '')}/webhook/${String(p).replace(/^\//, '')}`,
		/** Names of all loaded node types (e.g. 'n8n-nodes-klivo.klivo'), from GET /types/nodes.json. */
		async listNodeTypes() {
			const list = await request('GET', '/types/nodes.json');
			return [...new Set(list.map((n) => n.name))];
		},
		/** Every version n8n knows of one node type, from GET /types/nodes.json (a type may be listed once per version). */
		async nodeTypeVersions(name) {
			const list = await request('GET', '/types/nodes.json');
			return [...new Set(list.filter((n) => n.name === name).flatMap((n) => (Array.isArray(n.version) ? n.version : [n.version])))].sort();
		},
		/** Names of all loaded credential types, from GET /types/credentials.json. */
		async listCredentialTypes() {
			const list = await request('GET', '/types/credentials.json');
			return [...new Set(list.map((c) => c.name))];
		},
		/**
		 * Tests a credential through POST /rest/credentials/test. Pass { id } of a saved credential
		 * (created via api('POST', '/credentials', { name, type, data })) plus name, type and the data
		 * to test. Resolves { status: 'OK' | 'Error', message }.
		 */
		testCredential: ({ id, name = '', type, data }) =>
			rest('POST', '/credentials/test', { credentials: { id: String(id), name, type, data } }),
		/**
		 * POST /api/v1/credentials { name, type, data } -> { id, name, type, ... }.
		 * n8n injects "allowedHttpRequestDomains"/"allowedDomains" into credential types that have
		 * `authenticate`; n8n 1.123's public-API schema then demands allowedDomains unless
		 * allowedHttpRequestDomains is given, so on that 400 this retries with
		 * allowedHttpRequestDomains: 'all' (2.41 accepts the plain data).
		 */
		async createCredential({ name, type, data }) {
			const r = await api('POST', '/credentials', { name, type, data }, { raw: true });
			if (r.status === 200 || r.status === 201) return r.body;
			const msg = r.body && r.body.message ? String(r.body.message) : '';
			if (r.status === 400 && msg.includes('allowedDomains') && !('allowedHttpRequestDomains' in (data || {}))) {
				return api('POST', '/credentials', { name, type, data: { ...data, allowedHttpRequestDomains: 'all' } });
			}
			const err = new Error(`POST /api/v1/credentials -> HTTP ${r.status}: ${msg}`);
			err.status = r.status;
			err.body = r.body;
			throw err;
		},
		/** 2.x only: GET /rest/workflows/:id/publication-status. */
		publicationStatus: (id) => rest('GET', `/workflows/${id}/publication-status`),
		/**
		 * Activates via the public API and waits until the triggers are set up.
		 * Resolves { ok, status, message, triggers, workflow } — never throws for an activation
		 * failure (ok: false, message: n8n's error text); throws for other HTTP errors only when
		 * opts.throwOnError is true.
		 */
		async activateWorkflow(id, { timeoutMs = 60000, throwOnError = false } = {}) {
			const r = await api('POST', `/workflows/${id}/activate`, {}, { raw: true });
			let result;
			if (r.status !== 200) {
				result = { ok: false, status: `http-${r.status}`, message: r.body && r.body.message, triggers: [], workflow: null };
			} else if (instance.major < 2) {
				result = { ok: true, status: 'published', message: null, triggers: [], workflow: r.body };
			} else {
				const st = await waitFor(
					async () => {
						const s = await instance.publicationStatus(id);
						return s.status !== 'in_progress' ? s : false;
					},
					{ timeoutMs, intervalMs: 250, message: `publication of workflow ${id}` },
				);
				const failed = (st.triggers || []).filter((t) => t.status === 'failed');
				result = {
					ok: st.status === 'published',
					status: st.status,
					message: failed.map((t) => t.errorMessage).join('; ') || null,
					triggers: st.triggers || [],
					workflow: r.body,
				};
			}
			if (!result.ok && throwOnError) {
				const e = new Error(`activation of workflow ${id} failed (${result.status}): ${result.message}`);
				e.result = result;
				throw e;
			}
			return result;
		},
		/**
		 * Deactivates via the public API. n8n 2.x unpublishes asynchronously (outbox): unless
		 * opts.wait is false, this waits until the triggers are torn down (publication status
		 * 'not_published'), so that the nodes' delete hooks have run when it resolves.
		 */
		async deactivateWorkflow(id, { wait = true, timeoutMs = 60000 } = {}) {
			const r = await api('POST', `/workflows/${id}/deactivate`, {});
			if (wait && instance.major >= 2) await instance.waitForPublication(id, { timeoutMs, until: 'not_published' });
			return r;
		},
		/**
		 * 2.x only: waits until no publication of the workflow is in flight (e.g. after a PUT of an
		 * active workflow, which re-publishes it) and resolves the publication status. opts.until:
		 * a status to wait for (e.g. 'not_published'); opts.versionId: wait until that version is live.
		 */
		async waitForPublication(id, { timeoutMs = 60000, until, versionId } = {}) {
			return waitFor(
				async () => {
					const s = await instance.publicationStatus(id);
					if (s.status === 'in_progress') return false;
					if (until && s.status !== until) return false;
					if (versionId && s.liveVersionId !== versionId) return false;
					return s;
				},
				{ timeoutMs, intervalMs: 250, message: `publication of workflow ${id}${until ? ` to be ${until}` : ''}${versionId ? ` with version ${versionId} live` : ''}` },
			);
		},
	};

	await boot();
	return instance;
}

module.exports = { startN8n, waitFor, getFreePort, installPackage, installPackages, knownModules, buildEnv, terminate, trackChild };
