import type { HttpResult } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { passkeyStore, tableStore } from '../adapters/aws/table-clients';
import { envCeremonyOptions } from '../adapters/passkey/env-ceremony-options';
import { PAGE_HEADERS, enrolPage, unusablePage, votePage } from '../adapters/passkey/page-html';
import { openPasskeyPage, type PasskeyPageDeps } from '../domain/passkey/passkey-page';
import { systemClock } from '../ports/clock';

/**
 * `GET /approval/{link}`: the approval page of a one-time link (a vote to confirm with a passkey, or
 * an enrolment), rendered on the server from stored data, every value escaped. An unusable link gets
 * a page saying why (404 unknown, 410 used or expired): a browser, not a program, opens this route.
 */
export function approvalPageHandler(deps: PasskeyPageDeps) {
  return httpRoute(async (event): Promise<HttpResult> => {
    const page = await openPasskeyPage(deps, event.pathParameters?.link ?? '');
    const html =
      page.kind === 'vote'
        ? votePage(page.request, page.link, page.options)
        : page.kind === 'enrol'
          ? enrolPage(page.link, page.enrolled, page.options, page.proofs)
          : unusablePage(page.message);
    return {
      statusCode: page.kind !== 'unusable' ? 200 : page.reason === 'unknown' ? 404 : 410,
      headers: { ...PAGE_HEADERS },
      body: html,
    };
  });
}

export const handler = lazyHandler(() =>
  approvalPageHandler({
    store: tableStore(),
    passkeys: passkeyStore(),
    ceremony: envCeremonyOptions(),
    clock: systemClock,
  }),
);
