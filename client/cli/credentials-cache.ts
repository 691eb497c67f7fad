import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { abortableSleep, type AwsCredentials } from '../agent';

/**
 * Where the CLI keeps state: `$STEPUP_STATE_DIR`, else `$XDG_STATE_HOME/stepup`, else
 * `~/.local/state/stepup` (the XDG base directory default).
 */
export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.STEPUP_STATE_DIR) return env.STEPUP_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'stepup');
}

/**
 * A lock older than this belongs to a process that died mid-exchange: one exchange is one HTTP call
 * of at most the client's 15 s timeout, so a live holder never keeps it this long.
 */
const STALE_LOCK_MS = 60_000;

/**
 * Exchanged AWS credentials, one file per request (`<dir>/aws-credentials/<id>.json`, mode 0600 in a
 * 0700 directory), kept until they expire. A stepup token can be exchanged only once, but the AWS
 * CLI and SDKs run `credential_process` once per process, and again before the credentials expire:
 * without this, every run after the first would fail.
 */
export class AwsCredentialsCache {
  private readonly dir: string;

  constructor(
    stateDirectory: string,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = join(stateDirectory, 'aws-credentials');
  }

  /** The unexpired credentials exchanged for request `id`, if any. Deletes every expired entry it sees. */
  async get(id: string): Promise<AwsCredentials | undefined> {
    await this.prune();
    return this.read(id);
  }

  /**
   * Runs `exchange` for request `id` unless another process already did: concurrent runs for one
   * request (an SDK starting several clients at once) are serialized by a lock file, and the ones
   * that waited get the first one's credentials from the cache instead of exchanging a spent token.
   */
  async getOrExchange(id: string, exchange: () => Promise<AwsCredentials>): Promise<AwsCredentials> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const release = await this.lock(id);
    try {
      const cached = await this.read(id);
      if (cached) return cached;
      const credentials = await exchange();
      await this.write(id, credentials);
      return credentials;
    } finally {
      await release();
    }
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private async read(id: string): Promise<AwsCredentials | undefined> {
    let raw: string;
    try {
      raw = await readFile(this.file(id), 'utf8');
    } catch {
      return undefined;
    }
    const parsed = JSON.parse(raw) as Omit<AwsCredentials, 'expiration'> & { expiration: string };
    const expiration = new Date(parsed.expiration);
    if (!(expiration.getTime() > this.now())) return undefined;
    return { ...parsed, expiration };
  }

  private async write(id: string, credentials: AwsCredentials): Promise<void> {
    // Written whole under another name, then renamed: a reader never sees half a file.
    const partial = `${this.file(id)}.${process.pid}.partial`;
    await writeFile(partial, JSON.stringify(credentials), { mode: 0o600, flag: 'wx' });
    await rename(partial, this.file(id));
  }

  private async lock(id: string): Promise<() => Promise<void>> {
    const path = `${this.file(id)}.lock`;
    for (;;) {
      try {
        const handle = await open(path, 'wx', 0o600);
        await handle.close();
        return () => rm(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = await stat(path).catch(() => undefined);
      if (held && this.now() - held.mtimeMs > STALE_LOCK_MS) await rm(path, { force: true });
      else await abortableSleep(50);
    }
  }

  private async prune(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const id = name.slice(0, -'.json'.length);
      if (!(await this.read(id).catch(() => undefined))) await rm(this.file(id), { force: true });
    }
  }
}
