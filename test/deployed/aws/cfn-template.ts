/** The parts of a synthesized CloudFormation template the stand-ins read. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Parameters?: Readonly<Record<string, CfnParameter>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown }>>;
}

/** One resource of a template; `Properties` still hold unresolved intrinsics. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** A template parameter; only its default is used (CDK's `BootstrapVersion` is never referenced). */
export interface CfnParameter {
  readonly Type: string;
  readonly Default?: string;
}
