/**
 * The OpenAPI `format` checks the API server applies (kube-openapi's strfmt registry), for the
 * formats CRDs use. Formats it does not know are ignored, as the API server ignores them.
 * @module
 */

const INT32 = 2 ** 31;
const INT64 = 2n ** 63n;

const STRING_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  "date-time": (v) =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v) &&
    !Number.isNaN(Date.parse(v)),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  duration: isDuration,
  byte: (v) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v),
  uuid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  ipv4: (v) => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(v),
  hostname: (v) =>
    v.length <= 253 &&
    /^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$/.test(
      v,
    ),
  uri: (v) => URL.canParse(v),
};

const LONG_UNITS = ["nano", "micro", "milli", "sec", "min", "hour", "day", "week"];
const LOOSE_UNITS = ["ns", "us", "µs", "ms", "s", "m", "h", "hr", "d", "w", "wk", ...LONG_UNITS];

/** `time.ParseDuration` syntax, or the looser "<n> <unit>" form kube-openapi accepts after it. */
function isDuration(value: string): boolean {
  if (/^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(value) || value === "0") return true;
  if (!/^\s*(?:\d+\s*[A-Za-zµ]+\s*)+$/.test(value)) return false;
  // kube-openapi accepts the string when any one unit is known: a spelling, or a prefix of the long name.
  return [...value.matchAll(/\d+\s*([A-Za-zµ]+)/g)].some(([, unit]) => {
    const u = unit!.toLowerCase();
    return LOOSE_UNITS.includes(u) || LONG_UNITS.some((long) => u.startsWith(long));
  });
}

/**
 * Checks a value against a `format`. Returns a message when it does not conform, `undefined`
 * when it does or when the format has no check. Integer formats are range checks: the API
 * server stores the number, but a Go controller decoding it into an int32 field fails.
 */
export function formatError(format: string, value: unknown): string | undefined {
  if (typeof value === "number") {
    if (format === "int32" && (value < -INT32 || value >= INT32)) return `${value} does not fit in an int32`;
    if (format === "int64" && Number.isInteger(value) && (BigInt(value) < -INT64 || BigInt(value) >= INT64)) {
      return `${value} does not fit in an int64`;
    }
    return undefined;
  }
  if (typeof value !== "string") return undefined;
  const check = STRING_FORMATS[format];
  return check === undefined || check(value)
    ? undefined
    : `${JSON.stringify(value)} is not a valid ${format}`;
}
