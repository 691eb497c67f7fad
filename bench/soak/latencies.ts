/** Latency samples of one step of the soak's flow, in milliseconds. */
export class Latencies {
  private samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  /** The `p`-th percentile (0–100, nearest rank), or NaN without samples. */
  percentile(p: number): number {
    if (this.samples.length === 0) return Number.NaN;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  }

  /** Starts a new window: the samples so far are returned and forgotten. */
  drain(): Latencies {
    const window = new Latencies();
    window.samples = this.samples;
    this.samples = [];
    return window;
  }

  /** Adds another window's samples to this one. */
  merge(other: Latencies): void {
    this.samples.push(...other.samples);
  }
}
