/**
 * Progress lines on stderr for the slow steps (clones, catalog scans, pushes).
 *
 * They are for a person watching a terminal: on a pipe, in CI or with `--quiet` nothing is written,
 * so stderr carries only errors and notes that matter.
 * @module
 */

import type { Stream } from "./output.js";

/** Reports the start and end of slow steps. */
export interface Progress {
  /** Shows `label` while `work` runs, then replaces it with the label and how long it took. */
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
}

/**
 * A progress reporter writing to `stream`, silent when `quiet` or when `stream` is not a terminal.
 *
 * @example
 * const progress = createProgress({ stream: process.stderr, quiet: opts.quiet });
 * const tags = await progress.step(`listing tags of ${url}`, () => fetcher.listTags(url));
 */
export function createProgress(options: { stream: Stream; quiet: boolean; now?: () => number }): Progress {
  const { stream, quiet, now = () => Date.now() } = options;
  const active = !quiet && stream.isTTY === true;
  return {
    async step<T>(label: string, work: () => Promise<T>): Promise<T> {
      if (!active) return work();
      const started = now();
      stream.write(`… ${label}`);
      try {
        const result = await work();
        stream.write(`\r\u001b[K✓ ${label} (${formatElapsed(now() - started)})\n`);
        return result;
      } catch (error) {
        stream.write(`\r\u001b[K✗ ${label}\n`);
        throw error;
      }
    },
  };
}

function formatElapsed(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}
