#!/usr/bin/env bash
# Builds wgguard's two images with podman and prints their sizes:
#   wgguard:<version>        the service, src/main/docker/Dockerfile.service (manifests/base/deployment.yaml)
#   wgguard-agent:<version>  the node agent, src/main/docker/Dockerfile.agent (manifests/base/agent-daemonset.yaml)
# <version> is the pom's (WGGUARD_IMAGE_TAG overrides it); manifests/base/kustomization.yaml names
# the same images and tag. Needs the fast-jar `./mvnw package` writes (target/quarkus-app) and root
# (rootful podman); scripts/test-deps.sh installs podman, runc and mmdebstrap.
#
# The base (WGGUARD_IMAGE_BASE):
#   local (default)  two Debian 12 bases this script makes itself with mmdebstrap from the machine's
#                    own apt sources, for machines that reach no container registry (CI's):
#                    wgguard-base-jre (essential packages and openjdk-17-jre-headless) for the
#                    service, wgguard-base-agent (the same plus wireguard-tools and iproute2) for the
#                    agent. Made once and kept in podman's storage, labelled with a hash of their
#                    recipe: later runs reuse them (WGGUARD_IMAGE_REBUILD_BASE=1 makes them anew,
#                    e.g. for Debian's security updates).
#   <image>          a public JRE image for both, e.g. eclipse-temurin:17-jre (the Dockerfiles'
#                    default), pulled from its registry; the agent's build installs wireguard-tools
#                    and iproute2 from the base's apt.
#
# Podman reads scripts/podman/containers.conf (runc, cgroupfs, no default ulimits), unless
# CONTAINERS_CONF names another file. Builds reuse podman's layer cache: with an unchanged jar a
# rebuild takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "[images] $*" >&2; }
die() { say "$*"; exit 1; }

export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/scripts/podman/containers.conf}"
[ "$(id -u)" -eq 0 ] || die "podman builds here as root (rootful storage, shared with the image ITs); run as root"
command -v podman >/dev/null || die "podman not found: run scripts/test-deps.sh (installs podman, runc, mmdebstrap)"
[ -f target/quarkus-app/quarkus-run.jar ] || die "target/quarkus-app not found: run ./mvnw package -DskipTests first"

version=$(sed -n '0,/<artifactId>wgguard<\/artifactId>/d; s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
[ -n "$version" ] || die "cannot read the project version from pom.xml"
tag="${WGGUARD_IMAGE_TAG:-$version}"
base="${WGGUARD_IMAGE_BASE:-local}"

# The Debian base: mmdebstrap's essential variant (no apt, no init) with the packages given, docs,
# man pages and locales left out; merged /usr without the usrmerge package (which pulls in perl).
# The recipe is hashed into a label: a changed recipe makes the base anew.
build_base() {
  local name="$1"; shift
  local packages="$*"
  local recipe
  recipe="mmdebstrap --variant=essential bookworm include=${packages// /,} merged-usr no-docs no-sources v1"
  local hash
  hash=$(printf '%s' "$recipe" | sha256sum | cut -c1-16)
  if [ "${WGGUARD_IMAGE_REBUILD_BASE:-0}" != 1 ] && podman image exists "$name" \
      && [ "$(podman image inspect --format '{{index .Labels "io.wgguard.base-recipe"}}' "$name")" = "$hash" ]; then
    say "base $name: reused (recipe $hash)"
    return
  fi
  command -v mmdebstrap >/dev/null || die "mmdebstrap not found: run scripts/test-deps.sh"
  # The machine's own apt sources for bookworm (deb822 or one-line files): no mirror is named here.
  local sources=()
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] && grep -qE '^[^#]*\bbookworm\b' "$file" && sources+=("$file")
  done
  [ "${#sources[@]}" -gt 0 ] || die "no apt source for Debian bookworm in /etc/apt: set WGGUARD_IMAGE_BASE to a JRE image (e.g. eclipse-temurin:17-jre) instead"
  local work
  work=$(mktemp -d /tmp/wgguard-base-XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  say "base $name: mmdebstrap bookworm with $packages (a minute or two, once)"
  # Java's post-install links its man page: the directory must exist though man pages are left out.
  if ! mmdebstrap --variant=essential --include="${packages// /,}" \
      --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
      --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
      --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --customize-hook='rm -f "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/*' \
      bookworm "$work/base.tar" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1; then
    tail -30 "$work/mmdebstrap.log" >&2
    die "mmdebstrap failed for $name"
  fi
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL io.wgguard.base-recipe=$hash" \
    --change 'CMD ["/bin/sh"]' \
    "$work/base.tar" "$name" >/dev/null
  say "base $name: made (recipe $hash)"
}

if [ "$base" = local ]; then
  service_base=localhost/wgguard-base-jre:bookworm
  agent_base=localhost/wgguard-base-agent:bookworm
  build_base "$service_base" openjdk-17-jre-headless
  build_base "$agent_base" openjdk-17-jre-headless wireguard-tools iproute2
  pull=never
else
  service_base="$base"
  agent_base="$base"
  pull=missing
fi

# Host network for the build's RUN steps: no container network to set up, and apt in a public base
# reaches its mirror as the machine does.
build() {
  local image="$1" dockerfile="$2" from="$3"
  local started
  started=$(date +%s)
  if ! podman build --quiet --network=host --pull="$pull" --build-arg BASE="$from" \
      -f "$dockerfile" -t "$image" . >/dev/null; then
    die "podman build of $image ($dockerfile on $from) failed"
  fi
  say "built $image from $dockerfile on $from in $(( $(date +%s) - started ))s"
}
build "wgguard:$tag" src/main/docker/Dockerfile.service "$service_base"
build "wgguard-agent:$tag" src/main/docker/Dockerfile.agent "$agent_base"

# Sizes as podman reports them (uncompressed, every layer of the image, base included).
for image in "wgguard:$tag" "wgguard-agent:$tag"; do
  bytes=$(podman image inspect --format '{{.Size}}' "$image")
  printf '[images] %-28s %6.1f MiB\n' "$image" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')"
done
