'use strict';
/**
 * n8n in queue mode for the queue-mode suite (test/queue/queue.test.js): PostgreSQL and Redis from
 * scripts/queue-services.sh, then n8n main (`n8n start`: editor, API, activation), one webhook
 * processor (`n8n webhook`) and one worker (`n8n worker`), all with
 *
 *   EXECUTIONS_MODE=queue, DB_TYPE=postgresdb + DB_POSTGRESDB_*, QUEUE_BULL_REDIS_HOST/PORT,
 *   the same N8N_ENCRYPTION_KEY, and WEBHOOK_URL = the webhook processor's address,
 *
 * each with its own N8N_USER_FOLDER into whose .n8n/nodes the packed package is `npm install`ed,
 * as a user would do it in each container. Main runs with N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true,
 * so production webhooks are served by the webhook processor only.
 *
 * Main is started through the end-to-end harness (tools/n8n/harness.js: owner, login, API key,
 * activation helpers) with the queue-mode environment on top of its own; the webhook processor and
 * the worker are started here, with the harness's environment (buildEnv) plus the same settings.
 * Everything listens on 127.0.0.1 on free ports; every wait is bounded.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');

const installer = require('../../scripts/n8n-install.js');
const { startN8n, getFreePort, installPackages, buildEnv, waitFor, terminate, trackChild } = require('../../tools/n8n/harness.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICES_SCRIPT = path.join(ROOT, 'scripts', 'queue-services.sh');
const MAX_LOG_CHARS = 32 * 1024 * 1024;

// ---- PostgreSQL and Redis ------------------------------------------------------------------------

/**
 * Runs scripts/queue-services.sh start in `dir` (installs the Debian packages on first use).
 * Resolves { env: { KEY: value }, dir, seconds, stop({ purge }) }.
 */
function startServices({ dir, timeoutMs = 480000, say = () => undefined }) {
	const t0 = Date.now();
	const res = spawnSync('bash', [SERVICES_SCRIPT, 'start', '--dir', dir], { encoding: 'utf8', timeout: timeoutMs });
	for (const line of String(res.stderr || '').split('\n')) if (line.startsWith('[queue-services]')) say(line);
	if (res.status !== 0) {
		throw new Error(`scripts/queue-services.sh start failed (${res.status ?? res.signal}):\n${String(res.stderr).slice(-4000)}\n${res.stdout}`);
	}
	const env = {};
	for (const line of res.stdout.split('\n')) {
		const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
		if (m) env[m[1]] = m[2];
	}
	for (const k of ['DB_POSTGRESDB_PORT', 'DB_POSTGRESDB_PASSWORD', 'QUEUE_BULL_REDIS_PORT']) {
		if (!env[k]) throw new Error(`scripts/queue-services.sh printed no ${k}:\n${res.stdout}`);
	}
	let stopped = false;
	const stopNow = (purge) => {
		if (stopped) return;
		stopped = true;
		const args = [SERVICES_SCRIPT, 'stop', '--dir', dir];
		if (purge) args.push('--purge');
		spawnSync('bash', args, { encoding: 'utf8', timeout: 90000 });
	};
	// PostgreSQL and Redis run as daemons: do not leave them behind if the test process ends early
	process.on('exit', () => stopNow(true));
	return {
		env,
		dir,
		seconds: (Date.now() - t0) / 1000,
		/** { postgres, redis }: the pids of the postmaster and of redis-server (undefined when not running). */
		pids() {
			const first = (f) => {
				try {
					return Number(fs.readFileSync(f, 'utf8').split('\n')[0].trim()) || undefined;
				} catch {
					return undefined;
				}
			};
			return { postgres: first(path.join(dir, 'pg', 'postmaster.pid')), redis: first(path.join(dir, 'redis', 'redis.pid')) };
		},
		stop({ purge = true } = {}) {
			stopNow(purge);
		},
	};
}

