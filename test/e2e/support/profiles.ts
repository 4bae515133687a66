/**
 * Profiles for the subscription scenarios, written as JSON (which is YAML) so a test states the
 * profile as an object, plus a small Helm chart and raw manifests to put beside it.
 * @module
 */

/** A profile.yaml for `name` with `artifacts` and optional `parameters`. */
export function profileYaml(
  name: string,
  artifacts: readonly Record<string, unknown>[],
  parameters?: readonly Record<string, unknown>[],
): string {
  return `${JSON.stringify(
    {
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "Profile",
      metadata: { name },
      spec: { description: `${name} profile`, ...(parameters && { parameters }), artifacts },
    },
    null,
    2,
  )}\n`;
}

/** The files of a minimal Helm chart at `dir`. */
export function chartFiles(dir: string, name: string): Record<string, string> {
  return {
    [`${dir}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`,
    [`${dir}/values.yaml`]: "replicaCount: 1\n",
    [`${dir}/templates/configmap.yaml`]:
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: '{{ .Values.replicaCount }}'\n",
  };
}

/** A directory of raw YAML (no kustomization.yaml) at `dir`. */
export function manifestFiles(dir: string, name: string): Record<string, string> {
  return {
    [`${dir}/configmap.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: \${greeting:=hello}\n`,
  };
}

/** `${name}`: a parameter reference as a profile's values write it. */
export function param(name: string): string {
  return `\${${name}}`;
}
