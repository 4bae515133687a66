/**
 * Safe YAML loading for every external input: profile.yaml files, Helm values held as strings,
 * subscription and catalog files read by the CLI.
 *
 * js-yaml builds aliases as shared references, so a small file can describe a graph that is
 * billions of nodes wide once anything walks it (zod, JSON.stringify, a Helm render). We read the
 * parser's event stream first and refuse such inputs before any object is built:
 * - `maxBytes` bounds the text itself;
 * - `maxAliases` bounds the number of `*alias` nodes;
 * - `maxAliasedNodes` bounds how many nodes the aliases would copy in if expanded, which is what
 *   actually stops "billion laughs" (nine levels of ten aliases stay under 100 aliases);
 * - an alias that points into its own anchor (a cycle) is refused outright.
 *
 * Errors name the source and line: `LimitExceededError` for the limits, `InvalidInputError` for
 * YAML that does not parse.
 * @module
 */

import {
  CORE_SCHEMA,
  constructFromEvents,
  EVENT_ID,
  type Event,
  mergeTag,
  parseEvents,
  YAMLException,
} from "js-yaml";
import { InvalidInputError, LimitExceededError } from "./errors.js";

/** Options for {@link parseYaml} and {@link parseYamlAll}. */
export interface YamlOptions {
  /** A label for messages, usually the file path. [default: `"<input>"`] */
  readonly source?: string;
  /** Largest accepted input, in UTF-8 bytes. [default: 1 MiB] */
  readonly maxBytes?: number;
  /** Most `*alias` nodes accepted in the whole input. [default: 100] */
  readonly maxAliases?: number;
  /** Most nodes the aliases may stand for once expanded, summed over the input. [default: 100000] */
  readonly maxAliasedNodes?: number;
}

const DEFAULTS = {
  source: "<input>",
  maxBytes: 1024 * 1024,
  maxAliases: 100,
  maxAliasedNodes: 100_000,
} as const;

// Kubernetes tooling (go-yaml) honours `<<` merge keys, and Helm values files use them.
const SCHEMA = CORE_SCHEMA.withTags(mergeTag);

/**
 * Parses a single YAML document. An empty input gives `null`.
 *
 * @throws LimitExceededError when the input is too large or uses too many aliases.
 * @throws InvalidInputError when the text is not YAML or holds more than one document.
 * @example
 * const doc = parseYaml(text, { source: "nginx/profile.yaml" });
 */
export function parseYaml(text: string, options: YamlOptions = {}): unknown {
  const documents = load(text, options);
  if (documents.length > 1) {
    const source = options.source ?? DEFAULTS.source;
    throw new InvalidInputError(`${source}: expected one YAML document, found ${documents.length}`, {
      data: { source, documents: documents.length },
    });
  }
  return documents[0] ?? null;
}

/**
 * Parses a multi-document YAML stream. Empty documents (a stray `---`) are left out, as kubectl does.
 *
 * @throws LimitExceededError when the input is too large or uses too many aliases.
 * @throws InvalidInputError when the text is not YAML.
 */
export function parseYamlAll(text: string, options: YamlOptions = {}): unknown[] {
  return load(text, options).filter((document) => document !== null && document !== undefined);
}

function load(text: string, options: YamlOptions): unknown[] {
  const source = options.source ?? DEFAULTS.source;
  const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    throw new LimitExceededError(`${source}: ${bytes} bytes is over the limit of ${maxBytes} bytes`, {
      data: { source, bytes, limit: maxBytes },
    });
  }
  try {
    const events = parseEvents(text, { filename: source });
    checkAliases(events, text, {
      source,
      maxAliases: options.maxAliases ?? DEFAULTS.maxAliases,
      maxAliasedNodes: options.maxAliasedNodes ?? DEFAULTS.maxAliasedNodes,
    });
    return constructFromEvents(events, { source: text, filename: source, schema: SCHEMA });
  } catch (error) {
    if (error instanceof YAMLException) {
      const line = error.mark ? error.mark.line + 1 : undefined;
      const where = line === undefined ? source : `${source}:${line}`;
      throw new InvalidInputError(`${where}: ${error.reason}`, { data: { source, line }, cause: error });
    }
    throw error;
  }
}

interface AliasLimits {
  readonly source: string;
  readonly maxAliases: number;
  readonly maxAliasedNodes: number;
}

interface Frame {
  size: number;
  readonly anchor: string | undefined;
}

/** Walks the events once, sizing every anchored node so each alias can be charged what it stands for. */
function checkAliases(events: readonly Event[], text: string, limits: AliasLimits): void {
  const { source } = limits;
  const lineAt = (offset: number) => lineOf(text, offset);
  let aliases = 0;
  let aliasedNodes = 0;
  let anchors = new Map<string, number>();
  const open = new Set<string>();
  const stack: Frame[] = [];
  const add = (size: number) => {
    const top = stack[stack.length - 1];
    if (top) top.size += size;
  };
  const anchorOf = (start: number, end: number) => (start >= 0 ? text.slice(start, end) : undefined);

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        anchors = new Map();
        stack.push({ size: 0, anchor: undefined });
        break;
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        const anchor = anchorOf(event.anchorStart, event.anchorEnd);
        if (anchor !== undefined) open.add(anchor);
        stack.push({ size: 1, anchor });
        break;
      }
      case EVENT_ID.SCALAR: {
        const anchor = anchorOf(event.anchorStart, event.anchorEnd);
        if (anchor !== undefined) anchors.set(anchor, 1);
        add(1);
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(event.anchorStart, event.anchorEnd);
        const line = lineAt(event.anchorStart);
        aliases += 1;
        if (aliases > limits.maxAliases) {
          throw new LimitExceededError(
            `${source}:${line}: more than ${limits.maxAliases} YAML aliases; expand them or split the file`,
            { data: { source, line, limit: limits.maxAliases } },
          );
        }
        if (open.has(name)) {
          throw new InvalidInputError(`${source}:${line}: alias *${name} refers to a node that contains it`, {
            data: { source, line, alias: name },
          });
        }
        // An unknown anchor is left for the constructor, which reports it with its own message.
        const size = anchors.get(name) ?? 1;
        aliasedNodes += size;
        if (aliasedNodes > limits.maxAliasedNodes) {
          throw new LimitExceededError(
            `${source}:${line}: YAML aliases expand to more than ${limits.maxAliasedNodes} nodes`,
            { data: { source, line, limit: limits.maxAliasedNodes } },
          );
        }
        add(size);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (frame?.anchor !== undefined) {
          open.delete(frame.anchor);
          anchors.set(frame.anchor, frame.size);
        }
        if (frame) add(frame.size);
        break;
      }
    }
  }
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (
    let index = text.indexOf("\n");
    index !== -1 && index < offset;
    index = text.indexOf("\n", index + 1)
  ) {
    line += 1;
  }
  return line;
}