/** The n8n settings shared by every process of the cluster. */
function queueEnv(services, { encryptionKey, webhookUrl }) {
	const s = services.env;
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: s.DB_POSTGRESDB_HOST,
		DB_POSTGRESDB_PORT: s.DB_POSTGRESDB_PORT,
		DB_POSTGRESDB_DATABASE: s.DB_POSTGRESDB_DATABASE,
		DB_POSTGRESDB_USER: s.DB_POSTGRESDB_USER,
		DB_POSTGRESDB_PASSWORD: s.DB_POSTGRESDB_PASSWORD,
		QUEUE_BULL_REDIS_HOST: s.QUEUE_BULL_REDIS_HOST,
		QUEUE_BULL_REDIS_PORT: s.QUEUE_BULL_REDIS_PORT,
		N8N_ENCRYPTION_KEY: encryptionKey,
		WEBHOOK_URL: webhookUrl,
		EXECUTIONS_DATA_PRUNE: 'false',
		// the harness's sqlite-only settings do not apply
		DB_SQLITE_POOL_SIZE: undefined,
	};
}

// ---- n8n webhook / worker processes --------------------------------------------------------------

const READY = {
	webhook: 'Webhook listener waiting for requests.',
	worker: 'n8n worker is now ready',
};

/**
 * A `n8n webhook` or `n8n worker` process. Resolves { role, port, url?, logs(), start(), stop(), pid }.
 * role 'webhook': serves production webhooks on `port`; role 'worker': its health server on `port`.
 */
