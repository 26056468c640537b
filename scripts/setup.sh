#!/usr/bin/env bash
# Checks the tools the build needs and installs etcd when it is missing.
# Used by scripts/test.sh and scripts/demo.sh; safe to run again.
set -euo pipefail

fail() {
  echo "setup: $*" >&2
  exit 1
}

command -v java >/dev/null 2>&1 || fail "java is missing: install a JDK 17 or newer (Debian: apt-get install -y openjdk-17-jdk-headless)"
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
  fail "java ${java_major:-?} is too old: JDK 17 or newer is needed (set JAVA_HOME or PATH to one)"
fi
command -v mvn >/dev/null 2>&1 || fail "mvn is missing: install Maven 3.8 or newer (Debian: apt-get install -y maven)"

if [ -n "${ETCD_BIN:-}" ]; then
  [ -x "$ETCD_BIN" ] || fail "ETCD_BIN=$ETCD_BIN is not an executable file: point it at an etcd 3.4+ binary, or unset it"
  exit 0
fi
if command -v etcd >/dev/null 2>&1; then
  exit 0
fi

echo "setup: etcd is missing: installing Debian's etcd-server package" >&2
command -v apt-get >/dev/null 2>&1 || fail "etcd is missing and there is no apt-get here: install etcd 3.4 or newer, then put it on PATH or set ETCD_BIN to its path"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    fail "etcd is missing and installing it needs root: run 'sudo apt-get update && sudo apt-get install -y etcd-server' (or set ETCD_BIN to an etcd binary), then run this again"
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq || fail "apt-get update failed: check the machine's package sources"
"${as_root[@]}" apt-get install -y -qq etcd-server >/dev/null || fail "apt-get install etcd-server failed: see the messages above"
command -v etcd >/dev/null 2>&1 || fail "etcd-server is installed but etcd is not on PATH: set ETCD_BIN=/usr/bin/etcd"
echo "setup: installed $(etcd --version | head -n 1)" >&2
