/** One AWS API call a stand-in answered (or refused). */
export interface AwsCall {
  /** The assumed-role ARN that signed the call, or `unauthenticated`. */
  readonly principal: string;
  /** The template's logical id of the calling role, when known. */
  readonly roleLogicalId?: string;
  /** e.g. `dynamodb`, `kms`, `secretsmanager`, `states`, `lambda`. */
  readonly service: string;
  /** IAM action, e.g. `dynamodb:PutItem`. */
  readonly action: string;
  /** The resource ARN authorized against (empty when the call failed before that). */
  readonly resource: string;
  readonly allowed: boolean;
  /** The error code answered, if any (`AccessDeniedException`, `ConditionalCheckFailedException`, ...). */
  readonly errorType?: string;
}

/** Every call the stand-ins of one account received, in order, so a suite can assert on them. */
export class CallLog {
  private readonly entries: AwsCall[] = [];

  record(call: AwsCall): void {
    this.entries.push(call);
  }

  /** All calls so far. */
  get calls(): readonly AwsCall[] {
    return this.entries;
  }

  /** Calls that IAM (or authentication) refused: a passing deployed suite has none. */
  denied(): readonly AwsCall[] {
    return this.entries.filter((call) => !call.allowed);
  }
}
