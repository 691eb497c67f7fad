import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_TIMEOUT_MS } from './timeouts';

/**
 * Resolves with the first value `probe` returns other than undefined: the event the test waits for
 * (a row written, a Slack message posted), seen within milliseconds of happening. There is no
 * deadline tuned to this machine's speed, so a busy machine only makes the wait longer. The cap is
 * the suite's test timeout: it only ends a wait whose test has already timed out, and names what was
 * awaited.
 */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
): Promise<T> {
  const giveUpAt = performance.now() + TEST_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > giveUpAt) throw new Error(`gave up waiting for ${what} (${TEST_TIMEOUT_MS} ms)`);
    await sleep(10);
  }
}

/**
 * Resolves with the first match of `pattern` in what `stream` prints from now on (a child process's
 * banner, a line naming a request), as soon as it is printed; rejects if the stream ends first.
 */
export function printed(stream: Readable, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (!match) return;
      done();
      resolve(match);
    };
    const onEnd = () => {
      done();
      reject(new Error(`the output ended without ${pattern}:\n${text}`));
    };
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
  });
}
