/**
 * The suite's safety nets, shared by `vitest.config.mts` and the wait helpers. They are generous on
 * purpose: no test waits for a fixed time, so these only end a test that is truly stuck, and a busy
 * machine (CI runners, other builds on the same cores) must never reach them.
 */
export const TEST_TIMEOUT_MS = 120_000;

/** For `beforeAll`/`afterAll` hooks, which start runtimes, browsers and child processes. */
export const HOOK_TIMEOUT_MS = 180_000;
