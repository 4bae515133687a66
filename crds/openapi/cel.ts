/**
 * A small CEL evaluator for the `x-kubernetes-validations` rules that occur in the Flux CRDs and
 * ours: field presence (`has`), comparisons, boolean logic, `in`, lists, `size()`, string
 * functions and the list macros. Anything else is refused at compile time with
 * {@link CelUnsupportedError}, so an unknown rule is never mistaken for a passing one.
 * @module
 */

import { re2ToRegExp, UnsupportedPatternError } from "./re2.js";
import { isPlainObject, jsonEqual } from "./types.js";

/** The rule uses CEL syntax or a function this evaluator does not implement. */
export class CelUnsupportedError extends Error {
  override readonly name = "CelUnsupportedError";
}

/** A runtime error inside a rule (a missing key, a type mismatch), which fails the rule in Kubernetes. */
export class CelEvalError extends Error {
  override readonly name = "CelEvalError";
}

type Node =
  | { readonly t: "lit"; readonly v: unknown }
  | { readonly t: "ident"; readonly name: string }
  | { readonly t: "select"; readonly operand: Node; readonly field: string }
  | { readonly t: "has"; readonly operand: Node; readonly field: string }
  | { readonly t: "index"; readonly operand: Node; readonly index: Node }
  | { readonly t: "call"; readonly fn: string; readonly target?: Node; readonly args: readonly Node[] }
  | { readonly t: "list"; readonly items: readonly Node[] }
  | { readonly t: "map"; readonly entries: readonly (readonly [Node, Node])[] }
  | { readonly t: "unary"; readonly op: "!" | "-"; readonly operand: Node }
  | { readonly t: "binary"; readonly op: string; readonly left: Node; readonly right: Node }
  | { readonly t: "cond"; readonly cond: Node; readonly then: Node; readonly else: Node }
  | {
      readonly t: "macro";
      readonly macro: string;
      readonly target: Node;
      readonly variable: string;
      readonly args: readonly Node[];
    };

/** A compiled rule. `usesOldSelf` marks transition rules, which the API server skips on create. */
export interface CelProgram {
  readonly source: string;
  readonly usesOldSelf: boolean;
  /** Evaluates with `self` (and any other variables) bound. @throws CelEvalError */
  evaluate(bindings: Readonly<Record<string, unknown>>): unknown;
}

const GLOBAL_FUNCTIONS = new Set(["size", "int", "double", "string"]);
const MEMBER_FUNCTIONS = new Set(["size", "startsWith", "endsWith", "contains", "matches"]);
const MACROS = new Set(["all", "exists", "exists_one", "filter", "map"]);
const compiled = new Map<string, CelProgram>();

/**
 * Parses a CEL rule into a program.
 * @throws CelUnsupportedError when the rule is outside the supported subset.
 * @example compileCel("has(self.chart) != has(self.chartRef)").evaluate({ self: { chart: {} } }) // true
 */
export function compileCel(source: string): CelProgram {
  const cached = compiled.get(source);
  if (cached) return cached;
  const parser = new Parser(tokenize(source), source);
  const ast = parser.parseExpression();
  parser.expectEnd();
  const program: CelProgram = {
    source,
    usesOldSelf: parser.identifiers.has("oldSelf"),
    evaluate: (bindings) => evaluate(ast, bindings),
  };
  compiled.set(source, program);
  return program;
}

type Token = { readonly kind: "num" | "str" | "id" | "op"; readonly text: string; readonly value?: unknown };

const OPERATORS = ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":"];
const PUNCTUATION = "()[]{}.,";
const STRING_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(0x[0-9a-fA-F]+u?|\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+u?)/.exec(
      source.slice(i),
    );
    if (number) {
      const text = number[1]!;
      tokens.push({ kind: "num", text, value: Number(text.replace(/u$/, "")) });
      i += text.length;
      continue;
    }
    if (c === "'" || c === '"') {
      if (source.startsWith(c.repeat(3), i)) throw new CelUnsupportedError("triple-quoted strings");
      let value = "";
      let j = i + 1;
      for (; j < source.length && source[j] !== c; j++) {
        if (source[j] === "\\") {
          const escaped = STRING_ESCAPES[source[++j] ?? ""];
          if (escaped === undefined) throw new CelUnsupportedError(`string escape \\${source[j] ?? ""}`);
          value += escaped;
        } else value += source[j];
      }
      if (j >= source.length) throw new CelUnsupportedError("unterminated string");
      tokens.push({ kind: "str", text: source.slice(i, j + 1), value });
      i = j + 1;
      continue;
    }
    const identifier = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (identifier) {
      tokens.push({ kind: "id", text: identifier[0] });
      i += identifier[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i)) ?? (PUNCTUATION.includes(c) ? c : undefined);
    if (op === undefined) throw new CelUnsupportedError(`unexpected character '${c}'`);
    tokens.push({ kind: "op", text: op });
    i += op.length;
  }
  return tokens;
}

