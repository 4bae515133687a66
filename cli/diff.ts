/**
 * `pctl diff <subscription> --to <version>` and `pctl diff <a> <b>`: renders both sides with
 * `pctl render`'s code and prints a unified diff per object that was added, removed or changed.
 * Exits 1 when they differ, as `diff` does. `pctl upgrade --create-pr` puts the same text in the pull
 * request through {@link diffRendered}.
 * @module
 */
import type { Command } from "commander";
import { stringify } from "yaml";
import { profileTag } from "../crds/common.js";
import type { ProfileSubscription } from "../crds/profile-subscription.js";
import { contextOf } from "./context.js";
import { ExitCode, UsageError } from "./errors.js";
import { formatData } from "./output.js";
import type { KubeObject } from "./render/substitute.js";
import { addRenderOptions, type RenderInputOptions, renderedObjects, renderInput } from "./render.js";
import { openSources } from "./sources.js";

/** How one object differs. */
export interface ObjectDiff {
  /** `group/Kind/namespace/name`, with `core` for the core group and `-` for no namespace. */
  readonly key: string;
  readonly change: "added" | "removed" | "changed";
  /** The unified diff of the object's YAML. */
  readonly diff: string;
}

/** What {@link diffRendered} found. */
export interface RenderedDiff {
  readonly changed: boolean;
  /** Every object's diff, one after the other: what `pctl diff` prints. */
  readonly text: string;
  /** Added, removed and changed objects, sorted by key. */
  readonly objects: readonly ObjectDiff[];
}

/**
 * Compares two renders object by object, matched by group, kind, namespace and name.
 *
 * @example
 * const { changed, text } = diffRendered(renderedObjects(before), renderedObjects(after));
 */
export function diffRendered(before: readonly KubeObject[], after: readonly KubeObject[]): RenderedDiff {
  const left = byKey(before);
  const right = byKey(after);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  const objects: ObjectDiff[] = [];
  for (const key of keys) {
    const a = left.get(key);
    const b = right.get(key);
    if (a === b) continue;
    const change = a === undefined ? "added" : b === undefined ? "removed" : "changed";
    objects.push({
      key,
      change,
      diff: unifiedDiff(
        a ?? "",
        b ?? "",
        a === undefined ? "/dev/null" : `a/${key}`,
        b === undefined ? "/dev/null" : `b/${key}`,
      ),
    });
  }
  return { changed: objects.length > 0, text: objects.map((o) => o.diff).join(""), objects };
}

/** The identity of an object across renders. */
export function objectKey(object: KubeObject): string {
  const apiVersion = String(object.apiVersion ?? "");
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "core";
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return `${group}/${String(object.kind)}/${metadata.namespace ?? "-"}/${metadata.name ?? ""}`;
}

function byKey(objects: readonly KubeObject[]): Map<string, string> {
  return new Map(
    objects.map((object) => [objectKey(object), stringify(object, { lineWidth: 0, sortMapEntries: true })]),
  );
}

type Edit = { readonly op: " " | "-" | "+"; readonly line: string };

/**
 * A unified diff of two texts with three lines of context, `---`/`+++` headers and `@@` hunks.
 * Equal texts give `""`.
 */
