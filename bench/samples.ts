/** Timing samples in milliseconds, kept whole so percentiles are exact, not estimated. */

/** What a set of samples reports: how many, and the usual percentiles. */
export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export class Samples {
  private values = new Float64Array(1024);
  private size = 0;

  get count(): number {
    return this.size;
  }

  add(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  clear(): void {
    this.size = 0;
  }

  /** Percentiles by nearest rank of each of `qs` (0..1), one sort for all; zeros when there are no samples. */
  percentiles(qs: readonly number[]): number[] {
    const sorted = this.values.slice(0, this.size).sort();
    return qs.map((q) => rank(sorted, q));
  }

  /** Percentiles by nearest rank; all zero when there are no samples. */
  summary(): Summary {
    if (this.size === 0) return { count: 0, p50: 0, p99: 0, max: 0, mean: 0 };
    const sorted = this.values.slice(0, this.size).sort();
    let total = 0;
    for (const value of sorted) total += value;
    return {
      count: this.size,
      p50: rank(sorted, 0.5),
      p99: rank(sorted, 0.99),
      max: sorted[this.size - 1] ?? 0,
      mean: total / this.size,
    };
  }
}

function rank(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}
