#!/usr/bin/env bash
# The test suite in lanes, run one after another so no lane's load slows another's:
#   checks     type check, lint and formatting (npm run format fixes the last)
#   fast       unit tests and the API on a real dev server, worker and MailDev
#   web        the pages of /app, over HTTP and in Chromium (axe-core on each kind of page)
#   workflows  workflows on a real dev server, replay of recorded histories, worker start-up
#   faults     real processes killed, stopped and frozen; two workers and two APIs (one file at a time)
#   e2e        `npm start` as a newcomer runs it, driven by e-mail links
#   cluster    a Temporal cluster on PostgreSQL (deploy/temporal/): scale-out, SQL visibility, services killed (one file at a time)
# Every lane runs even when one fails; the summary prints each lane's time and counts,
# then "N passed, N failed", and the exit status is non-zero if any lane failed.
# LANES="fast e2e" runs only those lanes.
set -uo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
summary=()
failed_lanes=()

run_lane() {
  local lane="$1"; shift
  if [ -n "${LANES:-}" ] && [[ " $LANES " != *" $lane "* ]]; then return; fi
  echo "=== lane $lane: $*" >&2
  local start=$SECONDS status=0
  "$@" || status=$?
  local secs=$((SECONDS - start))
  local counts="-"
  if [ -f "$results/$lane.json" ]; then
    counts="$(node -e 'const r = require(process.argv[1]); console.log(`${r.numTotalTestSuites} suites, ${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$results/$lane.json")"
  fi
  summary+=("$(printf '%-10s %5d s   %s%s' "$lane" "$secs" "$counts" "$([ $status -ne 0 ] && echo '   FAILED')")")
  [ $status -ne 0 ] && failed_lanes+=("$lane")
  echo "=== lane $lane: ${secs} s, exit $status" >&2
}

# The test folders of each lane; every folder under test/ with tests belongs to one.
declare -A FOLDERS=(
  [fast]="unit api records"
  [web]="web"
  [workflows]="workflows replay worker"
  [faults]="faults scaling"
  [e2e]="e2e"
  [cluster]="cluster"
)
for dir in test/*/; do
  name="$(basename "$dir")"
  [ -z "$(find "$dir" -name '*.test.ts' -print -quit)" ] && continue
  [[ " ${FOLDERS[*]} " == *" $name "* ]] || { echo "test/$name/ has tests but no lane: add it to FOLDERS in $0" >&2; exit 1; }
done

for lane in ${LANES:-}; do
  [[ " checks ${!FOLDERS[*]} " == *" $lane "* ]] || { echo "LANES names \"$lane\"; the lanes are: checks ${!FOLDERS[*]}" >&2; exit 1; }
done

jest_lane() {
  local lane="$1"; shift
  local roots=()
  for name in ${FOLDERS[$lane]}; do roots+=(--roots "<rootDir>/test/$name"); done
  npx jest --json --outputFile="$results/$lane.json" "${roots[@]}" "$@"
}

run_lane checks bash -c 'npx tsc --noEmit -p . && npx eslint . && npx prettier --check --log-level warn . && npm run --silent lint:openapi'
run_lane fast jest_lane fast
run_lane web jest_lane web
run_lane workflows jest_lane workflows
run_lane faults jest_lane faults --runInBand
run_lane e2e jest_lane e2e
run_lane cluster jest_lane cluster --runInBand

echo
echo "lane       time      counts"
printf '%s\n' "${summary[@]}"
node -e '
  const fs = require("fs"); let p = 0, f = 0;
  // A suite that failed to run (a compile error, a crash in beforeAll) counts as one failure.
  for (const file of fs.readdirSync(process.argv[1]).filter((name) => name.endsWith(".json"))) { const r = JSON.parse(fs.readFileSync(`${process.argv[1]}/${file}`, "utf8")); p += r.numPassedTests; f += r.numFailedTests + r.numRuntimeErrorTestSuites; }
  // A lane that failed without a failing test (the type check, a crashed runner) still counts.
  console.log(`${p} passed, ${Math.max(f, Number(process.argv[2]))} failed`);' "$results" "${#failed_lanes[@]}"
if [ ${#failed_lanes[@]} -gt 0 ]; then
  echo "failed lanes: ${failed_lanes[*]}" >&2
  exit 1
fi
