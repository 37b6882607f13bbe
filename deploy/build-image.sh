#!/usr/bin/env bash
# Builds the multikernel image from this checkout: the jars (through ./mk, which builds when sources
# changed), then deploy/Dockerfile on a Java 17 base.
#
#   deploy/build-image.sh [--tag IMAGE] [--base IMAGE] [--jars DIR]
#
#   --tag   the image to build (default: multikernel:latest, what docker-compose.yml runs)
#   --base  the Java 17 base image; by default the local one deploy/base-image.sh builds
#           (multikernel-base:17), built first when it is missing. With a registry, e.g.
#           --base eclipse-temurin:17-jre.
#   --jars  take mk.jar and mk-core.jar from DIR as they are, without building (default: build
#           them with ./mk into node/cli/target)
set -euo pipefail

DEPLOY="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$DEPLOY")"
TAG="multikernel:latest"
BASE=""
JARS=""
LOCAL_BASE="multikernel-base:17"

die() { echo "build-image: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) [ $# -ge 2 ] || die "--tag needs an image name"; TAG="$2"; shift 2 ;;
    --base) [ $# -ge 2 ] || die "--base needs an image name"; BASE="$2"; shift 2 ;;
    --jars) [ $# -ge 2 ] || die "--jars needs a directory"; JARS="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
command -v docker >/dev/null 2>&1 || die "no docker command"
docker info >/dev/null 2>&1 || die "the docker daemon does not answer (is dockerd running?)"

if [ -z "$BASE" ]; then
  BASE="$LOCAL_BASE"
  if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    "$DEPLOY/base-image.sh" "$BASE"
  elif ! docker run --rm "$BASE" java -Xshare:on -version >/dev/null 2>&1; then
    # A local base from before it carried the JDK's class-data archive, which the image's own builds on.
    echo "build-image: $BASE has no class-data archive of its own; building it again"
    "$DEPLOY/base-image.sh" "$BASE"
  fi
fi

if [ -z "$JARS" ]; then
  "$ROOT/mk" --version >/dev/null
  JARS="$ROOT/node/cli/target"
fi
for jar in mk.jar mk-core.jar; do
  [ -f "$JARS/$jar" ] || die "no $jar in $JARS: build with 'mvn -B -DskipTests package' first"
done
context="$(mktemp -d)"
log="$(mktemp)"
trap 'rm -rf "$context" "$log"' EXIT
cp "$DEPLOY/Dockerfile" "$context/"
cp "$JARS/mk.jar" "$JARS/mk-core.jar" "$context/"
printf '#!/bin/sh\nexec java -jar /opt/mk/mk.jar "$@"\n' > "$context/mk"
chmod 755 "$context/mk"
# The user's directories, as directories of their own so that COPY --chown gives them to the user.
mkdir -p "$context/var-lib/mk" "$context/var-lib/mk-secret"
touch "$context/var-lib/mk/.keep" "$context/var-lib/mk-secret/.keep"
echo "build-image: building $TAG on $BASE"
# The build runs a short demo cluster for the cores' class-data archive (see the Dockerfile): room for
# its Aeron logs and physical memory in /dev/shm, and its output kept to show when the build fails.
if ! docker build --shm-size 256m --build-arg "BASE_IMAGE=$BASE" -t "$TAG" "$context" > "$log" 2>&1; then
  tail -40 "$log" >&2
  die "docker build failed (the last lines of its output are above)"
fi
# The image itself says whether it has the cores' archive (the build's output differs between builders,
# and a cached step does not run again).
if ! docker run --rm --entrypoint sh "$TAG" -c '[ -f /opt/mk/mk-core.jsa ]' >/dev/null 2>&1; then
  grep -B5 "WARNING: no class-data archive" "$log" | sed 's/^/build-image: /' >&2 || true
  echo "build-image: WARNING: $TAG has no class-data archive: its cores will each load their classes (more memory, slower starts)" >&2
fi
echo "build-image: built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1/1000000}'))"
