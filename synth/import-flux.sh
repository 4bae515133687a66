#!/usr/bin/env bash
# Regenerates synth/imports/ (typed cdk8s constructs for the Flux kinds we emit) from the CRD copies
# in shared/crds/flux/. Run with `npm run import:flux`; commit the result.
#
# shared/ sits beside the repository (CI clones it there), so it is resolved from the repo root
# rather than the caller's working directory. Override with FLUX_CRDS_DIR.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crds_dir="${FLUX_CRDS_DIR:-${repo_root}/../shared/crds/flux}"
out_dir="${repo_root}/synth/imports"

if [[ ! -d "${crds_dir}" ]]; then
  echo "import-flux: Flux CRDs not found at ${crds_dir}; clone shared/ beside the repo or set FLUX_CRDS_DIR" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# cdk8s import writes one file per API group and overwrites it per input, so every kind of the
# source group has to arrive in a single multi-document YAML or only the last one survives.
source_crds=(gitrepositories helmrepositories helmcharts ocirepositories buckets)
: >"${work}/source.toolkit.fluxcd.io.yaml"
for kind in "${source_crds[@]}"; do
  {
    echo "---"
    cat "${crds_dir}/source.toolkit.fluxcd.io_${kind}.yaml"
  } >>"${work}/source.toolkit.fluxcd.io.yaml"
done
cp "${crds_dir}/helm.toolkit.fluxcd.io_helmreleases.yaml" "${work}/helm.toolkit.fluxcd.io.yaml"
cp "${crds_dir}/kustomize.toolkit.fluxcd.io_kustomizations.yaml" "${work}/kustomize.toolkit.fluxcd.io.yaml"

rm -rf "${out_dir}"
mkdir -p "${out_dir}"
# Run from the scratch dir so cdk8s-cli never reads or writes a cdk8s.yaml in the repo;
# --no-check-upgrade skips the registry call that fails (harmlessly) without network.
(
  cd "${work}"
  for spec in source.toolkit.fluxcd.io helm.toolkit.fluxcd.io kustomize.toolkit.fluxcd.io; do
    "${repo_root}/node_modules/.bin/cdk8s" import --no-save --no-check-upgrade --language typescript \
      --output "${out_dir}" "${work}/${spec}.yaml"
  done
)

# Post-process: cdk8s-cli imports the interfaces ApiObjectMetadata and GroupVersionKind as values.
# Under verbatimModuleSyntax that is a type error (TS1484), and the import would also survive into
# the emitted ESM, where Node rejects a named export that cdk8s does not have at runtime. Marking
# them `type` fixes both; a @ts-nocheck header would only hide the first. Fail loudly if a newer
# cdk8s-cli changes the line, so the step is revisited instead of silently skipped.
generated_import="import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';"
typed_import="import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';"
for file in "${out_dir}"/*.ts; do
  if ! grep -qxF "${generated_import}" "${file}"; then
    echo "import-flux: expected cdk8s import line not found in ${file}; update the post-processing step" >&2
    exit 1
  fi
  sed -i "s/^${generated_import}\$/${typed_import}/" "${file}"
done
