import type { WaitProgress } from '../agent';

/** `m:ss`, or `h:mm:ss` from an hour on. Negative durations count as zero. */
export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Who may approve, in words: `db-owners`, `db-owners and security`, `a or b`. */
export function groupsLabel(groups: readonly (readonly string[])[] | undefined): string {
  return (groups ?? []).map((set) => set.join(' or ')).join(' and ') || 'the approvers';
}

/** Where progress goes: whole lines, and (on a terminal) a live line rewritten in place. */
export interface ProgressSink {
  line(text: string): void;
  /** Rewrites the live line; absent when stderr is not a terminal. */
  redraw?(text: string): void;
}

/**
 * Shows a wait for approval. On a terminal: one live line, redrawn every second (elapsed, approvals
 * so far, expiry countdown). Otherwise: a line at the start, on every new approval and every minute.
 */
export class WaitReporter {
  private last?: WaitProgress;
  private readonly started: number;
  private timer?: ReturnType<typeof setInterval>;
  private lastLineAt = 0;
  private lastApprovals = -1;

  constructor(
    private readonly sink: ProgressSink,
    private readonly bindingCode: string,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Records progress and shows what changed. */
  update(progress: WaitProgress): void {
    this.last = progress;
    if (this.sink.redraw) {
      this.draw();
      if (!this.timer) {
        this.timer = setInterval(() => this.draw(), 1000);
        this.timer.unref();
      }
      return;
    }
    if (progress.status !== 'pending') return;
    const approvals = progress.approvals.length;
    if (this.lastApprovals < 0) {
      const expires = progress.expiresAt
        ? `; expires in ${duration(progress.expiresAt.getTime() - this.now())} (${progress.expiresAt.toISOString()})`
        : '';
      this.sink.line(
        `waiting for ${progress.quorum ?? 1} approval(s) from ${groupsLabel(progress.approverGroups)}` +
          ` (binding code ${this.bindingCode})${expires}`,
      );
    } else if (approvals !== this.lastApprovals) {
      this.sink.line(`approvals: ${approvals}/${progress.quorum ?? '?'} (${progress.approvals.join(', ')})`);
    } else if (this.now() - this.lastLineAt >= 60_000) {
      this.sink.line(`still waiting: ${duration(this.now() - this.started)} elapsed${this.expiresIn()}`);
    } else return;
    this.lastApprovals = approvals;
    this.lastLineAt = this.now();
  }

  /** Stops redrawing and ends the live line, then prints `final`. */
  finish(final: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.sink.redraw) this.sink.redraw('');
    this.sink.line(final);
  }

  /** The approvers as of the last update. */
  approvals(): readonly string[] {
    return this.last?.approvals ?? [];
  }

  /** Time since the wait started. */
  elapsed(): string {
    return duration(this.now() - this.started);
  }

  private expiresIn(): string {
    const at = this.last?.expiresAt;
    return at ? `, expires in ${duration(at.getTime() - this.now())}` : '';
  }

  private draw(): void {
    const p = this.last;
    if (!p || !this.sink.redraw) return;
    const approvals =
      p.quorum !== undefined
        ? ` · approvals ${p.approvals.length}/${p.quorum} (${groupsLabel(p.approverGroups)})`
        : '';
    const state = p.status === 'pending' ? 'waiting for approval' : p.status;
    this.sink.redraw(
      `${state} ${this.elapsed()}${approvals}${this.expiresIn().replace(',', ' ·')} · binding code ${this.bindingCode}`,
    );
  }
}
