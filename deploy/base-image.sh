#!/usr/bin/env bash
# Builds the multikernel image's base on a machine that cannot pull one: a jlink'd Java 17 runtime
# with just the modules mk needs and the JDK's class-data archive (the image's own archive of the
# cores' classes builds on it), the shared libraries it links, and /bin/sh, loaded with docker import.
# Machines with a registry can skip this and build on a public JRE 17 image instead (see README.md).
#
#   deploy/base-image.sh [IMAGE]        default IMAGE: multikernel-base:17
#
# Needs: docker (a running daemon), a JDK 17 with jlink (JAVA_HOME, or the java on the PATH), ldd.
set -euo pipefail

IMAGE="${1:-multikernel-base:17}"
# What mk.jar and mk-core.jar use (jdeps --print-module-deps), plus the elliptic-curve and zip file
# system providers the JDK loads by name. java.desktop (the benchmarks' PNG charts) is left out: the
# image runs clusters, not benchmarks.
MODULES="java.base,java.compiler,java.naming,java.net.http,java.security.jgss,java.security.sasl,java.sql,\
java.management,jdk.httpserver,jdk.management,jdk.unsupported,jdk.crypto.ec,jdk.zipfs"
# The user every container runs as; owns the data and secret directories the image creates.
MK_UID=10001

die() { echo "base-image: $*" >&2; exit 1; }

if [ -n "${JAVA_HOME:-}" ]; then
  JDK="$JAVA_HOME"
else
  java_bin="$(command -v java)" || die "no java on the PATH and no JAVA_HOME: install JDK 17"
  JDK="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"
fi
[ -x "$JDK/bin/jlink" ] || die "$JDK has no bin/jlink: a full JDK 17 is needed, not a JRE"
major="$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "$major" = "17" ] || die "the JDK at $JDK is Java $major; the image's runtime is Java 17 (set JAVA_HOME)"
command -v docker >/dev/null 2>&1 || die "no docker command"
docker info >/dev/null 2>&1 || die "the docker daemon does not answer (is dockerd running?)"

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

echo "base-image: jlink $MODULES"
"$JDK/bin/jlink" --add-modules "$MODULES" --generate-cds-archive --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$root/opt/jre"

# Every shared library the runtime and /bin/sh link, at the same paths, with the loader.
copy_libraries() {
  local missing="" name
  for name in $(ldd "$1" 2>/dev/null | awk '/not found/{print $1}'); do
    # The runtime's own libraries (libjvm.so, libjava.so) are found through its lib directory.
    [ -n "$(find "$root/opt/jre/lib" -name "$name" -print -quit)" ] || missing="$missing $name"
  done
  [ -z "$missing" ] || die "$1 links libraries this machine lacks:$missing"
  ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}' | while read -r lib; do
    case "$lib" in
      "$root"/*) continue ;; # the runtime's own, already in the image
    esac
    [ -e "$root$lib" ] || cp -L --parents "$lib" "$root"
  done
}
mkdir -p "$root/bin"
cp -L /bin/sh "$root/bin/sh"
copy_libraries /bin/sh
copy_libraries "$root/opt/jre/bin/java"
find "$root/opt/jre/lib" -name '*.so' | while read -r so; do copy_libraries "$so"; done
# The C library loads its name-service modules at run time, so ldd never lists them; before glibc
# 2.34 they are separate files, without which the image resolves no host name (not even host-N).
libc="$(ldd /bin/sh | awk '/libc\.so/{print $3}')"
for module in libnss_files.so.2 libnss_dns.so.2 libresolv.so.2; do
  lib="$(dirname "$libc")/$module"
  if [ -e "$lib" ] && [ ! -e "$root$lib" ]; then
    cp -L --parents "$lib" "$root"
    copy_libraries "$lib"
  fi
done

mkdir -p "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nmk:x:%s:%s:multikernel:/var/lib/mk:/bin/sh\n' "$MK_UID" "$MK_UID" > "$root/etc/passwd"
printf 'root:x:0:\nmk:x:%s:\n' "$MK_UID" > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

echo "base-image: importing $(du -sh "$root" | cut -f1) as $IMAGE"
tar -C "$root" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/opt/jre/bin:/bin' \
  --change 'ENV JAVA_HOME=/opt/jre' \
  - "$IMAGE" >/dev/null
version="$(docker run --rm "$IMAGE" java -version 2>&1)" || die "the imported image does not run java: $version"
echo "base-image: ${version%%$'\n'*}"
echo "base-image: built $IMAGE"
