import { ClassicLevel } from 'classic-level';

/** Another process holds the on-disk store: a second `npm start` on the same data directory. */
export class StoreInUseError extends Error {
  /** Stable, for callers that branch on it. */
  readonly code = 'store_in_use';

  constructor(readonly path: string) {
    super(`${path} is in use by another stepup process`);
    this.name = 'StoreInUseError';
  }
}

/**
 * Fails with {@link StoreInUseError} when another process holds the LevelDB store at `path`.
 * dynalite opens its store lazily and, when LevelDB's lock is held, throws "Database is closed"
 * from inside its request handler, out of reach. LevelDB's own lock is the truth (the OS releases
 * it when its holder dies, so it is never stale); this opens the store once to ask, then lets go.
 */
export async function assertStoreFree(path: string): Promise<void> {
  const probe = new ClassicLevel(path);
  try {
    await probe.open();
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED')
      throw new StoreInUseError(path);
    throw error;
  }
  await probe.close();
}
