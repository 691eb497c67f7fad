/** The approval page's URL for a link secret, on a public base URL (with or without a trailing slash). */
export function approvalPageUrl(publicUrl: string, secret: string): string {
  return new URL(`approval/${secret}`, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).toString();
}
