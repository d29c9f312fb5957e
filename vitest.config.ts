import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Two files at once even on two cores (vitest's default is one fewer than the cores): the tests
    // mostly wait on real processes, sockets and browsers, so the suite's wall time halves and CI
    // stays well under its ten minutes.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
