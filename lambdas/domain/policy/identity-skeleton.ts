import { replaceConfusables } from './confusables';

/** `mailto:` in front of an email, as a pasted link carries it. */
const MAILTO = /^mailto:/;

/** A Slack mention of a user, `<@U0ALICE>` or `<@U0ALICE|alice>`: the id it names. */
const SLACK_MENTION = /^<@([a-z0-9]+)(?:\|[^>]*)?>$/;

/**
 * The form two spellings of one identity share: NFKC (full-width and compatibility letters become
 * plain ones), trimmed, case-folded, without `mailto:` and with a Slack mention reduced to its id.
 * `" Alice@Example.com"`, `"mailto:alice@example.com"` and `"alice@example.com"` all give
 * `"alice@example.com"`; `"<@U0ALICE>"` and `"U0ALICE"` give `"u0alice"`.
 */
export function normalizeIdentity(raw: string): string {
  // Case-fold after NFKC (compatibility forms may decompose to upper case) and trim once more after
  // removing a prefix, which can leave a space behind ("mailto: alice@…").
  const folded = raw.normalize('NFKC').trim().toLowerCase().replace(MAILTO, '').trim();
  return folded.replace(SLACK_MENTION, '$1');
}

/**
 * The UTS #39 skeleton of an identity, after {@link normalizeIdentity}: two identities that look
 * alike to a reader (Cyrillic `а` for Latin `a`, `rn` for `m`, `0` for `O`) have the same skeleton.
 * skeleton(X) = NFD(map each character to its confusables.txt prototype (NFD(X))); the mapping is
 * Unicode's confusables table as `unhomoglyph` copies it (`confusables.ts`). The result is for
 * comparing, never showing.
 */
export function identitySkeleton(raw: string): string {
  return replaceConfusables(normalizeIdentity(raw).normalize('NFD')).normalize('NFD');
}
