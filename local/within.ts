/**
 * Waits for `work`, but at most `ms`: shutdown must end whatever a dependency does (a Slack call
 * that never answers, a step handler stuck on it). Work still running afterwards is abandoned; the
 * process exits right after shutdown.
 * @returns whether `work` settled in time (its failure counts as settled)
 */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = work.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
