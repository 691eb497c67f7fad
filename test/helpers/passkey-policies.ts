import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A policy directory (the repository's schema) whose step-ups need passkeys: dropping a production
 * table (one of db-owners) and rotating a secret (two of platform-oncall: U0ALICE, U0BOB, U0FRANK).
 */
export function passkeyPolicies(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepup-passkey-policies-'));
  copyFileSync(join('policies', 'stepup.cedarschema'), join(dir, 'stepup.cedarschema'));
  writeFileSync(
    join(dir, 'passkey.cedar'),
    `@id("drop-prod-table")
@description("Dropping a production table destroys its data for good.")
@approvers("db-owners")
@assurance("passkey")
permit (principal, action == Action::"db:DropTable", resource)
when { context.approved && resource.environment == "prod" };

@id("rotate-secret-two-keys")
@approvers("platform-oncall")
@quorum("2")
@assurance("passkey")
permit (principal, action == Action::"secrets:Rotate", resource)
when { context.approved };
`,
  );
  return dir;
}

/** The URL in a Slack mrkdwn link `<url|text>` of a private message. */
export function linkIn(text: string): string {
  const match = /<(https?:\/\/[^|>]+)\|/.exec(text);
  if (!match?.[1]) throw new Error(`no link in: ${text}`);
  return match[1];
}