const RELATIONAL = new Set(["==", "!=", "<", "<=", ">", ">=", "in"]);
// Precedence climbing, loosest first: || < && < relations < + - < * / %.
const BINARY_LEVELS: readonly ((text: string) => boolean)[] = [
  (t) => t === "||",
  (t) => t === "&&",
  (t) => RELATIONAL.has(t),
  (t) => t === "+" || t === "-",
  (t) => t === "*" || t === "/" || t === "%",
];

class Parser {
  readonly identifiers = new Set<string>();
  private position = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly source: string,
  ) {}

  parseExpression(): Node {
    const cond = this.parseBinary(0);
    if (!this.accept("?")) return cond;
    const then = this.parseBinary(0);
    this.expect(":");
    return { t: "cond", cond, then, else: this.parseExpression() };
  }

  expectEnd(): void {
    const token = this.tokens[this.position];
    if (token) throw new CelUnsupportedError(`unexpected '${token.text}' in ${this.source}`);
  }

  private parseBinary(level: number): Node {
    const matches = BINARY_LEVELS[level];
    if (!matches) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const token = this.tokens[this.position];
      if (!token || token.kind === "str" || token.kind === "num" || !matches(token.text)) return left;
      this.position++;
      const right = this.parseBinary(level + 1);
      left = { t: "binary", op: token.text, left, right };
    }
  }

  private parseUnary(): Node {
    if (this.accept("!")) return { t: "unary", op: "!", operand: this.parseUnary() };
    if (this.accept("-")) return { t: "unary", op: "-", operand: this.parseUnary() };
    return this.parseMember(this.parsePrimary());
  }

  private parseMember(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.accept(".")) {
        const name = this.identifier();
        if (!this.accept("(")) {
          node = { t: "select", operand: node, field: name };
          continue;
        }
        if (MACROS.has(name)) {
          const variable = this.identifier();
          const args: Node[] = [];
          while (this.accept(",")) args.push(this.parseExpression());
          this.expect(")");
          const arity = name === "map" ? [1, 2] : [1];
          if (!arity.includes(args.length))
            throw new CelUnsupportedError(`${name}() with ${args.length + 1} arguments`);
          node = { t: "macro", macro: name, target: node, variable, args };
          continue;
        }
        if (!MEMBER_FUNCTIONS.has(name)) throw new CelUnsupportedError(`function ${name}()`);
        node = { t: "call", fn: name, target: node, args: this.list(")") };
      } else if (this.accept("[")) {
        const index = this.parseExpression();
        this.expect("]");
        node = { t: "index", operand: node, index };
      } else return node;
    }
  }

  private parsePrimary(): Node {
    const token = this.tokens[this.position++];
    if (!token) throw new CelUnsupportedError(`unexpected end of ${this.source}`);
    if (token.kind === "num" || token.kind === "str") return { t: "lit", v: token.value };
    if (token.kind === "op") {
      if (token.text === "(") {
        const inner = this.parseExpression();
        this.expect(")");
        return inner;
      }
      if (token.text === "[") return { t: "list", items: this.list("]") };
      if (token.text === "{") return this.mapLiteral();
      throw new CelUnsupportedError(`unexpected '${token.text}' in ${this.source}`);
    }
    const name = token.text;
    if (name === "true" || name === "false") return { t: "lit", v: name === "true" };
    if (name === "null") return { t: "lit", v: null };
    if (name === "has" && this.accept("(")) {
      const operand = this.parseExpression();
      this.expect(")");
      if (operand.t !== "select") throw new CelUnsupportedError("has() needs a field selection");
      return { t: "has", operand: operand.operand, field: operand.field };
    }
    if (this.peek("(")) {
      if (!GLOBAL_FUNCTIONS.has(name)) throw new CelUnsupportedError(`function ${name}()`);
      this.position++;
      return { t: "call", fn: name, args: this.list(")") };
    }
    this.identifiers.add(name);
    return { t: "ident", name };
  }

  private mapLiteral(): Node {
    const entries: [Node, Node][] = [];
    if (!this.accept("}")) {
      do {
        const key = this.parseExpression();
        this.expect(":");
        entries.push([key, this.parseExpression()]);
      } while (this.accept(","));
      this.expect("}");
    }
    return { t: "map", entries };
  }

  private list(close: string): Node[] {
    const items: Node[] = [];
    if (this.accept(close)) return items;
    do items.push(this.parseExpression());
    while (this.accept(","));
    this.expect(close);
    return items;
  }

  private identifier(): string {
    const token = this.tokens[this.position++];
    if (token?.kind !== "id") throw new CelUnsupportedError(`expected an identifier in ${this.source}`);
    return token.text;
  }

  private peek(text: string): boolean {
    const token = this.tokens[this.position];
    return token?.kind === "op" && token.text === text;
  }

  private accept(text: string): boolean {
    if (!this.peek(text)) return false;
    this.position++;
    return true;
  }

  private expect(text: string): void {
    if (!this.accept(text)) throw new CelUnsupportedError(`expected '${text}' in ${this.source}`);
  }
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw new CelEvalError(`${what} must be a bool, got ${typeName(value)}`);
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "map";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "double";
  return typeof value === "boolean" ? "bool" : typeof value;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: CelEvalError };

