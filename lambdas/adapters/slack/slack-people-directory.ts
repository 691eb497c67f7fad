import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory } from '../../ports/people-directory';

const CACHE_MS = 5 * 60 * 1000;

/**
 * {@link PeopleDirectory} on Slack's `users.lookupByEmail` (scope `users:read.email`) and
 * `usergroups.users.list` (scope `usergroups:read`), cached per container for five minutes. Unknown emails are `undefined`; other Slack errors propagate, so a
 * self-approval check never passes just because Slack could not answer.
 */
export class SlackPeopleDirectory implements PeopleDirectory {
  private readonly cache = new Map<string, { id: string | undefined; until: number }>();
  private readonly groups = new Map<string, { users: readonly string[]; until: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly now: () => number = Date.now,
  ) {}

  async slackIdForEmail(email: string): Promise<string | undefined> {
    const key = email.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.id;
    let id: string | undefined;
    try {
      id = (await this.client.users.lookupByEmail({ email: key })).user?.id;
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error !== 'users_not_found') throw error;
      id = undefined;
    }
    this.cache.set(key, { id, until: this.now() + CACHE_MS });
    return id;
  }

  /** `usergroups.users.list` (scope `usergroups:read`), cached like the emails. */
  async userGroupMembers(userGroupId: string): Promise<readonly string[]> {
    const cached = this.groups.get(userGroupId);
    if (cached && cached.until > this.now()) return cached.users;
    const users = (await this.client.usergroups.users.list({ usergroup: userGroupId })).users ?? [];
    this.groups.set(userGroupId, { users, until: this.now() + CACHE_MS });
    return users;
  }
}
