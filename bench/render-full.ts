/**
 * `render --full` bench: a profile with five local charts, rendered by `renderSubscription` (the
 * expansion, the children, then `helm template` of each HelmRelease in parallel), against the
 * sequential sum of five `helm template` runs of the same charts with the same values, both from the
 * same process. The profile tree is handed in as plain data, so no git server is measured.
 *
 * Goal: a ratio under 1.0x, thanks to parallel charts.
 * @module
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { renderSubscription } from "../cli/render.js";
import { locateTool } from "../cli/tools/binaries.js";
import { parseProfile } from "../crds/profile.js";
import { parseProfileSubscription } from "../crds/profile-subscription.js";
import type { ProfileTreeNode } from "../hooks/sources/tree.js";
import { median } from "./support/stats.js";

const run = promisify(execFile);
const charts = ["api", "web", "worker", "cache", "queue"];
const runs = 7;
const commit = "a".repeat(40);

function chartFiles(name: string): Record<string, string> {
  const files: Record<string, string> = {
    [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
    [`charts/${name}/values.yaml`]: "replicaCount: 1\nimage: { repository: nginx, tag: '1.27' }\n",
  };
  // A few templates per chart, so each render does some work beside starting helm.
  for (const kind of ["deployment", "service", "configmap", "serviceaccount"]) {
    files[`charts/${name}/templates/${kind}.yaml`] = `apiVersion: v1
kind: ConfigMap
metadata: { name: {{ .Release.Name }}-${kind}, labels: { app: {{ .Chart.Name }} } }
data:
  replicas: "{{ .Values.replicaCount }}"
  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
{{- range $i, $e := until 50 }}
  key{{ $i }}: "{{ $.Release.Name }}-{{ $i }}"
{{- end }}
`;
  }
  return files;
}

export default async function bench(): Promise<void> {
  const helm = await locateTool("helm");
  const scratch = await mkdtemp(join(tmpdir(), "pctl-bench-render-"));
  try {
    const profileYaml = `apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata: { name: five }
spec:
  description: five charts
  artifacts:
${charts.map((name) => `    - { name: ${name}, chart: { path: charts/${name} }, values: { replicaCount: 2 } }`).join("\n")}
`;
    const files = new Map<string, Uint8Array>([["profile.yaml", Buffer.from(profileYaml)]]);
    for (const name of charts) {
      for (const [path, text] of Object.entries(chartFiles(name))) {
        files.set(path, Buffer.from(text));
        await mkdir(dirname(join(scratch, path)), { recursive: true });
        await writeFile(join(scratch, path), text);
      }
    }
    await writeFile(join(scratch, "values.yaml"), "replicaCount: 2\n");
    const tree: ProfileTreeNode = {
      identity: "bench",
      source: { url: "https://git.example.com/bench", ref: commit, commit, path: "" },
      profile: parseProfile(profileYaml),
      files,
      children: new Map(),
    };
    const subscription = parseProfileSubscription({
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileSubscription",
      metadata: { name: "five", namespace: "bench" },
      spec: { source: { url: "https://git.example.com/bench", commit } },
    });

    const sequential = async () => {
      for (const name of charts) {
        await run(helm, [
          "template",
          `five-${name}`,
          join(scratch, "charts", name),
          "--namespace",
          "bench",
          "--values",
          join(scratch, "values.yaml"),
          "--include-crds",
          "--skip-tests",
        ]);
      }
    };
    const full = () =>
      renderSubscription(subscription, { sources: { resolveTree: async () => tree }, full: true });

    await sequential();
    await full();
    const baseline: number[] = [];
    const subject: number[] = [];
    for (let index = 0; index < runs; index++) {
      let start = performance.now();
      await sequential();
      baseline.push(performance.now() - start);
      start = performance.now();
      await full();
      subject.push(performance.now() - start);
    }
    const ratio = median(subject) / median(baseline);
    console.log(`CPUs: ${availableParallelism()}, runs: ${runs}, charts: ${charts.length}`);
    console.log(`sequential helm template x5 (baseline): median ${median(baseline).toFixed(0)} ms`);
    console.log(`renderSubscription --full:              median ${median(subject).toFixed(0)} ms`);
    console.log(`ratio: ${ratio.toFixed(2)}x (goal < 1.0x) ${ratio < 1 ? "ok" : "MISSED"}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
