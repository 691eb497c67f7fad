import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The local runtime, started as a user starts it, in its own process group. */
export interface RuntimeProcess {
  readonly child: ChildProcess;
  /** The API base URL printed in the banner. */
  readonly url: string;
  /** The last {@link KEPT_OUTPUT} characters the runtime printed (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal) once the runtime is gone. */
  readonly exited: Promise<string>;
  /** Resident set size in KiB of the process that runs `local/main.ts` (not npm's or tsx's wrapper). */
  rssKiB(): number | undefined;
  /** Ends the process group this started. */
  stop(): void;
}

/** How much of the runtime's output is kept: enough for its banner or a fatal error's report. */
const KEPT_OUTPUT = 64 * 1024;

/** All descendants of `pid`, from /proc (Linux). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function statusField(pid: number, field: string): string | undefined {
  try {
    return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Starts `command` (e.g. `npm start -- --memory --port 0`) through the shell, as typed by a user,
 * and resolves once the banner names the URL.
 */
export function startRuntime(command: string, env: NodeJS.ProcessEnv): Promise<RuntimeProcess> {
  const child = spawn(command, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const append = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-KEPT_OUTPUT));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)),
  );
  const runtimePid = (): number | undefined =>
    // The deepest process running main.ts is Node itself (npm, sh and tsx's CLI are wrappers).
    descendants(child.pid!)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('local/main.ts');
        } catch {
          return false;
        }
      })
      .at(-1);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      append(chunk);
      const url = /API\s+(http:\/\/[\d.:]+)\/v1\/requests/.exec(output)?.[1];
      if (!url) return;
      child.stdout!.off('data', onData);
      child.stdout!.on('data', append);
      resolve({
        child,
        url,
        output: () => output,
        exited,
        rssKiB: () => {
          const pid = runtimePid();
          const rss = pid === undefined ? undefined : statusField(pid, 'VmRSS');
          return rss === undefined ? undefined : Number.parseInt(rss, 10);
        },
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', append);
    void exited.then((how) => reject(new Error(`the runtime ended (${how}) before it was up:\n${output}`)));
  });
}
