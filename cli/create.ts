/**
 * `pctl create <name>`: scaffolds a profile directory that passes `pctl validate` as it is: a
 * profile.yaml with two parameters, a local chart artifact and a kustomize artifact that depends on
 * it, the chart itself, the kustomize manifests and a README.
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { API_VERSION, DnsLabelSchema } from "../crds/common.js";
import { contextOf } from "./context.js";
import { UsageError } from "./errors.js";

/** Options of {@link scaffoldProfile}. */
export interface ScaffoldOptions {
  /** The profile's description. [default: `"<name> profile"`] */
  readonly description?: string;
  /** The maintainer, such as `Team Web <web@example.com>`. [default: none] */
  readonly maintainer?: string;
}

/**
 * The files of a new profile, keyed by path relative to its directory.
 *
 * @throws UsageError when `name` is not a DNS-1123 label
 * @example
 * const files = scaffoldProfile("web");
 */
export function scaffoldProfile(name: string, options: ScaffoldOptions = {}): Map<string, string> {
  const checked = DnsLabelSchema.safeParse(name);
  if (!checked.success) {
    throw new UsageError(`profile name ${JSON.stringify(name)} is not a DNS-1123 label`, {
      hint: "use lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    });
  }
  const description = options.description ?? `${name} profile`;
  const maintainer =
    options.maintainer === undefined ? "" : `  maintainer: ${JSON.stringify(options.maintainer)}\n`;
  const files = new Map<string, string>();
  files.set(
    "profile.yaml",
    `apiVersion: ${API_VERSION}
kind: Profile
metadata:
  name: ${name}
spec:
  description: ${JSON.stringify(description)}
${maintainer}  parameters:
    - name: replicas
      description: number of pods of the server
      type: integer
      default: 1
    - name: message
      description: the greeting the server's configuration carries
      default: hello from ${name}
  artifacts:
    - name: server
      chart:
        path: charts/${name}
      values:
        replicaCount: \${replicas}
    - name: config
      kustomize:
        path: manifests/config
      dependsOn:
        - name: server
`,
  );
  files.set(
    `charts/${name}/Chart.yaml`,
    `apiVersion: v2
name: ${name}
description: ${JSON.stringify(description)}
type: application
version: 0.1.0
appVersion: "1.27"
`,
  );
  files.set(
    `charts/${name}/values.yaml`,
    `replicaCount: 1
image:
  repository: nginx
  tag: "1.27"
service:
  port: 80
`,
  );
  files.set(
    `charts/${name}/templates/deployment.yaml`,
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: {{ .Chart.Name }}
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Chart.Name }}
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      containers:
        - name: server
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - containerPort: 80
`,
  );
  files.set(
    `charts/${name}/templates/service.yaml`,
    `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: 80
`,
  );
  files.set(
    "manifests/config/configmap.yaml",
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
data:
  message: "\${message}"
`,
  );
  files.set(
    "README.md",
    `# ${name}

${description}.

## Parameters

| Name | Type | Default | Description |
|---|---|---|---|
| \`replicas\` | integer | \`1\` | number of pods of the server |
| \`message\` | string | \`hello from ${name}\` | the greeting the server's configuration carries |

## Artifacts

- \`server\`: the Helm chart in \`charts/${name}\`.
- \`config\`: the manifests in \`manifests/config\`, applied after \`server\` is ready.

## Develop

\`\`\`sh
pctl validate                      # lint before tagging
pctl render ./${name} --full       # what Flux would apply
git tag ${name}/v0.1.0 && git push --tags
\`\`\`
`,
  );
  return files;
}

interface CreateCommandOptions {
  readonly dir: string;
  readonly description?: string;
  readonly maintainer?: string;
}

/** Adds `pctl create` to `program`. */
export function register(program: Command): void {
  program
    .command("create")
    .description(
      "scaffold a profile directory (a local chart, a kustomize artifact, a README) that passes pctl validate",
    )
    .argument("<name>", "the profile's name: a DNS-1123 label, also its directory name")
    .option("--dir <parent>", "where to create the profile directory", ".")
    .option("--description <text>", "the profile's description")
    .option("--maintainer <who>", "the profile's maintainer, such as 'Team Web <web@example.com>'")
    .addHelpText(
      "after",
      "\nExample:\n  pctl create web --maintainer 'Team Web <web@example.com>' && pctl validate",
    )
    .action(async (name: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const options = command.opts<CreateCommandOptions>();
      const files = scaffoldProfile(name, {
        ...(options.description !== undefined && { description: options.description }),
        ...(options.maintainer !== undefined && { maintainer: options.maintainer }),
      });
      const target = resolve(ctx.cwd, options.dir, name);
      if (existsSync(target)) {
        throw new UsageError(`${relative(ctx.cwd, target) || "."} exists already`, {
          hint: "pick another name, or --dir to create it elsewhere",
        });
      }
      for (const [file, content] of files) {
        const path = join(target, file);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, content);
      }
      const shown = relative(ctx.cwd, target) || ".";
      ctx.print({
        data: { name, directory: shown, files: [...files.keys()] },
        table: () => ({ columns: ["FILE"], rows: [...files.keys()].map((file) => [join(shown, file)]) }),
      });
      ctx.note(`created profile ${name}; next: pctl validate ${shown}`);
    });
}
