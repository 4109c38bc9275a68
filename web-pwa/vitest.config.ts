import { defineConfig } from 'vitest/config';

// Unit tests only; e2e/ is the browser test, run by Node's test runner from PwaBrowserTest.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
