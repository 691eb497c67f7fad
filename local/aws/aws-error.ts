/**
 * An error answered the way an AWS JSON-protocol service answers it: HTTP status, the
 * `x-amzn-ErrorType` header and `{"__type", "message"}` body, which the SDK turns into the
 * exception class of the same name.
 */
export class AwsError extends Error {
  constructor(
    /** The error code, e.g. `AccessDeniedException`; the SDK's exception name. */
    readonly type: string,
    message: string,
    /** @default 400 */
    readonly status: number = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** `AccessDeniedException` worded like IAM's denial for an identity-based policy. */
export function accessDenied(
  principalArn: string,
  action: string,
  resource: string,
  explicitDeny: boolean,
): AwsError {
  const because = explicitDeny
    ? `with an explicit deny in an identity-based policy`
    : `because no identity-based policy allows the ${action} action`;
  return new AwsError(
    'AccessDeniedException',
    `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${because}`,
  );
}
