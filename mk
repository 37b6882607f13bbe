#!/usr/bin/env bash
# mk: the multikernel's launcher. Builds the project on first use (and whenever sources are newer
# than the build), skipping tests, then runs the CLI with the JVM flags Aeron needs (they come from
# the jar's manifest). Works from any directory.
#
#   ./mk --help            the CLI's commands
#   ./mk bench urpc        URPC against raw Aeron
#   ./mk test              the whole test suite (mvn -B verify)
#
# Environment: JAVA_HOME picks the JDK (17 or newer); MK_JAVA_OPTS adds JVM options.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
JAR="$ROOT/node/cli/target/mk.jar"
# What core processes and media drivers run: the kernel alone (built next to mk.jar).
KERNEL_JAR="$ROOT/node/cli/target/mk-core.jar"
export MK_HOME="$ROOT"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die() { echo "mk: $*" >&2; exit 1; }

command -v "$JAVA" >/dev/null 2>&1 || die "no java found: install JDK 17 or newer, or set JAVA_HOME"
java_major=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null || die "java ${java_major:-unknown} is too old: JDK 17 or newer is needed"

if [ "${1:-}" = "test" ]; then
  shift
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to run the tests"
  cd "$ROOT"
  exec mvn -B verify "$@"
fi

needs_build() {
  [ -f "$JAR" ] || return 0
  [ -n "$(find "$ROOT" -path "$ROOT/.git" -prune -o -path '*/target' -prune -o -type f \
      \( -name '*.java' -o -name 'pom.xml' -o -name '*.xml' -o -name '*.properties' \) \
      -newer "$JAR" -print -quit)" ]
}

if needs_build; then
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build mk the first time"
  echo "mk: building (first use, or sources changed); this takes a minute the first time..." >&2
  # Quiet Maven still writes terminal reset codes (ESC[0m) around its run: keep its output, less those.
  if ! build_output=$(cd "$ROOT" && mvn -q -B -DskipTests -pl node/cli -am package 2>&1); then
    printf '%s\n' "$build_output" | sed 's/\x1b\[[0-9;]*m//g' >&2
    die "the build failed; run 'mvn -B -DskipTests package' in $ROOT to see why"
  fi
  printf '%s' "$build_output" | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^[[:space:]]*$' >&2 || true
fi

# A core or a media driver runs on the kernel's jar only; every other command on the CLI's.
case "${1:-}" in
  core|driver)
    # shellcheck disable=SC2086
    exec "$JAVA" ${MK_JAVA_OPTS:-} -jar "$KERNEL_JAR" "$@" ;;
esac
# shellcheck disable=SC2086
exec "$JAVA" ${MK_JAVA_OPTS:-} -jar "$JAR" "$@"
