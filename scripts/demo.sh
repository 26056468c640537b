#!/usr/bin/env bash
# Builds the project and runs the demo: gRPC servers registered in etcd with weights 1:2:3, a client
# balancing over them through etcd:///echo, a graceful shutdown and a SIGKILL, on a real etcd that
# the demo starts itself (pass --endpoints host:port to use yours instead).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "demo: building (first build downloads dependencies, about a minute)..." >&2
mvn -B -ntp -q install -DskipTests
exec java -jar registry-etcd-cli/target/registry-etcd.jar demo "$@"
