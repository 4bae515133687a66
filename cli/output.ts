/**
 * Printing objects as a table, YAML or JSON, the three forms of `-o`.
 *
 * Tables are for people: aligned columns, colours only on a terminal. YAML and JSON are for
 * scripts: the same data every time, never coloured, never truncated.
 * @module
 */

import { stringify } from "yaml";

/** The forms `-o/--output` accepts. */
export const OUTPUT_FORMATS = ["table", "yaml", "json"] as const;

/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Where a verb writes: the process streams in use, replaceable in tests. */
export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Whether to colour text written to `stream`: only on a terminal, and never with `--no-color`
 * or a non-empty `NO_COLOR` (https://no-color.org).
 */
export function colorEnabled(stream: Stream, flag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

/** A text style {@link paint} knows. */
export type Style = keyof typeof STYLES;

/** Wraps `text` in the ANSI codes of `style` when `enabled`; returns it unchanged otherwise. */
export function paint(text: string, style: Style, enabled: boolean): string {
  if (!enabled || text === "") return text;
  const [open, close] = STYLES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters by definition
const ANSI = /\u001b\[[0-9;]*m/g;

/** The width `text` takes on a terminal: ANSI codes take none. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, "")].length;
}

/** A table: column headers and rows of cells, already formatted as text. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * Formats a table the way kubectl does: upper-case headers, columns padded to their widest cell
 * and separated by three spaces, no trailing spaces.
 *
 * @example
 * formatTable({ columns: ["NAME", "VERSION"], rows: [["nginx", "1.2.0"]] }, false);
 */
export function formatTable(table: Table, color: boolean): string {
  const widths = table.columns.map((header, i) =>
    Math.max(visibleWidth(header), ...table.rows.map((row) => visibleWidth(row[i] ?? ""))),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleWidth(cell)),
      )
      .join("   ")
      .trimEnd();
  const header = line(table.columns.map((c) => c.toUpperCase()));
  return `${[paint(header, "bold", color), ...table.rows.map(line)].join("\n")}\n`;
}

/** Serialises `data` as YAML or JSON; both end with a newline. */
export function formatData(data: unknown, format: "yaml" | "json"): string {
  if (format === "json") return `${JSON.stringify(data, null, 2)}\n`;
  return stringify(data, { lineWidth: 0 });
}

/** What a verb prints: the data for scripts and, for people, a table built from it. */
export interface Printable {
  /** The objects as scripts see them with `-o yaml|json`. */
  readonly data: unknown;
  /** The same objects as a table, built only when the table is shown. */
  readonly table: (color: boolean) => Table;
  /** Printed instead of an empty table, on stderr so pipes stay clean. [default: none] */
  readonly empty?: string;
}

/**
 * Prints `printable` on `stdout` in `format`. An empty table prints the `empty` note on `stderr`.
 *
 * @example
 * print({ data: rows, table: () => ({ columns: ["NAME"], rows: rows.map((r) => [r.name]) }) },
 *   { format: "table", stdout: process.stdout, stderr: process.stderr, color: false });
 */
export function print(
  printable: Printable,
  options: { format: OutputFormat; stdout: Stream; stderr: Stream; color: boolean },
): void {
  if (options.format !== "table") {
    options.stdout.write(formatData(printable.data, options.format));
    return;
  }
  const table = printable.table(options.color);
  if (table.rows.length === 0 && printable.empty !== undefined) {
    options.stderr.write(`${printable.empty}\n`);
    return;
  }
  options.stdout.write(formatTable(table, options.color));
}
