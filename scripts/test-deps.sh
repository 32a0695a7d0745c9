#!/usr/bin/env bash
# Installs what the real-tunnel tests (TunnelsIT) and the demo's encryption step need: userspace
# WireGuard (wireguard-go) and its tools (wg), tcpdump, nftables, iproute2 (ip netns), ping and
# stress-ng; and what scripts/images.sh and the image ITs need: podman with runc (crun fails on
# these machines: setrlimit on hybrid cgroups), mmdebstrap (the Debian base images) and socat (the
# agent container's way from a node's network namespace to the API server on the host's loopback).
# Idempotent: a machine that has them all returns at once. apt-get may be locked by another install
# on the same machine: the install is retried, bounded. Needs root (or sudo) only to install.
set -euo pipefail
say() { echo "[test-deps] $*" >&2; }
die() { say "$*"; exit 1; }

# command -> Debian package
declare -A packages=(
  [wireguard-go]=wireguard-go
  [wg]=wireguard-tools
  [tcpdump]=tcpdump
  [nft]=nftables
  [ip]=iproute2
  [stress-ng]=stress-ng
  [ping]=iputils-ping
  [podman]=podman
  [runc]=runc
  [mmdebstrap]=mmdebstrap
  [socat]=socat
)
needed=()
for cmd in "${!packages[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 \
    || needed+=("${packages[$cmd]}")
done
if [ "${#needed[@]}" -eq 0 ]; then
  exit 0
fi
command -v apt-get >/dev/null || die "missing ${needed[*]} and apt-get not found: install them with your package manager"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
say "installing ${needed[*]}"
for attempt in $(seq 1 30); do
  if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=20 \
      "${needed[@]}" >/tmp/wgguard-test-deps.log 2>&1; then
    say "installed ${needed[*]}"
    exit 0
  fi
  if grep -q -e 'Unable to locate package' -e 'has no installation candidate' /tmp/wgguard-test-deps.log \
      && [ "$attempt" -eq 1 ]; then
    $SUDO apt-get update -qq >/dev/null 2>&1 || say "apt-get update failed; retrying the install anyway"
    continue
  fi
  say "apt-get install failed (attempt $attempt of 30, the lock may be held by another install); retrying in 10s"
  sleep 10
done
cat /tmp/wgguard-test-deps.log >&2
die "could not install ${needed[*]}"
