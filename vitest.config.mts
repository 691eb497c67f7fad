import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
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
