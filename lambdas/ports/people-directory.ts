/** Finds the Slack account of a human the config does not list (design §6: `users.lookupByEmail`). */
export interface PeopleDirectory {
  /** The Slack user id for `email`, or undefined when the workspace has no such user. */
  slackIdForEmail(email: string): Promise<string | undefined>;
  /** The users in a Slack user group (`S…`). */
  userGroupMembers(userGroupId: string): Promise<readonly string[]>;
}
