/**
 * The workflow's rules on in-memory adapters: no DynamoDB Local, no moto, no Slack stand-in.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.memory.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 10000,
};
