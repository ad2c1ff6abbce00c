import { defineConfig } from 'vitest/config';

// Three suites: `unit` (fast, committed fixtures and synthetic bytes; `npm test`),
// `live` (starts a real MariaDB and tcpdump; `npm run test:live`),
// `corpus` (public captures in ../shared/corpus when present; `npm run test:corpus`).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'live', include: ['test/live/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 120_000, fileParallelism: false } },
      { test: { name: 'corpus', include: ['test/corpus/**/*.test.ts'], testTimeout: 300_000 } },
    ],
  },
});
