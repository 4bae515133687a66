/**
 * `helm lint` on a local chart, its findings turned into file and line positions.
 * @module
 */
import { runTool, ToolFailedError } from "./run.js";

/** One finding of `helm lint`. */
export interface LintFinding {
  /** The file it is about, relative to the chart directory (`Chart.yaml`, `templates/cm.yaml`). */
  readonly file: string;
  /** The 1-based line, when helm names one. */
  readonly line: number | undefined;
  readonly severity: "error" | "warning";
  readonly message: string;
}

// `[ERROR] templates/: template: demo/templates/cm.yaml:5:3: executing ...`
const FINDING = /^\[(ERROR|WARNING)\]\s+([^:]*):\s*(.*)$/;
const TEMPLATE_POSITION = /[\w.-]+\/((?:templates|charts)\/[^\s:]+):(\d+)/;
const YAML_LINE = /\bline (\d+)\b/;

/**
 * Runs `helm lint` on `chartDir`. `[INFO]` lines are dropped; errors and warnings are returned.
 *
 * @throws MissingToolError when helm cannot be found
 */
export async function helmLint(chartDir: string): Promise<LintFinding[]> {
  let output: string;
  try {
    output = (await runTool("helm", ["lint", chartDir], { what: `helm lint ${chartDir}` })).stdout;
  } catch (error) {
    // helm lint exits 1 when it found errors; the findings are on stdout all the same.
    if (!(error instanceof ToolFailedError)) throw error;
    output = `${String(error.data.stdout ?? "")}\n${String(error.data.stderr ?? "")}`;
  }
  return parseHelmLint(output);
}

/** Parses `helm lint` output (`[ERROR] file: message` lines). */
export function parseHelmLint(output: string): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const raw of output.split("\n")) {
    const match = FINDING.exec(raw.trim());
    if (match === null) continue;
    const [, level, where = "", message = ""] = match;
    const template = TEMPLATE_POSITION.exec(message);
    const yamlLine = YAML_LINE.exec(message);
    // Findings about a whole directory, or the chart itself, are put on Chart.yaml.
    const file = template?.[1] ?? (where === "" || where.endsWith("/") ? "Chart.yaml" : where);
    const line = template ? Number(template[2]) : yamlLine ? Number(yamlLine[1]) : undefined;
    findings.push({ file, line, severity: level === "ERROR" ? "error" : "warning", message });
  }
  return findings;
}
