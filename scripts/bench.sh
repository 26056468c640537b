#!/usr/bin/env bash
# Runs the benchmarks on a real etcd that they start themselves, each against the Go extension's
# approach measured in the same run on the same etcd, and prints the table.
#   scripts/bench.sh quick                  a few minutes: smaller sizes, fewer samples, short JMH
#   scripts/bench.sh all                    the published sizes (about 12 minutes)
#   scripts/bench.sh all --update-docs      also writes table, machine and chart into docs/benchmarks.md
#   scripts/bench.sh quick --only resolve,propagation    some of: resolve propagation failure churn scale gray-failure fleet
# Results go to benchmarks/target/results/: summary.json, summary.csv, table.md, one <scenario>.json
# each, propagation-latency.png, and logs/. Exits 1 if a scenario could not run (a missed target is
# reported in the table, not as a failure).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
}

profile="${1:-}"
case "$profile" in
  quick|all) shift ;;
  -h|--help) usage; exit 0 ;;
  *) usage; exit 2 ;;
esac
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --update-docs) args+=(--docs docs/benchmarks.md) ;;
    --only)
      [ $# -ge 2 ] || { echo "bench: --only needs a list, e.g. --only resolve,propagation" >&2; exit 2; }
      args+=(--only "$2")
      shift
      ;;
    *) echo "bench: unknown argument $1" >&2; usage; exit 2 ;;
  esac
  shift
done

bash scripts/setup.sh
echo "bench: building the benchmarks module and what it needs (first build downloads dependencies)..." >&2
mvn -B -ntp -q -pl benchmarks -am package -DskipTests
rm -rf benchmarks/target/results
exec java -Djava.awt.headless=true -jar benchmarks/target/benchmarks.jar "$profile" \
  --results benchmarks/target/results "${args[@]}"
