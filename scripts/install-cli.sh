#!/bin/sh
# Installs the registry-etcd command under a prefix (default ~/.local), no root needed:
#   PREFIX/lib/registry-etcd/registry-etcd.jar   the shaded jar (build it first: mvn -B package -DskipTests)
#   PREFIX/bin/registry-etcd                     a small shell launcher
#   PREFIX/share/bash-completion/completions/registry-etcd   bash completion (picocli's AutoComplete)
# and a class-data-sharing archive so that each call starts faster: made now with
# -XX:ArchiveClassesAtExit on JDK 17 and 18, made by the launcher's first call with
# -XX:+AutoCreateSharedArchive on JDK 19 and later.
#
# Usage: scripts/install-cli.sh [PREFIX]      JAVA_HOME or the java on PATH runs it.
set -eu

prefix=${1:-"$HOME/.local"}
here=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
jar="$here/registry-etcd-cli/target/registry-etcd.jar"
if [ ! -f "$jar" ]; then
  echo "install-cli: $jar is missing: build it first with 'mvn -B package -DskipTests' in $here" >&2
  exit 1
fi
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; else java=$(command -v java || true); fi
if [ -z "$java" ] || [ ! -x "$java" ]; then
  echo "install-cli: no java found: set JAVA_HOME or put java (17 or later) on PATH" >&2
  exit 1
fi
major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
case "$major" in
  ''|1.*) echo "install-cli: $java is Java '$major'; registry-etcd needs 17 or later" >&2; exit 1 ;;
esac

lib="$prefix/lib/registry-etcd"
bin="$prefix/bin"
completions="$prefix/share/bash-completion/completions"
mkdir -p "$lib" "$bin" "$completions"
cp "$jar" "$lib/registry-etcd.jar"
archive="$lib/registry-etcd-java$major.jsa"
rm -f "$lib"/registry-etcd-java*.jsa

# Short-lived JVM: C1 only and the serial collector start faster; -Xshare:auto falls back quietly
# to no archive if the JVM changed since the archive was made.
flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
if [ "$major" -ge 19 ]; then
  flags="$flags -XX:SharedArchiveFile=$archive -XX:+AutoCreateSharedArchive"
else
  # Load what a call loads (picocli, jetcd, gRPC, Netty, Jackson): a list against a closed port.
  "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off \
    -jar "$lib/registry-etcd.jar" list --endpoints 127.0.0.1:9 --dial-timeout 300ms >/dev/null 2>&1 || true
  if [ -f "$archive" ]; then
    flags="$flags -XX:SharedArchiveFile=$archive"
  else
    echo "install-cli: could not make a class-data-sharing archive; the command works, only slower to start" >&2
  fi
fi

cat > "$bin/registry-etcd" <<LAUNCHER
#!/bin/sh
# registry-etcd launcher, written by scripts/install-cli.sh
exec "$java" $flags \${REGISTRY_ETCD_JAVA_OPTS:-} -jar "$lib/registry-etcd.jar" "\$@"
LAUNCHER
chmod 755 "$bin/registry-etcd"

"$java" -cp "$lib/registry-etcd.jar" picocli.AutoComplete --force --name registry-etcd \
  --completionScript "$completions/registry-etcd" dev.registryetcd.cli.RegistryEtcdCommand

echo "installed $bin/registry-etcd (Java $major), its jar in $lib"
echo "bash completion: $completions/registry-etcd (bash-completion loads it; or: . $completions/registry-etcd)"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "add $bin to PATH, e.g. in ~/.profile: export PATH=\"$bin:\$PATH\"" ;;
esac
