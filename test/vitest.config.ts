import {defineConfig} from 'vitest/config'

// Unit tests: pure logic, parallel. Integration tests: real processes, namespaces, cgroups, QEMU;
// run one file at a time (2-core CI machines, shared host resources such as the isobench0 bridge).
export default defineConfig({
  test: {
    disableConsoleIntercept: true,
    projects: [
      {
        extends: true,
        test: {name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000},
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
