/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm test` (tsc --noEmit); isolated transpiling keeps jest fast.
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testTimeout: 30000,
  maxWorkers: 2,
};
