/**
 * A fake clock for the harness: time moves only when a test says so.
 * @module
 */

/** Time that moves only through {@link FakeClock.advance}. */
export class FakeClock {
  #ms: number;

  /** Starts at `start` [2026-01-01T00:00:00Z]. */
  constructor(start: Date = new Date("2026-01-01T00:00:00Z")) {
    this.#ms = start.getTime();
  }

  /** Milliseconds since the epoch. */
  nowMs(): number {
    return this.#ms;
  }

  /** The current time as Kubernetes writes timestamps (RFC 3339, seconds precision). */
  timestamp(): string {
    return new Date(this.#ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /** Moves time forward by `seconds`. */
  advance(seconds: number): void {
    if (seconds < 0) throw new Error(`FakeClock.advance: cannot go back ${seconds}s`);
    this.#ms += seconds * 1000;
  }
}
