/** Transpile-only ts-jest (types are checked by `npm run typecheck`); @middy is ESM-only and is transformed too. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/support/jest-env.js'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
