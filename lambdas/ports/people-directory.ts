/** What the workspace knows a Slack user as, for telling whether a clicker is the requester. */
export interface SlackProfile {
  /** The user's email, when the workspace shows it to the app (scope `users:read.email`). */
  readonly email?: string;
  /** Handle, display name and real name, whichever are set. */
  readonly names: readonly string[];
}

/** Finds the Slack account of a human the config does not list (design §6: `users.lookupByEmail`). */
export interface PeopleDirectory {
  /** The Slack user id for `email`, or undefined when the workspace has no such user. */
  slackIdForEmail(email: string): Promise<string | undefined>;
  /** The email and names of the user `userId` (`users.info`), or undefined when there is no such user. */
  profileOf(userId: string): Promise<SlackProfile | undefined>;
  /** The users in a Slack user group (`S…`). */
  userGroupMembers(userGroupId: string): Promise<readonly string[]>;
}
