/**
 * Line numbers for schema issues: maps a dotted path such as `spec.artifacts[1].chart.path` (the
 * form `crds/common.ts` formats zod issues in) to the line of a YAML file that holds it, so
 * `pctl validate` prints `file:line: message` lines a CI system can annotate.
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/** One step of a path: a mapping key or a sequence index. */
export type PathSegment = string | number;

const SEGMENT = /([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;

/**
 * Splits a path as `formatPath` writes it: `spec.artifacts[1].chart.path` gives
 * `["spec", "artifacts", 1, "chart", "path"]`; `(root)` gives `[]`.
 */
export function parseIssuePath(path: string): PathSegment[] {
  if (path === "(root)" || path === "") return [];
  const segments: PathSegment[] = [];
  for (const match of path.matchAll(SEGMENT)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}

/** A parsed YAML file that answers "which line holds this path". */
export class YamlPositions {
  private readonly counter = new LineCounter();
  private readonly root: unknown;

  /** Parses `text` (the first document of a stream); a file that does not parse maps every path to line 1. */
  constructor(text: string) {
    this.root = parseDocument(text, { lineCounter: this.counter, keepSourceTokens: false }).contents;
  }

  /**
   * The 1-based line of the deepest node on `path` that exists. A mapping entry is placed at its key,
   * so an unknown field points at the field itself and a missing one at its parent.
   */
  lineOf(path: string | readonly PathSegment[]): number {
    const segments = typeof path === "string" ? parseIssuePath(path) : path;
    let node: unknown = this.root;
    let offset = rangeStart(node) ?? 0;
    for (const segment of segments) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (pair === undefined) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return this.counter.linePos(offset).line;
  }

  /**
   * Every string scalar with its 1-based line, depth first, below `path`: where `pctl validate` looks
   * for `${param}` references.
   */
  strings(path: readonly PathSegment[] = []): { value: string; line: number }[] {
    let node: unknown = this.root;
    for (const segment of path) {
      if (isMap(node)) {
        node = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(segment),
        )?.value;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
      } else {
        return [];
      }
    }
    const found: { value: string; line: number }[] = [];
    const visit = (current: unknown): void => {
      if (isScalar(current)) {
        if (typeof current.value === "string") {
          found.push({ value: current.value, line: this.counter.linePos(rangeStart(current) ?? 0).line });
        }
      } else if (isMap(current)) {
        for (const item of current.items) visit(item.value);
      } else if (isSeq(current)) {
        for (const item of current.items) visit(item);
      }
    };
    visit(node);
    return found;
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
