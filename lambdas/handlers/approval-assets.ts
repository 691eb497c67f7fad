import { join } from 'node:path';
import { json, type HttpResult } from '../adapters/api-gateway/http-event';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { BROWSER_LIBRARY_FILE, readOnce } from '../adapters/passkey/browser-library';
import { PAGE_SCRIPT, PAGE_STYLE } from '../adapters/passkey/page-assets';

const SCRIPT = 'text/javascript; charset=utf-8';

/**
 * `GET /approval-assets/{file}`: the approval page's script, stylesheet and the WebAuthn browser
 * library, served by stepup itself (the page's CSP allows no other origin). Any other name is 404.
 * @param browserLibrary the text of `@simplewebauthn/browser`'s bundle
 */
export function approvalAssetsHandler(deps: { readonly browserLibrary: () => string }) {
  const files: Readonly<Record<string, { type: string; body: () => string }>> = {
    [BROWSER_LIBRARY_FILE]: { type: SCRIPT, body: deps.browserLibrary },
    'approval.js': { type: SCRIPT, body: () => PAGE_SCRIPT },
    'approval.css': { type: 'text/css; charset=utf-8', body: () => PAGE_STYLE },
  };
  return async (event: { pathParameters?: Record<string, string | undefined> }): Promise<HttpResult> => {
    const name = event.pathParameters?.file ?? '';
    const file = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!file) return json(404, { error: 'not_found', error_description: 'no such file' });
    return {
      statusCode: 200,
      headers: {
        'content-type': file.type,
        'x-content-type-options': 'nosniff',
        'cache-control': 'public, max-age=300',
      },
      body: file.body(),
    };
  };
}

export const handler = lazyHandler(() =>
  approvalAssetsHandler({ browserLibrary: readOnce(join(__dirname, BROWSER_LIBRARY_FILE)) }),
);
