'use strict';
/**
 * Test tiers (README, "Tests"):
 * - `npm test`: the fast tier: unit, simulator, package and in-process node tests (no n8n install, no root).
 * - `npm run test:e2e` / `test:queue` / `test:reliability`: real n8n, queue mode (PostgreSQL + Redis),
 *   and the long reliability suite; KLIVO_TEST_TIER picks one. `npm run test:all` runs every tier.
 * @type {import('jest').Config}
 */
const SLOW_TIERS = ['e2e', 'queue', 'reliability'];
const tier = process.env.KLIVO_TEST_TIER || 'fast';
if (tier !== 'fast' && !SLOW_TIERS.includes(tier)) throw new Error(`KLIVO_TEST_TIER must be one of fast, ${SLOW_TIERS.join(', ')}`);

module.exports = {
	testEnvironment: 'node',
	roots: tier === 'fast' ? ['<rootDir>/test'] : [`<rootDir>/test/${tier}`],
	testMatch: ['**/*.test.ts', '**/*.test.js'],
	testPathIgnorePatterns: ['/node_modules/', ...(tier === 'fast' ? SLOW_TIERS.map((t) => `<rootDir>/test/${t}/`) : [])],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
	testTimeout: 30000,
};
