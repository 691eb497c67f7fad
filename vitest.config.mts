import { configDefaults, defineConfig } from 'vitest/config';
import { HOOK_TIMEOUT_MS, TEST_TIMEOUT_MS } from './test/helpers/timeouts';

export default defineConfig({
  test: {
    // Safety nets only: tests wait on events, never on a fixed time (test/helpers/wait.ts).
    testTimeout: TEST_TIMEOUT_MS,
    hookTimeout: HOOK_TIMEOUT_MS,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'stepup',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/deployed/**'],
        },
      },
      {
        // The synthesized bundles, run as deployed. Its global setup synthesizes the cloud assembly
        // (cached by tree) and runs only when a deployed test is selected.
        extends: true,
        test: {
          name: 'deployed',
          include: ['test/deployed/**/*.test.ts'],
          globalSetup: ['test/deployed/global-setup.ts'],
        },
      },
    ],
  },
});
