import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory, SlackProfile } from '../../ports/people-directory';

const CACHE_MS = 5 * 60 * 1000;

/**
 * {@link PeopleDirectory} on Slack's `users.lookupByEmail` and `users.info` (scopes `users:read`,
 * `users:read.email`) and `usergroups.users.list` (scope `usergroups:read`), cached per container
 * for five minutes. Unknown emails and users are `undefined`; other Slack errors propagate, so a
 * self-approval check never passes just because Slack could not answer.
 */
export class SlackPeopleDirectory implements PeopleDirectory {
  private readonly cache = new Map<string, { id: string | undefined; until: number }>();
  private readonly profiles = new Map<string, { profile: SlackProfile | undefined; until: number }>();
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

  async profileOf(userId: string): Promise<SlackProfile | undefined> {
    const cached = this.profiles.get(userId);
    if (cached && cached.until > this.now()) return cached.profile;
    let profile: SlackProfile | undefined;
    try {
      const { user } = await this.client.users.info({ user: userId });
      const names = [user?.name, user?.real_name, user?.profile?.display_name, user?.profile?.real_name];
      profile = user && {
        email: user.profile?.email || undefined,
        names: names.filter((name): name is string => Boolean(name)),
      };
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error !== 'user_not_found') throw error;
      profile = undefined;
    }
    this.profiles.set(userId, { profile, until: this.now() + CACHE_MS });
    return profile;
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
