/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    '^@plinth/sdk$': '<rootDir>/sdk/src/index.ts',
    '^@plinth/core$': '<rootDir>/core/src/index.ts',
  },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/{core,sdk,plugins}/**/src/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  testTimeout: 60000,
  // One CI run stayed up after all tests had passed (a child process or connection not
  // released; not reproduced since). Exit when the run is over instead of hanging CI.
  forceExit: true,
};
