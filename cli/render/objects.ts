/**
 * ConfigMaps and Secrets supplied on the command line for an offline render: what a cluster would
 * hold for `parametersFrom`, `valuesFrom` and `postBuild.substituteFrom`. They come as manifests
 * (`--objects FILE`) or as one file per key (`--values-from-file Kind/name[:key]=FILE`).
 * @module
 */
import { readFile } from "node:fs/promises";
import { parseYamlAll } from "../../crds/yaml.js";
import { UsageError } from "../errors.js";

/** The kinds values and parameters are read from. */
export type ValuesKind = "ConfigMap" | "Secret";

/** ConfigMaps and Secrets by `Kind/name`, each a map of key to text. */
export type ObjectStore = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** The store key of an object. */
export function objectKey(kind: ValuesKind, name: string): string {
  return `${kind}/${name}`;
}

const FLAG = /^(ConfigMap|Secret)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?::([-._a-zA-Z0-9]+))?=(.+)$/;

/**
 * Reads the objects named by `--objects` manifests and `--values-from-file` flags; a later one adds
 * keys to (and replaces keys of) an earlier one of the same kind and name.
 *
 * @throws UsageError for a flag that is not `Kind/name[:key]=FILE`, or a manifest that holds
 *   something other than ConfigMaps and Secrets
 * @example
 * const store = await readObjectStore({ valuesFromFiles: ["Secret/web-values=secret-values.yaml"] });
 */
export async function readObjectStore(options: {
  readonly objectFiles?: readonly string[];
  readonly valuesFromFiles?: readonly string[];
}): Promise<Map<string, Record<string, string>>> {
  const store = new Map<string, Record<string, string>>();
  const add = (key: string, data: Record<string, string>) => store.set(key, { ...store.get(key), ...data });
  for (const file of options.objectFiles ?? []) {
    const documents = parseYamlAll(await readFile(file, "utf8"), { source: file });
    for (const document of documents.flatMap((d) => listItems(d))) {
      const { kind, metadata, data, stringData } = document as {
        kind?: unknown;
        metadata?: { name?: unknown };
        data?: Record<string, string>;
        stringData?: Record<string, string>;
      };
      if ((kind !== "ConfigMap" && kind !== "Secret") || typeof metadata?.name !== "string") {
        throw new UsageError(`${file} holds a ${String(kind)}; --objects reads ConfigMaps and Secrets`, {
          hint: "pass only the ConfigMaps and Secrets that the subscription's parametersFrom and valuesFrom name",
        });
      }
      const decoded =
        kind === "Secret"
          ? Object.fromEntries(
              Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
            )
          : { ...data };
      add(objectKey(kind, metadata.name), { ...decoded, ...stringData });
    }
  }
  for (const flag of options.valuesFromFiles ?? []) {
    const match = FLAG.exec(flag);
    if (match === null) {
      throw new UsageError(`--values-from-file ${flag} is not Kind/name[:key]=FILE`, {
        hint: "for example --values-from-file Secret/web-values=web-values.yaml (the key defaults to values.yaml)",
      });
    }
    const [, kind, name, , key = "values.yaml", file = ""] = match;
    add(objectKey(kind as ValuesKind, name ?? ""), { [key]: await readFile(file, "utf8") });
  }
  return store;
}

function listItems(document: unknown): unknown[] {
  const list = document as { kind?: unknown; items?: unknown };
  return list?.kind === "List" && Array.isArray(list.items) ? list.items : [document];
}

/** The flags that supply an object, for "missing" messages. */
export function supplyHint(missing: readonly string[]): string {
  const example = missing[0] ?? "Secret/name";
  return `supply them as manifests with --objects FILE, or one key at a time with --values-from-file ${example}[:key]=FILE`;
}
