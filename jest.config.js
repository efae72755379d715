/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/n8n needs the real n8n (minutes to install): opt-in through `npm run test:n8n` (jest.n8n.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/n8n/', '<rootDir>/tests/chaos/'],
  // Type checking runs once in `npm test` (tsc --noEmit); isolated transpiling keeps jest fast.
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testTimeout: 30000,
  maxWorkers: 2,
};
