/**
 * Profile repositories shared by the source tests: built once per suite on the test git server.
 * @module
 */

import type { TestRepository } from "../../support/git-repo.js";
import type { GitServer } from "../../support/git-server.js";

/** A nested-profile artifact's source, as written in profile.yaml. */
export interface NestedSource {
  readonly url: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly semver?: string;
  readonly path?: string;
}

/** A valid profile.yaml with one kustomize artifact plus one `profile` artifact per entry of `nested`. */
export function profileYaml(
  name: string,
  nested: Readonly<Record<string, NestedSource>> = {},
  note = "",
): string {
  const artifacts = [
    "    - name: config\n      kustomize:\n        path: manifests\n",
    ...Object.entries(nested).map(
      ([artifact, source]) =>
        `    - name: ${artifact}\n      profile:\n        source: ${JSON.stringify(source)}\n`,
    ),
  ];
  return [
    "apiVersion: profiles.pctl.dev/v1alpha1",
    "kind: Profile",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    `  description: ${name} profile${note}`,
    "  artifacts:",
    artifacts.join(""),
  ].join("\n");
}

/** The files of one profile directory `dir`. */
export function profileFiles(dir: string, name = dir, nested: Readonly<Record<string, NestedSource>> = {}) {
  const prefix = dir === "" ? "" : `${dir}/`;
  return {
    [`${prefix}profile.yaml`]: profileYaml(name, nested),
    [`${prefix}manifests/config.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`,
  };
}

/** Commits of the multi-profile repository, by tag or branch. */
export interface ProfilesRepo {
  readonly repo: TestRepository;
  readonly url: string;
  readonly commits: Readonly<Record<string, string>>;
}

/**
 * A multi-profile repository: tags `nginx/v1.0.0`, `nginx/v1.1.0` (annotated), `redis2/v0.3.0` and
 * `redis2/v2.0.0` (higher than any nginx tag, so a range leaking across directories would pick it),
 * plus a branch `dev` one commit ahead of `main`.
 */
export async function createProfilesRepo(server: GitServer, name = "profiles"): Promise<ProfilesRepo> {
  const repo = await server.createRepository(name);
  const commits: Record<string, string> = {};
  commits["nginx/v1.0.0"] = await repo.commit(profileFiles("nginx"), { message: "nginx 1.0.0" });
  await repo.tag("nginx/v1.0.0");
  commits["redis2/v0.3.0"] = await repo.commit(profileFiles("redis2"), { message: "redis2 0.3.0" });
  await repo.tag("redis2/v0.3.0");
  commits["nginx/v1.1.0"] = await repo.commit(
    { "nginx/profile.yaml": profileYaml("nginx", {}, " 1.1.0") },
    { message: "nginx 1.1.0" },
  );
  await repo.tag("nginx/v1.1.0", { message: "nginx 1.1.0" });
  commits["redis2/v2.0.0"] = await repo.commit(
    { "redis2/profile.yaml": profileYaml("redis2", {}, " 2.0.0") },
    { message: "redis2 2.0.0" },
  );
  await repo.tag("redis2/v2.0.0");
  commits.main = commits["redis2/v2.0.0"];
  commits.dev = await repo.commit({ "nginx/manifests/dev.yaml": "kind: ConfigMap\n" }, { branch: "dev" });
  return { repo, url: server.urlOf(name), commits };
}

/** A repository holding one profile at its root, tagged `v1.0.0` and `v2.0.1`. */
export async function createRootProfileRepo(
  server: GitServer,
  name = "nginx-profile",
): Promise<ProfilesRepo> {
  const repo = await server.createRepository(name);
  const commits: Record<string, string> = {};
  commits["v1.0.0"] = await repo.commit(profileFiles("", "nginx"));
  await repo.tag("v1.0.0");
  commits["v2.0.1"] = await repo.commit({ "profile.yaml": profileYaml("nginx", {}, " 2.0.1") });
  await repo.tag("v2.0.1");
  return { repo, url: server.urlOf(name), commits };
}
