import type { CfnResource, CfnTemplate } from './cfn-template';
import { resolveIntrinsics, UnsupportedIntrinsicError, type IntrinsicContext } from './intrinsics';
import { physicalResource, type AccountEnvironment, type PhysicalResource } from './physical-names';

/** Options for {@link FakeAccount.fromTemplate}. */
export interface FakeAccountOptions {
  /** @default '123456789012' */
  readonly account?: string;
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'StepUp' */
  readonly stackName?: string;
  /**
   * Attribute values to use instead of the generated ones, by logical id, e.g. an HTTP API's
   * `ApiEndpoint` pinned to the URL a local API stand-in listens on.
   * @default none
   */
  readonly attributes?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Values for template parameters; a parameter without one resolves to its `Default`.
   * @default none
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** One `AWS::Lambda::Function` of the template, with what a host process needs to run it. */
export interface TemplateFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly roleLogicalId: string;
  readonly roleArn: string;
  /** e.g. `index.handler`. */
  readonly handler: string;
  /** e.g. `nodejs22.x`. */
  readonly runtime: string;
  /** Seconds. @default 3 (Lambda's default) */
  readonly timeout: number;
  /** MB. @default 128 (Lambda's default) */
  readonly memorySize: number;
  /** The `aws:asset:path` metadata: the asset directory, relative to the cloud assembly directory. */
  readonly assetPath: string;
}

const NAMING_PROPERTIES = [
  'TableName',
  'AliasName',
  'Name',
  'StateMachineName',
  'FunctionName',
  'RoleName',
  'Path',
  'ManagedPolicyName',
  'TopicName',
  'QueueName',
  'LogGroupName',
];

/** A region written literally into an ARN fragment, e.g. `":states:us-east-1:"` from `Stack.formatArn` in a stack with an `env`. */
const PINNED_REGION = /:[a-z0-9-]+:([a-z]{2}(?:-gov)?-[a-z]+-\d):/g;

/**
 * A stand-in for the AWS account a template is deployed into: every resource gets the physical
 * name, ARN and attributes CloudFormation would give it, and template values resolve to what the
 * deployed resources would see.
 */
export class FakeAccount {
  /** Where the stack is deployed. */
  readonly env: AccountEnvironment;
  private readonly physical = new Map<string, PhysicalResource>();
  private readonly naming = new Set<string>();
  private readonly context: IntrinsicContext = {
    ref: (name) => this.ref(name),
    getAtt: (logicalId, attribute) => this.getAtt(logicalId, attribute),
  };

  private constructor(
    /** The template as synthesized, unresolved. */
    readonly template: CfnTemplate,
    private readonly options: FakeAccountOptions,
  ) {
    this.env = {
      account: options.account ?? '123456789012',
      region: options.region ?? 'eu-west-1',
      partition: options.partition ?? 'aws',
      stackName: options.stackName ?? 'StepUp',
    };
  }

  /** An account holding a fresh deploy of `template`. */
  static fromTemplate(template: CfnTemplate, options: FakeAccountOptions = {}): FakeAccount {
    const account = new FakeAccount(template, options);
    const pinned = [...JSON.stringify(template).matchAll(PINNED_REGION)].map((match) => match[1]);
    const other = pinned.find((region) => region !== account.env.region);
    if (other) {
      // A stack synthesized for one region deploys only there; resolving it elsewhere would produce ARNs that never match.
      throw new Error(
        `the template is pinned to region ${other} (literal in an ARN) but the account is in ${account.env.region}: ` +
          `synthesize with CDK_DEFAULT_REGION=${account.env.region} or pass region '${other}'`,
      );
    }
    // Name everything up front so an unsupported template fails here, not in the middle of a test.
    for (const logicalId of Object.keys(template.Resources)) account.resource(logicalId);
    return account;
  }

  /** `value` with every intrinsic resolved as CloudFormation would for this deploy. */
  resolve(value: unknown): unknown {
    return resolveIntrinsics(value, this.context);
  }

