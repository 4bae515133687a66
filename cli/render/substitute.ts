/**
 * Flux's post-build variable substitution (`postBuild.substitute`), as kustomize-controller runs it
 * after `kustomize build`, and the scan `pctl validate` uses to find the variables a file refers to.
 *
 * Like Flux (fluxcd/pkg/envsubst in its non-strict mode):
 * - only the braced form is replaced: `${var}`; a bare `$var` is left for scripts in ConfigMaps;
 * - `$${var}` is the escape and gives a literal `${var}`;
 * - an unset variable is the empty string; `${var:=default}`, `${var:-default}`, `${var=default}`
 *   and `${var-default}` use the default when the value is empty;
 * - bash's `${#var}`, `${var^}`, `${var^^}`, `${var,}`, `${var,,}`, `${var:offset[:length]}`,
 *   `${var#prefix}`, `${var##prefix}`, `${var%suffix}`, `${var%%suffix}` and `${var/old/new}`,
 *   `${var//old/new}` work on the value;
 * - each object is substituted on its own, and one labelled or annotated
 *   `kustomize.toolkit.fluxcd.io/substitute: disabled` is left alone;
 * - newlines in values are dropped, and nothing happens when there are no variables at all.
 * @module
 */

/** The label or annotation that opts an object out of substitution. */
export const SUBSTITUTE_OPT_OUT = "kustomize.toolkit.fluxcd.io/substitute";

const REFERENCE = /\$(\$?)\{([^{}]*)\}/g;
const NAME_AT_START = /^(#?)([_A-Za-z][_A-Za-z0-9]*)(.*)$/s;

/** A `${...}` found in a text. */
export interface VariableReference {
  readonly name: string;
  /** Whether the expression supplies a default (`${var:=x}`), so an unset variable is not a problem. */
  readonly hasDefault: boolean;
  /** The 0-based offset of the `$`. */
  readonly offset: number;
}

/** Every `${name...}` in `text`, escapes (`$${...}`) left out. */
export function variableReferences(text: string): VariableReference[] {
  const found: VariableReference[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    if (match[1] === "$") continue;
    const parsed = NAME_AT_START.exec(match[2] ?? "");
    if (parsed === null) continue;
    const rest = parsed[3] ?? "";
    found.push({
      name: parsed[2] ?? "",
      hasDefault: parsed[1] === "" && /^(:?[=-])/.test(rest),
      offset: match.index ?? 0,
    });
  }
  return found;
}

/** Replaces the `${...}` expressions of one text with `vars`, as Flux's envsubst does. */
export function substituteText(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(REFERENCE, (whole, escaped: string, body: string) => {
    if (escaped === "$") return whole.slice(1);
    const parsed = NAME_AT_START.exec(body);
    if (parsed === null) return whole;
    const [, length, name = "", rest = ""] = parsed;
    const value = (vars[name] ?? "").replaceAll("\n", "");
    if (length === "#") return String([...value].length);
    return applyOperator(value, rest);
  });
}

function applyOperator(value: string, op: string): string {
  if (op === "") return value;
  const defaultMatch = /^:?[=-](.*)$/s.exec(op);
  if (defaultMatch) return value === "" ? (defaultMatch[1] ?? "") : value;
  switch (op) {
    case "^":
      return value.charAt(0).toUpperCase() + value.slice(1);
    case "^^":
      return value.toUpperCase();
    case ",":
      return value.charAt(0).toLowerCase() + value.slice(1);
    case ",,":
      return value.toLowerCase();
  }
  const slice = /^:(-?\d+)(?::(\d+))?$/.exec(op);
  if (slice) {
    const start = Number(slice[1]);
    const from = start < 0 ? Math.max(0, value.length + start) : start;
    return slice[2] === undefined ? value.slice(from) : value.slice(from, from + Number(slice[2]));
  }
  const strip = /^(##?|%%?)(.*)$/s.exec(op);
  if (strip) return stripAffix(value, strip[1] ?? "", strip[2] ?? "");
  const replace = /^\/(\/?)([^/]*)\/?(.*)$/s.exec(op);
  if (replace) {
    const [, all, from = "", to = ""] = replace;
    if (from === "") return value;
    return all === "/" ? value.replaceAll(from, to) : value.replace(from, to);
  }
  return value;
}

// Patterns are taken literally, apart from a `*` wildcard, which is what manifests use.
function stripAffix(value: string, op: string, pattern: string): string {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(op.length === 2 ? ".*" : ".*?");
  if (op.startsWith("#")) {
    const match = new RegExp(`^${source}`, "s").exec(value);
    return match ? value.slice(match[0].length) : value;
  }
  // For a suffix, the shortest match starts last and the longest starts first.
  const starts = [...Array(value.length + 1).keys()];
  if (op === "%") starts.reverse();
  const whole = new RegExp(`^${source}$`, "s");
  const start = starts.find((index) => whole.test(value.slice(index)));
  return start === undefined ? value : value.slice(0, start);
}

/** A Kubernetes object as kustomize prints it. */
export type KubeObject = Record<string, unknown> & {
  readonly metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
};

/** Whether Flux leaves this object out of substitution. */
export function substitutionDisabled(object: KubeObject): boolean {
  const { labels, annotations } = object.metadata ?? {};
  return labels?.[SUBSTITUTE_OPT_OUT] === "disabled" || annotations?.[SUBSTITUTE_OPT_OUT] === "disabled";
}