function attempt(node: Node, env: Readonly<Record<string, unknown>>): Outcome {
  try {
    return { ok: true, value: evaluate(node, env) };
  } catch (error) {
    if (error instanceof CelEvalError) return { ok: false, error };
    throw error;
  }
}

// CEL's && and || are commutative: a false (or true) side wins over an error on the other side.
function logical(op: "&&" | "||", left: Node, right: Node, env: Readonly<Record<string, unknown>>): boolean {
  const decisive = op === "||";
  const outcomes = [attempt(left, env), attempt(right, env)];
  for (const o of outcomes) if (o.ok && bool(o.value, `operand of ${op}`) === decisive) return decisive;
  for (const o of outcomes) if (!o.ok) throw o.error;
  return !decisive;
}

function select(operand: unknown, field: string): unknown {
  if (!isPlainObject(operand)) throw new CelEvalError(`cannot select '${field}' from ${typeName(operand)}`);
  if (!Object.hasOwn(operand, field)) throw new CelEvalError(`no such key: ${field}`);
  return operand[field];
}

function evaluate(node: Node, env: Readonly<Record<string, unknown>>): unknown {
  switch (node.t) {
    case "lit":
      return node.v;
    case "ident":
      if (!Object.hasOwn(env, node.name)) throw new CelEvalError(`undeclared reference to '${node.name}'`);
      return env[node.name];
    case "select":
      return select(evaluate(node.operand, env), node.field);
    case "has": {
      const operand = evaluate(node.operand, env);
      if (!isPlainObject(operand)) throw new CelEvalError(`has() on ${typeName(operand)}`);
      return Object.hasOwn(operand, node.field);
    }
    case "index": {
      const operand = evaluate(node.operand, env);
      const index = evaluate(node.index, env);
      if (Array.isArray(operand) && typeof index === "number") {
        if (!Number.isInteger(index) || index < 0 || index >= operand.length) {
          throw new CelEvalError(`index out of range: ${index}`);
        }
        return operand[index];
      }
      if (typeof index === "string") return select(operand, index);
      throw new CelEvalError(`cannot index ${typeName(operand)} with ${typeName(index)}`);
    }
    case "list":
      return node.items.map((item) => evaluate(item, env));
    case "map":
      return Object.fromEntries(node.entries.map(([k, v]) => [String(evaluate(k, env)), evaluate(v, env)]));
    case "unary": {
      const operand = evaluate(node.operand, env);
      if (node.op === "!") return !bool(operand, "operand of !");
      if (typeof operand !== "number") throw new CelEvalError(`cannot negate ${typeName(operand)}`);
      return -operand;
    }
    case "cond":
      return bool(evaluate(node.cond, env), "condition")
        ? evaluate(node.then, env)
        : evaluate(node.else, env);
    case "binary":
      if (node.op === "&&" || node.op === "||") return logical(node.op, node.left, node.right, env);
      return binary(node.op, evaluate(node.left, env), evaluate(node.right, env));
    case "call":
      return call(
        node.fn,
        node.target === undefined ? undefined : evaluate(node.target, env),
        node.args.map((arg) => evaluate(arg, env)),
      );
    case "macro":
      return macro(node, env);
  }
}