  /** {@link resolve} for a value that must come out as a string. */
  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string')
      throw new UnsupportedIntrinsicError(`expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  /** The resource's definition. @throws Error naming the logical id when the template has no such resource. */
  resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource ${logicalId}`);
    return resource;
  }

  /** The resource's physical name or id (what `Ref` gives). */
  ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return this.env.partition;
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::AccountId':
        return this.env.account;
      case 'AWS::StackName':
        return this.env.stackName;
      case 'AWS::StackId':
        return `arn:${this.env.partition}:cloudformation:${this.env.region}:${this.env.account}:stack/${this.env.stackName}/00000000-0000-4000-a000-000000000000`;
      case 'AWS::URLSuffix':
        return this.env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      // SSM-typed parameters are looked up at deploy time; their Default is a parameter name, not a value.
      const value =
        this.options.parameters?.[name] ??
        (parameter.Type.startsWith('AWS::SSM::') ? undefined : parameter.Default);
      if (value === undefined) {
        throw new UnsupportedIntrinsicError(
          `parameter ${name} (${parameter.Type}) has no value; pass it in options.parameters`,
        );
      }
      return value;
    }
    return this.named(name).ref;
  }

  /** `Fn::GetAtt` of a resource attribute. */
  getAtt(logicalId: string, attribute: string): string {
    const override = this.options.attributes?.[logicalId]?.[attribute];
    if (override !== undefined) return override;
    const value = this.named(logicalId).attributes[attribute];
    if (value === undefined) {
      throw new UnsupportedIntrinsicError(
        `Fn::GetAtt ${logicalId}.${attribute} (${this.resource(logicalId).Type}) is not modelled`,
      );
    }
    return value;
  }

  /** The resource's resolved `Properties`. */
  properties(logicalId: string): Readonly<Record<string, unknown>> {
    return this.resolve(this.resource(logicalId).Properties ?? {}) as Record<string, unknown>;
  }

  /** Logical ids of the resources of one type, in template order. */
  logicalIdsOfType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId]) => logicalId);
  }

  /** A function's resolved `Environment.Variables`: exactly what its Lambda sees from the template. */
  functionEnvironment(logicalId: string): Readonly<Record<string, string>> {
    const resource = this.resource(logicalId);
    if (resource.Type !== 'AWS::Lambda::Function')
      throw new Error(`${logicalId} is a ${resource.Type}, not a Lambda function`);
    const environment = resource.Properties?.Environment as { Variables?: unknown } | undefined;
    const variables = (this.resolve(environment?.Variables ?? {}) ?? {}) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(variables).map(([key, value]) => {
        if (typeof value !== 'string')
          throw new Error(`${logicalId} environment ${key} is not a string: ${JSON.stringify(value)}`);
        return [key, value];
      }),
    );
  }

  /** Every Lambda function of the template. */
  functions(): TemplateFunction[] {
    return this.logicalIdsOfType('AWS::Lambda::Function').map((logicalId) => {
      const resource = this.resource(logicalId);
      const properties = resource.Properties ?? {};
      const role = properties.Role as { 'Fn::GetAtt'?: unknown } | undefined;
      const getAtt = role?.['Fn::GetAtt'];
      if (!Array.isArray(getAtt) || getAtt[1] !== 'Arn' || typeof getAtt[0] !== 'string') {
        throw new Error(
          `${logicalId}: Role is not a Fn::GetAtt of a role in this template: ${JSON.stringify(role)}`,
        );
      }
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (typeof assetPath !== 'string')
        throw new Error(`${logicalId} has no aws:asset:path metadata (synthesize with bundling)`);
      return {
        logicalId,
        functionName: this.ref(logicalId),
        functionArn: this.getAtt(logicalId, 'Arn'),
        roleLogicalId: getAtt[0],
        roleArn: this.getAtt(getAtt[0], 'Arn'),
        handler: this.resolveString(properties.Handler),
        runtime: this.resolveString(properties.Runtime),
        timeout: Number(properties.Timeout ?? 3),
        memorySize: Number(properties.MemorySize ?? 128),
        assetPath,
      };
    });
  }

  /** The logical id of the resource whose `Ref` or attribute equals `value` (e.g. a function ARN). */
  findLogicalId(value: string): string | undefined {
    for (const logicalId of Object.keys(this.template.Resources)) {
      const physical = this.named(logicalId);
      if (physical.ref === value || Object.values(physical.attributes).includes(value)) return logicalId;
    }
    return undefined;
  }

  private named(logicalId: string): PhysicalResource {
    const known = this.physical.get(logicalId);
    if (known) return known;
    const resource = this.resource(logicalId);
    if (this.naming.has(logicalId))
      throw new UnsupportedIntrinsicError(`${logicalId} names itself through a cycle`);
    this.naming.add(logicalId);
    try {
      const properties = resource.Properties ?? {};
      const naming = Object.fromEntries(
        NAMING_PROPERTIES.filter((key) => key in properties).map((key) => [
          key,
          this.resolve(properties[key]),
        ]),
      );
      const physical = physicalResource(this.env, logicalId, resource.Type, naming);
      this.physical.set(logicalId, physical);
      return physical;
    } finally {
      this.naming.delete(logicalId);
    }
  }
}
