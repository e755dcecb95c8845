'use strict';
/**
 * `npm test` runs the unit, simulator, package, end-to-end (real n8n) and queue-mode suites.
 * The reliability suite (test/reliability, long) runs on its own: `npm run test:reliability`.
 * @type {import('jest').Config}
 */
const reliability = process.env.KLIVO_RELIABILITY === '1';

module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts', '**/*.test.js'],
	testPathIgnorePatterns: reliability ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/reliability/'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
	testTimeout: 30000,
};
