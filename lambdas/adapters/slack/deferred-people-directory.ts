import type { PeopleDirectory, SlackProfile } from '../../ports/people-directory';

/** A {@link PeopleDirectory} that asks for the current directory on every call (credentials can change). */
export class DeferredPeopleDirectory implements PeopleDirectory {
  constructor(private readonly current: () => Promise<PeopleDirectory>) {}

  async slackIdForEmail(email: string): Promise<string | undefined> {
    return (await this.current()).slackIdForEmail(email);
  }

  async profileOf(userId: string): Promise<SlackProfile | undefined> {
    return (await this.current()).profileOf(userId);
  }

  async userGroupMembers(userGroupId: string): Promise<readonly string[]> {
    return (await this.current()).userGroupMembers(userGroupId);
  }
}
