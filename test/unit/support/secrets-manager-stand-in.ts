import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  /** Oldest first; the last one is AWSCURRENT, the one before AWSPREVIOUS. */
  readonly versions: { readonly id: string; readonly value: string }[];
}

/**
 * Secrets Manager where it cannot run: `GetSecretValue`, `DescribeSecret` and `PutSecretValue` over
 * its JSON 1.1 protocol (`X-Amz-Target: secretsmanager.<Operation>`), so the real SDK client (and
 * Powertools Parameters on top of it) talk to it unchanged via `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
export class SecretsManagerStandIn {
  private readonly secrets = new Map<string, StoredSecret>();
  /** Calls received, by operation. */
  readonly calls: Record<string, number> = {};
  private server?: Server;

  /** Creates a secret with one version, as CloudFormation does; returns its ARN. */
  create(name: string, value: string): string {
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
    this.secrets.set(arn, { name, arn, versions: [{ id: randomUUID(), value }] });
    return arn;
  }

  /** `put-secret-value`: a new AWSCURRENT version. */
  put(arn: string, value: string): void {
    this.secret(arn)?.versions.push({ id: randomUUID(), value });
  }

  private secret(id: string): StoredSecret | undefined {
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.name === id);
  }

  private answer(operation: string, input: { SecretId?: string; SecretString?: string }) {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    const secret = this.secret(input.SecretId ?? '');
    if (!secret) {
      return [
        400,
        { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." },
      ] as const;
    }
    const current = secret.versions.at(-1)!;
    switch (operation) {
      case 'GetSecretValue':
        return [
          200,
          {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: current.id,
            SecretString: current.value,
            VersionStages: ['AWSCURRENT'],
            CreatedDate: 1.7e9,
          },
        ] as const;
      case 'DescribeSecret': {
        const stages: Record<string, string[]> = {};
        secret.versions.forEach((v, i) => {
          const label =
            i === secret.versions.length - 1
              ? 'AWSCURRENT'
              : i === secret.versions.length - 2
                ? 'AWSPREVIOUS'
                : undefined;
          if (label) stages[v.id] = [label];
        });
        return [200, { ARN: secret.arn, Name: secret.name, VersionIdsToStages: stages }] as const;
      }
      case 'PutSecretValue':
        this.put(secret.arn, input.SecretString ?? '');
        return [200, { ARN: secret.arn, Name: secret.name, VersionId: secret.versions.at(-1)!.id }] as const;
      default:
        return [
          400,
          { __type: 'InvalidRequestException', message: `unsupported operation ${operation}` },
        ] as const;
    }
  }

  /** Listens on a free port; returns the endpoint URL. */
  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        const operation = target.replace(/^secretsmanager\./, '');
        const [status, body] = this.answer(
          operation,
          JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
        );
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