function binary(op: string, left: unknown, right: unknown): unknown {
  if (op === "==") return jsonEqual(left, right);
  if (op === "!=") return !jsonEqual(left, right);
  if (op === "in") {
    if (Array.isArray(right)) return right.some((item) => jsonEqual(item, left));
    if (isPlainObject(right) && typeof left === "string") return Object.hasOwn(right, left);
    throw new CelEvalError(`'in' needs a list or map, got ${typeName(right)}`);
  }
  if (op === "+" && typeof left === "string" && typeof right === "string") return left + right;
  if (op === "+" && Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  const comparable =
    (typeof left === "number" && typeof right === "number") ||
    (typeof left === "string" && typeof right === "string");
  if (comparable && ["<", "<=", ">", ">="].includes(op)) {
    const [a, b] = [left as number | string, right as number | string];
    return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
  }
  if (typeof left !== "number" || typeof right !== "number") {
    throw new CelEvalError(`no such overload: ${typeName(left)} ${op} ${typeName(right)}`);
  }
  const integers = Number.isInteger(left) && Number.isInteger(right);
  if ((op === "/" || op === "%") && integers && right === 0) throw new CelEvalError(`division by zero`);
  switch (op) {
    case "+":
      return left + right;
    case "-":
      return left - right;
    case "*":
      return left * right;
    case "/":
      return integers ? Math.trunc(left / right) : left / right;
    default:
      return left % right;
  }
}

function call(fn: string, target: unknown, args: readonly unknown[]): unknown {
  const [subject, argument] = target === undefined ? [args[0], args[1]] : [target, args[0]];
  const expected = target === undefined ? 1 : fn === "size" ? 0 : 1;
  if (args.length !== expected) throw new CelEvalError(`${fn}() takes ${expected} argument(s)`);
  switch (fn) {
    case "size":
      if (typeof subject === "string") return [...subject].length;
      if (Array.isArray(subject)) return subject.length;
      if (isPlainObject(subject)) return Object.keys(subject).length;
      throw new CelEvalError(`size() of ${typeName(subject)}`);
    case "int":
      if (typeof subject === "number") return Math.trunc(subject);
      if (typeof subject === "string" && /^-?\d+$/.test(subject)) return Number(subject);
      throw new CelEvalError(`int() of ${typeName(subject)}`);
    case "double":
      if (typeof subject === "number") return subject;
      if (typeof subject === "string" && subject.trim() !== "" && !Number.isNaN(Number(subject))) {
        return Number(subject);
      }
      throw new CelEvalError(`double() of ${typeName(subject)}`);
    case "string":
      if (typeof subject === "string" || typeof subject === "number" || typeof subject === "boolean") {
        return String(subject);
      }
      throw new CelEvalError(`string() of ${typeName(subject)}`);
  }
  if (typeof subject !== "string" || typeof argument !== "string") {
    throw new CelEvalError(`no such overload: ${typeName(subject)}.${fn}(${typeName(argument)})`);
  }
  switch (fn) {
    case "startsWith":
      return subject.startsWith(argument);
    case "endsWith":
      return subject.endsWith(argument);
    case "contains":
      return subject.includes(argument);
    default:
      try {
        return re2ToRegExp(argument).test(subject);
      } catch (error) {
        if (error instanceof UnsupportedPatternError) throw new CelUnsupportedError(error.message);
        throw error;
      }
  }
}

function macro(node: Extract<Node, { t: "macro" }>, env: Readonly<Record<string, unknown>>): unknown {
  const target = evaluate(node.target, env);
  let elements: readonly unknown[];
  if (Array.isArray(target)) elements = target;
  else if (isPlainObject(target)) elements = Object.keys(target);
  else throw new CelEvalError(`${node.macro}() on ${typeName(target)}`);
  const run = (element: unknown, body: Node): Outcome => attempt(body, { ...env, [node.variable]: element });
  const predicate = node.args[0]!;
  if (node.macro === "all" || node.macro === "exists") {
    const decisive = node.macro === "exists";
    let firstError: CelEvalError | undefined;
    for (const element of elements) {
      const outcome = run(element, predicate);
      if (!outcome.ok) firstError ??= outcome.error;
      else if (bool(outcome.value, `${node.macro}() predicate`) === decisive) return decisive;
    }
    if (firstError) throw firstError;
    return !decisive;
  }
  const values = (body: Node) =>
    elements.map((element) => {
      const outcome = run(element, body);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    });
  if (node.macro === "exists_one") {
    return values(predicate).filter((v) => bool(v, "exists_one() predicate")).length === 1;
  }
  if (node.macro === "filter") {
    const keep = values(predicate).map((v) => bool(v, "filter() predicate"));
    return elements.filter((_, i) => keep[i]);
  }
  if (node.args.length === 1) return values(predicate);
  const keep = values(predicate).map((v) => bool(v, "map() filter"));
  return elements
    .filter((_, i) => keep[i])
    .map((element) => {
      const outcome = run(element, node.args[1]!);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    });
}
