import { describe, expect, it } from 'vitest';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStack } from './template';

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
}

/** Every `Validations.of(x).acknowledge(...)` in the tree, read back from construct metadata. */
function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          // aws-cdk-lib records annotation-style ids with this prefix; cdk-nag strips it too.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutionsChecks', () => {
  const { app } = buildStack({ cloudFormationValidation: true });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  it('has no unacknowledged findings', () => {
    // validateScope gives readable findings; app.synth() below is what `cdk synth` enforces.
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it('gives every acknowledgement a specific reason', () => {
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(typeof ack.reason, `${ack.id} at ${ack.path}`).toBe('string');
      expect((ack.reason as string).trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
    }
  });

  it('acknowledges only findings that actually occur, on the resource they occur on', () => {
    const everything = new AwsSolutionsChecks();
    // isAcknowledged is private in cdk-nag; disabling it yields the raw findings to compare against.
    (everything as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const raw = everything
      .validateScope(app)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })),
      );
    for (const ack of acknowledgements(app)) {
      const matches = raw.filter(
        (f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
      );
      expect(matches.length, `stale acknowledgement ${ack.id} at ${ack.path}`).toBeGreaterThan(0);
      // Narrowest scope: the acknowledgement sits on the resource itself, not on a parent of several.
      expect(new Set(matches.map((m) => m.path)).size, `${ack.id} at ${ack.path} is too broad`).toBe(1);
    }
  });
});

describe('cdk-nag with a concrete region and account (as `cdk deploy` synthesizes)', () => {
  it('has no unacknowledged findings either', () => {
    const { app } = buildStack({ env: { account: '123456789012', region: 'eu-west-1' } });
    const findings = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });
});
