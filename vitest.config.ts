import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One DynamoDB Local and one SES local for the whole run; each test file makes its own table.
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: DynamoDB Local (Java) shares them with the workers.
    maxWorkers: 2,
    // Handlers log structured JSON; in tests only warnings and errors are worth reading.
    env: { LOG_LEVEL: 'WARN' },
  },
});
