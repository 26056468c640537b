#!/usr/bin/env bash
# Consumer builds: builds and runs the projects under consumers/ against the registry-etcd artifacts in the local
# Maven repository (scripts/test.sh installs them first), as a user's project would depend on them. Each project
# starts its own etcd with the test kit. Fails when any consumer would break:
#   library-bom      (a) library + BOM: register and resolve; dependencyConvergence; one Netty version
#   grpc-shaded      (b) gRPC module + grpc-netty-shaded + BOM: a call over etcd:///echo; convergence; one Netty
#   grpc-oldest      (b') as (b) on the oldest grpc-java the README names
#   jackson-oldest   (c) library on the oldest jackson-core the README names: register and resolve
#   jackson-too-old  (c') one Jackson older: the first register() names the found and the required version
#   spring-boot      (d) Boot's parent + BOM + starter: starts, registers, DiscoveryClient finds itself
#   spring-boot3     (e) as (d) on Boot 3.5's parent with the Boot 3 starter; the BOM's Netty 4.2 beats Boot 3's 4.1
# Extra Maven arguments (e.g. -o) are passed on.
set -euo pipefail
cd "$(dirname "$0")"

version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' ../registry-etcd-bom/pom.xml | head -n 1)
if [[ -z "$version" ]]; then
  echo "consumers: cannot read the project version from registry-etcd-bom/pom.xml" >&2
  exit 1
fi
echo "consumers: building against registry-etcd $version from the local Maven repository"

mvn -B -ntp -Dregistry-etcd.version="$version" clean verify "$@"

fail=0
# One Netty version per consumer (netty-tcnative has versions of its own and is left out).
for project in library-bom grpc-shaded grpc-oldest spring-boot spring-boot3; do
  tree="$project/target/dependency-tree.txt"
  netty=$(grep -o 'io\.netty:netty-[a-z0-9-]*:jar:[^:]*' "$tree" | grep -v ':netty-tcnative' \
    | sed 's/.*:jar://' | sort -u)
  grpc=$(grep -o 'io\.grpc:grpc-[a-z0-9-]*:jar:[^:]*' "$tree" | sed 's/.*:jar://' | sort -u)
  echo "consumers: $project: Netty $(echo $netty), gRPC $(echo ${grpc:-none})"
  if [[ $(echo "$netty" | grep -c .) -ne 1 ]]; then
    echo "consumers: $project mixes Netty versions ($(echo $netty)); see $tree" >&2
    fail=1
  fi
  if [[ $(echo "$grpc" | grep -c .) -gt 1 ]]; then
    echo "consumers: $project mixes gRPC versions ($(echo $grpc)); see $tree" >&2
    fail=1
  fi
done
# The oldest-versions consumers must really run on the oldest versions.
grpc_min=$(sed -n 's:.*<grpc.min.version>\(.*\)</grpc.min.version>.*:\1:p' grpc-oldest/pom.xml)
if ! grep -q "io.grpc:grpc-api:jar:$grpc_min:" grpc-oldest/target/dependency-tree.txt; then
  echo "consumers: grpc-oldest does not run on grpc-api $grpc_min" >&2
  fail=1
fi
exit "$fail"
