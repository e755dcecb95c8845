'use strict';
// The build: compile TypeScript, then copy the files tsc does not emit (icons, codex JSON).
const { src, dest, series } = require('gulp');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function clean(done) {
	fs.rm(path.join(__dirname, 'dist'), { recursive: true, force: true }, done);
}

function compile(done) {
	const tsc = require.resolve('typescript/bin/tsc');
	execFile(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: __dirname }, (error, stdout, stderr) => {
		if (stdout) process.stdout.write(stdout);
		if (stderr) process.stderr.write(stderr);
		done(error ? new Error('tsc failed') : undefined);
	});
}

function copyAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports.clean = clean;
exports.build = series(clean, compile, copyAssets);
exports.default = exports.build;
