/**
 * Go RE2 patterns (the dialect of CRD `pattern` and CEL `matches()`) as ECMAScript RegExps.
 * @module
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Thrown when a pattern uses RE2 syntax with no ECMAScript equivalent here. */
export class UnsupportedPatternError extends Error {
  override readonly name = "UnsupportedPatternError";
}

const cache = new Map<string, RegExp>();

/**
 * Converts a Go RE2 pattern to a RegExp with the same matches. Go's `MatchString` searches
 * (it is not anchored), exactly like `RegExp.test`, so anchors are kept as written.
 * Handled: leading `(?flags)` for i/s/m, `(?P<name>`, POSIX classes such as `[[:alpha:]]`,
 * `\A`, `\z`, `\Q...\E` and one-letter Unicode classes (`\pL`).
 * @throws UnsupportedPatternError for syntax that neither dialect shares.
 */
export function re2ToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let flags = "";
  let rest = pattern;
  const leading = /^\(\?([ims]+)\)/.exec(rest);
  if (leading) {
    flags = leading[1]!;
    rest = rest.slice(leading[0].length);
  }
  const source = translate(rest, pattern);
  let compiled: RegExp;
  try {
    // Unicode mode counts code points as RE2 does; some escapes RE2 tolerates are only legal without it.
    compiled = new RegExp(source, `${flags}u`);
  } catch {
    try {
      compiled = new RegExp(source, flags);
    } catch (error) {
      throw new UnsupportedPatternError(`${pattern}: ${(error as Error).message}`);
    }
  }
  cache.set(pattern, compiled);
  return compiled;
}

function translate(source: string, pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      i++;
      if (next === "Q") {
        const end = source.indexOf("\\E", i + 1);
        const literal = source.slice(i + 1, end === -1 ? source.length : end);
        out += literal.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
        i = end === -1 ? source.length : end + 1;
      } else if (next === "A" && !inClass) out += "^";
      else if (next === "z" && !inClass) out += "(?![\\s\\S])";
      else if ((next === "p" || next === "P") && /[A-Z]/.test(source[i + 1] ?? "")) {
        out += `\\${next}{${source[i + 1]}}`;
        i++;
      } else out += `\\${next}`;
    } else if (inClass && c === "[" && source[i + 1] === ":") {
      const end = source.indexOf(":]", i + 2);
      const name = end === -1 ? "" : source.slice(i + 2, end);
      const range = POSIX_CLASSES[name];
      if (range === undefined) throw new UnsupportedPatternError(`unknown character class in ${pattern}`);
      out += range;
      i = end + 1;
    } else if (!inClass && c === "(" && source.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
    } else if (!inClass && c === "(" && /^\(\?[a-zA-Z-]+[:)]/.test(source.slice(i))) {
      throw new UnsupportedPatternError(`inline flags inside ${pattern}`);
    } else {
      if (c === "[" && !inClass) {
        inClass = true;
        out += c;
        // A `]` right after `[` or `[^` is a literal in RE2 but closes the class in ECMAScript.
        if (source[i + 1] === "^") {
          out += "^";
          i++;
        }
        if (source[i + 1] === "]") {
          out += "\\]";
          i++;
        }
        continue;
      }
      if (c === "]" && inClass) inClass = false;
      out += c;
    }
  }
  return out;
}
