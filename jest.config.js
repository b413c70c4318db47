/** Unit tests run on the TypeScript sources; integration tests spawn the compiled CLI from dist/ (built by `npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  testTimeout: 60000,
  maxWorkers: 2,
};
