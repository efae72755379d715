/**
 * The opt-in suite against the real n8n (`npm run test:n8n`): installs n8n outside this project's
 * dependencies (scripts/n8n/install-n8n.sh), imports docs/n8n/*.workflow.json and runs the round trip.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/n8n'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testTimeout: 30 * 60_000,
  maxWorkers: 1,
};