export function unifiedDiff(a: string, b: string, fromName: string, toName: string, context = 3): string {
  const edits = lineEdits(splitLines(a), splitLines(b));
  if (edits.every((edit) => edit.op === " ")) return "";
  const out = [`--- ${fromName}\n`, `+++ ${toName}\n`];
  const changed = edits.flatMap((edit, index) => (edit.op === " " ? [] : [index]));
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * context) end += 1;
    const from = Math.max(0, changed[start]! - context);
    const to = Math.min(edits.length, changed[end]! + context + 1);
    const before = edits.slice(0, from);
    const hunk = edits.slice(from, to);
    const oldStart = before.filter((e) => e.op !== "+").length;
    const newStart = before.filter((e) => e.op !== "-").length;
    const oldCount = hunk.filter((e) => e.op !== "+").length;
    const newCount = hunk.filter((e) => e.op !== "-").length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`);
    for (const edit of hunk) out.push(`${edit.op}${edit.line}\n`);
    start = end + 1;
  }
  return out.join("");
}

function range(start: number, count: number): string {
  return count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  return text.replace(/\n$/, "").split("\n");
}

/** Line edits: the common prefix and suffix are kept as they are, the middle goes through an LCS. */
function lineEdits(a: readonly string[], b: readonly string[]): Edit[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix += 1;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const width = midB.length + 1;
  const lcs = new Uint32Array((midA.length + 1) * width);
  for (let i = midA.length - 1; i >= 0; i--) {
    for (let j = midB.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        midA[i] === midB[j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const edits: Edit[] = a.slice(0, prefix).map((line) => ({ op: " ", line }));
  let i = 0;
  let j = 0;
  while (i < midA.length || j < midB.length) {
    if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
      edits.push({ op: " ", line: midA[i]! });
      i += 1;
      j += 1;
    } else if (
      i < midA.length &&
      (j === midB.length || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)
    ) {
      edits.push({ op: "-", line: midA[i]! });
      i += 1;
    } else {
      edits.push({ op: "+", line: midB[j]! });
      j += 1;
    }
  }
  for (const line of a.slice(a.length - suffix)) edits.push({ op: " ", line });
  return edits;
}

/**
 * The same subscription at another version: a catalog subscription gets `version`; a git one gets
 * the tag of that version in its profile's directory.
 */
export function atVersion(subscription: ProfileSubscription, version: string): ProfileSubscription {
  const { spec } = subscription;
  if (spec.catalog !== undefined)
    return { ...subscription, spec: { ...spec, catalog: { ...spec.catalog, version } } };
  if (spec.source === undefined) return subscription;
  const { url, path, secretRef, tag } = spec.source;
  const dir = path ?? (tag?.includes("/") ? tag.slice(0, tag.lastIndexOf("/")) : "");
  return {
    ...subscription,
    spec: {
      ...spec,
      source: {
        url,
        ...(path !== undefined && { path }),
        ...(secretRef && { secretRef }),
        tag: profileTag(dir, version),
      },
    },
  };
}

interface DiffCommandOptions extends RenderInputOptions {
  readonly to?: string;
}

/** Adds `pctl diff` to `program`. */
export function register(program: Command): void {
  const command = program
    .command("diff")
    .description(
      "render a subscription at two versions (or two inputs) and print what changes, object by object",
    )
    .argument("<input>", "a ProfileSubscription file, a profile directory, or a catalog reference")
    .argument("[other]", "a second input to compare with, instead of --to");
  addRenderOptions(command)
    .option("--to <version>", "the version to compare with, such as 1.3.0")
    .addHelpText(
      "after",
      `
Prints a unified diff per added, removed or changed object (-o json|yaml: the list of changes) and
exits 1 when the two renders differ, 0 when they are the same.

Examples:
  pctl diff web-subscription.yaml --to 1.3.0 --full
  pctl diff before.yaml after.yaml`,
    )
    .action(async (input: string, other: string | undefined, _options: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const options = cmd.opts<DiffCommandOptions>();
      if ((other === undefined) === (options.to === undefined)) {
        throw new UsageError("give either a second input or --to <version>", {
          hint: "pctl diff web.yaml --to 1.3.0, or pctl diff before.yaml after.yaml",
        });
      }
      const sources = openSources(ctx);
      try {
        const before = await renderInput(input, options, ctx, sources);
        const to = options.to;
        const after =
          to === undefined
            ? await renderInput(other, options, ctx, sources)
            : await renderInput(input, options, ctx, sources, (s) => atVersion(s, to));
        const result = diffRendered(renderedObjects(before), renderedObjects(after));
        if (ctx.format === "table") ctx.stdout.write(result.text);
        else ctx.stdout.write(formatData({ changed: result.changed, objects: result.objects }, ctx.format));
        ctx.note(
          result.changed
            ? `${result.objects.length} object(s) differ: ${summary(result.objects)}`
            : "no differences",
        );
        if (result.changed) process.exitCode = ExitCode.Findings;
      } finally {
        await sources.close();
      }
    });
}

function summary(objects: readonly ObjectDiff[]): string {
  const count = (change: ObjectDiff["change"]) => objects.filter((o) => o.change === change).length;
  return `${count("added")} added, ${count("removed")} removed, ${count("changed")} changed`;
}
