#!/usr/bin/env node
'use strict';
/**
 * n8n's community package scanner (@n8n/scan-community-package), run offline on both of its legs:
 *
 *   node scripts/scan.js        (npm run scan; build dist/ first, `npm run scan` does)
 *
 * The published CLI downloads the package and its provenance-attested source from npm and GitHub.
 * Here the same analyser runs on local folders with the same file patterns the CLI uses:
 * - the source leg: this checkout's package.json, nodes/ and credentials/ (SOURCE_FILE_PATTERNS);
 * - the tarball leg: what `npm pack` would publish, unpacked into a temp folder (compiled .js and
 *   the packed package.json), since a build step can put anything into dist/.
 * Prints every finding and exits non-zero when either leg has one.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];

function run(command, args, cwd) {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
	}
	return result.stdout;
}

/** Packs the package as `npm publish` would and unpacks it; returns the unpacked folder. */
function packAndUnpack(tempDir) {
	const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tempDir], ROOT);
	const [{ filename, files }] = JSON.parse(out);
	const tarball = path.join(tempDir, path.basename(filename));
	const packageDir = path.join(tempDir, 'package');
	fs.mkdirSync(packageDir);
	run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], tempDir);
	return { packageDir, fileCount: files.length, tarball: path.basename(filename) };
}

async function main() {
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes'))) {
		throw new Error('dist/ is missing: run `npx gulp build` (or `npm run scan`, which builds) first');
	}
	const scanner = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
	// The scanner makes a download folder with `tmp` when it loads; tmp removes it at exit only when told to.
	require(require.resolve('tmp', { paths: [path.dirname(scanner)] })).setGracefulCleanup();
	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(scanner);
	const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'klivo-scan-'));
	try {
		const packed = packAndUnpack(tempDir);
		const legs = [
			{ name: `source tree (${SOURCE_FILE_PATTERNS.join(', ')})`, dir: ROOT, patterns: SOURCE_FILE_PATTERNS },
			{
				name: `packed tarball ${packed.tarball} (${packed.fileCount} files; ${TARBALL_PATTERNS.join(', ')})`,
				dir: packed.packageDir,
				patterns: TARBALL_PATTERNS,
			},
		];
		let failed = 0;
		for (const leg of legs) {
			const result = await analyzePackage(leg.dir, leg.patterns);
			// The analyser passes a folder without matching files; for us that means a broken pack or path.
			if (result.passed && result.message === 'No files found to analyze') {
				Object.assign(result, { passed: false });
			}
			if (result.passed) {
				console.log(`scan passed: ${leg.name}${result.message ? ` (${result.message})` : ''}`);
			} else {
				failed += 1;
				console.log(`scan FAILED: ${leg.name}: ${result.message}`);
				if (result.details) console.log(result.details);
			}
		}
		return failed;
	} finally {
		fs.rmSync(tempDir, { recursive: true, force: true });
	}
}

main().then(
	(failed) => {
		process.exitCode = failed ? 1 : 0;
	},
	(error) => {
		console.error(`scan could not run: ${error.message}`);
		process.exitCode = 2;
	},
);
