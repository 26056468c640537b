#!/usr/bin/env bash
# Runs the whole test suite against real etcd processes that the tests start themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec mvn -B -ntp verify "$@"
