import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

const TSX = resolve(__dirname, '../../node_modules/.bin/tsx');

/** A local runtime process in its own process group, its output collected as it comes. */
export interface LocalProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  /** Resolves with the first match of `pattern` in stdout (past or future); rejects if the process exits first. */
  line(pattern: RegExp): Promise<RegExpExecArray>;
  /** SIGKILL to the whole process group (what a crash or `kill -9` of the terminal's job does); resolves once it exited. */
  kill(): Promise<void>;
}

/** `tsx <script>` (e.g. `local/main.ts`, what `npm start` runs) with `env` added to this process's. */
export function launch(script: string, args: string[], env: NodeJS.ProcessEnv): LocalProcess {
  const child = spawn(TSX, [resolve(__dirname, '../..', script), ...args], {
    env: { ...process.env, LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  return {
    child,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout);
          if (!match) return false;
          child.stdout!.off('data', check);
          resolve(match);
          return true;
        };
        if (check()) return;
        child.stdout!.on('data', check);
        void exited.then(() =>
          reject(new Error(`${script} exited before ${pattern}:\n${stdout}\n${stderr}`)),
        );
      }),
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
}

/** The API base URL in the banner of `local/main.ts`, once it is printed (the runtime is ready). */
export async function bannerUrl(service: LocalProcess): Promise<string> {
  const [, url] = await service.line(
    /API\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\/requests[\s\S]*Press Ctrl\+C to stop\./,
  );
  return url!;
}
