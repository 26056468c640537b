#!/usr/bin/env bash
# Runs the whole test suite against real etcd processes that the tests start themselves, then the consumer builds:
# small projects outside the reactor (consumers/) that depend on the just-installed artifacts as a user would
# (BOM, gRPC with grpc-netty-shaded, the oldest supported Jackson and gRPC, a Spring Boot application).
# With arguments (e.g. -pl registry-etcd -Dtest=...) it runs only `mvn verify` with them, no consumer builds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [[ $# -gt 0 ]]; then
  exec mvn -B -ntp verify "$@"
fi
# install = verify, then the verified jars and poms into the local repository for the consumer builds
mvn -B -ntp install
exec bash consumers/run.sh
