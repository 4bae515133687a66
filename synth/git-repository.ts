/**
 * The GitRepository child: a profile repository at the commit pctl resolved.
 * @module
 */

import { Construct } from "constructs";
import { InvalidInputError } from "../crds/errors.js";
import { type SourceChildProps, sourceChild } from "./child.js";
import { GitRepository } from "./imports/source.toolkit.fluxcd.io.js";

/**
 * Props of {@link GitRepositoryChild}.
 * @see https://fluxcd.io/flux/components/source/gitrepositories/
 */
export interface GitRepositoryChildProps extends SourceChildProps {
  /** The repository, `http://`, `https://` or `ssh://`. */
  readonly url: string;
  /** The commit pctl resolved; Flux checks out exactly this one. */
  readonly commit: string;
  /**
   * The branch the commit came from, so Flux fetches it by name (shallow).
   * @default - none
   */
  readonly branch?: string;
  /**
   * The tag the commit came from; shown in Flux's revision, `<tag>@sha1:<commit>`.
   * @default - none
   */
  readonly tag?: string;
  /**
   * A Secret with the repository's credentials, in the same namespace.
   * @default - none: a public repository
   */
  readonly secretName?: string;
  /**
   * Directories, relative to the repository root, that the artifact keeps; everything else is left
   * out of it. `""` keeps the whole repository.
   * @default - the whole repository
   */
  readonly directories?: readonly string[];
}

/**
 * A `source.toolkit.fluxcd.io/v1` GitRepository pinned to a commit. `spec.ref` is always set, since
 * Flux's default is the `master` branch.
 */
export class GitRepositoryChild extends Construct {
  /** The Flux object. */
  readonly apiObject: GitRepository;

  constructor(scope: Construct, id: string, props: GitRepositoryChildProps) {
    super(scope, id);
    const { metadata, spec } = sourceChild("GitRepository", props, ["http", "https", "ssh"]);
    if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(props.commit)) {
      throw new InvalidInputError(
        `GitRepository '${props.name}': commit '${props.commit}' must be a full commit id in lower-case hex`,
      );
    }
    if (props.branch !== undefined && props.tag !== undefined) {
      throw new InvalidInputError(`GitRepository '${props.name}': give branch or tag, not both`);
    }
    const ignore = ignoreOutside(props.directories ?? []);
    this.apiObject = new GitRepository(this, "Resource", {
      metadata,
      spec: {
        ...spec,
        ref: {
          commit: props.commit,
          ...(props.branch !== undefined && { branch: props.branch }),
          ...(props.tag !== undefined && { tag: props.tag }),
        },
        ...(props.secretName !== undefined && { secretRef: { name: props.secretName } }),
        ...(ignore !== undefined && { ignore }),
      },
    });
  }
}

/**
 * `.sourceignore` rules that drop everything but `directories` from the artifact, so a change
 * elsewhere in a shared repository does not trigger the children. In gitignore syntax a directory is
 * re-included level by level: `/*`, `!/a/`, `/a/*`, `!/a/b/`.
 */
function ignoreOutside(directories: readonly string[]): string | undefined {
  const dirs = directories.map((dir) => dir.replace(/^\.?\/+|\/+$/g, ""));
  if (dirs.length === 0 || dirs.some((dir) => dir === "" || dir === ".")) return undefined;
  const kept = [...new Set(dirs)]
    .sort()
    .filter((dir, _, all) => !all.some((other) => other !== dir && dir.startsWith(`${other}/`)));
  const rules = ["/*"];
  for (const dir of kept) {
    const parts = dir.split("/");
    parts.forEach((_, index) => {
      const prefix = parts.slice(0, index + 1).join("/");
      rules.push(`!/${prefix}/`);
      if (index < parts.length - 1) rules.push(`/${prefix}/*`);
    });
  }
  return [...new Set(rules)].join("\n");
}