async function n8nProcess({ role, version, inst, userFolder, env, port, say = () => undefined, startTimeoutMs = 180000 }) {
	let logText = '';
	let child = null;
	let exitPromise = null;
	const mark = `----- klivo-queue: starting n8n ${role}`;
	const append = (chunk) => {
		logText += chunk.toString();
		if (logText.length > MAX_LOG_CHARS) logText = logText.slice(-MAX_LOG_CHARS);
	};

	async function start() {
		const t0 = Date.now();
		append(`\n${mark} at ${new Date().toISOString()} -----\n`);
		const c = spawn(inst.nodeBin, [inst.n8nBin, role], { cwd: userFolder, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		c.stdout.on('data', append);
		c.stderr.on('data', append);
		let exited = null;
		exitPromise = trackChild(c, (code, signal) => {
			exited = { code, signal };
			append(`\n----- n8n ${role} exited (${signal || code}) -----\n`);
		});
		c.on('error', (e) => append(`\nspawn error: ${e.message}\n`));
		child = c;
		const health = `http://127.0.0.1:${port}/healthz/readiness`;
		try {
			await waitFor(
				async () => {
					if (exited) throw Object.assign(new Error(`n8n ${role} exited during start (${exited.signal || exited.code})`), { fatal: true });
					if (logText.lastIndexOf(READY[role]) < logText.lastIndexOf(mark)) return false;
					const r = await fetch(health, { signal: AbortSignal.timeout(5000) });
					return r.status === 200;
				},
				{ timeoutMs: startTimeoutMs, intervalMs: 300, message: `n8n ${role} ready (${health})` },
			);
		} catch (e) {
			e.message += `\n--- n8n ${role} output ---\n${logText.slice(-6000)}`;
			await stop();
			throw e;
		}
		proc.lastStartMs = Date.now() - t0;
		say(`n8n ${role} ${version} ready on 127.0.0.1:${port} in ${(proc.lastStartMs / 1000).toFixed(1)} s`);
	}

	async function stop(graceMs = 20000) {
		const c = child;
		if (!c) return undefined;
		child = null;
		return terminate(c, exitPromise, graceMs);
	}

	const proc = {
		role,
		port,
		userFolder,
		url: `http://127.0.0.1:${port}`,
		lastStartMs: null,
		get pid() {
			return child ? child.pid : null;
		},
		logs: () => logText,
		start,
		stop,
		async restart() {
			await stop();
			await start();
		},
	};
	return proc;
}

// ---- the cluster ---------------------------------------------------------------------------------

/**
 * Starts main, then the webhook processor and the worker (in parallel; main has migrated the
 * database by then). extraEnv: more n8n settings for every process; concurrency: the worker's.
 * Resolves the cluster:
 *   { main (harness instance), webhook, worker, webhookUrl, encryptionKey, folders,
 *     restartAll(), stop(), dispose(), logs() }
 */
async function startCluster({ services, tarball, version = installer.DEFAULT_N8N_VERSION, workDir, say = () => undefined, concurrency, extraEnv = {} }) {
	const inst = await installer.ensureN8n(version, { log: false });
	const encryptionKey = crypto.randomBytes(24).toString('hex');
	const ports = { main: await getFreePort(), webhook: await getFreePort(), worker: await getFreePort() };
	const webhookUrl = `http://127.0.0.1:${ports.webhook}/`;
	const folders = {};
	for (const role of ['main', 'webhook', 'worker']) {
		folders[role] = path.join(workDir, `n8n-${role}`);
		fs.mkdirSync(folders[role], { recursive: true });
	}
	const common = { ...queueEnv(services, { encryptionKey, webhookUrl }), ...extraEnv };

	// the package, installed as a user would, into each process's own folder
	const t0 = Date.now();
	for (const role of ['webhook', 'worker']) installPackages(folders[role], [tarball], say);
	say(`package installed into the webhook and worker folders in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

	const envFor = async (role, port, extra) =>
		buildEnv({
			version,
			dir: inst.dir,
			nodeBin: inst.nodeBin,
			recommendedEnv: inst.recommendedEnv,
			port,
			brokerPort: await getFreePort(), // each process its own task-runner broker
			userFolder: folders[role],
			webhookUrl,
			encryptionKey,
			env: { ...common, ...extra },
		});

	const tMain = Date.now();
	const main = await startN8n({
		version,
		port: ports.main,
		userFolder: folders.main,
		webhookUrl,
		packageTarball: tarball,
		env: { ...common, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' },
		startTimeoutMs: 240000,
	});
	say(`n8n main ${version} (queue mode, PostgreSQL) ready on ${main.url} in ${((Date.now() - tMain) / 1000).toFixed(1)} s`);

	const webhook = await n8nProcess({
		role: 'webhook',
		version,
		inst,
		userFolder: folders.webhook,
		port: ports.webhook,
		env: await envFor('webhook', ports.webhook, {}),
		say,
	});
	const workerEnv = {
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(ports.worker),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
	};
	if (concurrency) workerEnv.N8N_CONCURRENCY_PRODUCTION_LIMIT = String(concurrency);
	const worker = await n8nProcess({
		role: 'worker',
		version,
		inst,
		userFolder: folders.worker,
		port: ports.worker,
		env: await envFor('worker', await getFreePort(), workerEnv),
		say,
	});
	await Promise.all([webhook.start(), worker.start()]);

	const cluster = {
		version,
		main,
		webhook,
		worker,
		webhookUrl,
		encryptionKey,
		folders,
		/** Full production webhook URL for a path (on the webhook processor). */
		webhookFor: (p) => `${webhookUrl.replace(/\/$/, '')}/webhook/${String(p).replace(/^\//, '')}`,
		/** Stops every process, then starts main, then the webhook processor and the worker. */
		async restartAll() {
			await Promise.all([webhook.stop(), worker.stop()]);
			await main.stop();
			const t = Date.now();
			await main.restart();
			await Promise.all([webhook.start(), worker.start()]);
			return (Date.now() - t) / 1000;
		},
		async stop() {
			await Promise.all([webhook.stop(), worker.stop()]);
			await main.stop();
		},
		logs: () => ({ main: main.logs(), webhook: webhook.logs(), worker: worker.logs() }),
	};
	return cluster;
}

function mkTemp(prefix) {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = { startServices, startCluster, queueEnv, n8nProcess, mkTemp, SERVICES_SCRIPT };
