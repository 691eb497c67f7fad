import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); `CHROMIUM_PATH` points elsewhere, e.g. on a Mac. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and quiet: without the background-networking flags Chromium dials out at every start. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** What the browser tests say when there is no Chromium: they never skip. */
export const MISSING_CHROMIUM = [
  `The browser tests drive Chromium at ${CHROMIUM}, and there is none.`,
  'Install it (Debian/Ubuntu):  sudo apt-get update && sudo apt-get install -y chromium',
  '(.ci/run installs it in CI; CHROMIUM_PATH=/path/to/chromium uses another build.)',
  'These tests do not skip: without a browser the pages are untested.',
].join('\n');

/** A Chromium that may reach only one origin, and what its page did otherwise. */
export interface OfflineChromium {
  readonly context: BrowserContext;
  readonly page: Page;
  /** URLs the page asked for outside the allowed origin (each refused). */
  readonly external: string[];
  /** Uncaught page errors (and, with `consoleErrors`, console errors). */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Launches Chromium in a fresh profile, offline but for URLs under `allowed`: anything else the page
 * asks for is recorded in `external` and refused.
 */
export async function offlineChromium(options: {
  readonly allowed: string;
  readonly viewport: { readonly width: number; readonly height: number };
  readonly consoleErrors?: boolean;
}): Promise<OfflineChromium> {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING_CHROMIUM);
  const profile = mkdtempSync(join(tmpdir(), 'stepup-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10_000);
  const external: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${options.allowed}/`)) return route.continue();
    external.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  if (options.consoleErrors) {
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  }
  return {
    context,
    page,
    external,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
