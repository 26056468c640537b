#!/usr/bin/env bash
# The soak: churn on a real 3-member etcd cluster with a fault every tenth of the run (in turn: leader
# kill, leader frozen, follower restart, leader's or a follower's client port blackholed, a follower cut
# off from its peers; each past the lease TTL), then checks nothing was lost or leaked.
#   scripts/soak.sh [minutes]     default 10; writes registry-etcd/target/soak-report.md
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
bash scripts/setup.sh
mvn -B -ntp -q install -DskipTests
exec mvn -B -ntp -pl registry-etcd surefire:test -Dgroups=soak -Dexcluded.test.groups=none -Dsoak.minutes="$minutes" \
  -Dsurefire.forkTimeout=$(( (${minutes%.*} + 10) * 60 ))
