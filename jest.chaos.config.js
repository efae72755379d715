/** The kill -9 suite (`npm run test:chaos`): real processes over the built service; see docs/reliability.md. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/chaos'],
  testMatch: ['**/*.chaos.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  maxWorkers: 1,
};
