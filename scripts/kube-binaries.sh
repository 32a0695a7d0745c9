#!/usr/bin/env bash
# Provisions etcd, kube-apiserver and kubectl where io.fabric8:kube-api-test looks for them:
#   $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl}   (default ~/.kubeapitest)
#
# Order of preference, first match wins:
#   1. binaries already there (any version directory holding all three): nothing to do;
#   2. binaries named by the user: WGGUARD_KUBE_APISERVER, WGGUARD_ETCD, WGGUARD_KUBECTL (paths),
#      installed under version WGGUARD_KUBE_VERSION (default: asked from the kube-apiserver binary);
#   3. build kube-apiserver 1.20.2 from Debian's kubernetes source package, etcd from Debian's
#      etcd-server package, and the kubectl found on PATH (about 8 minutes on 2 cores, once).
#
# Users with internet access can set WGGUARD_KUBE_BINARIES=download: this script then does nothing
# and kube-api-test downloads official binaries itself into the same directory.
set -euo pipefail

DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s"
WORK="${WGGUARD_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wgguard/kube-build}"
K8S_SOURCE_VERSION=1.20.2

say() { printf '[kube-binaries] %s\n' "$*" >&2; }
die() { printf '[kube-binaries] ERROR: %s\n' "$*" >&2; exit 1; }

complete_dir() {
  local d
  for d in "$DIR"/*-linux-amd64; do
    [ -x "$d/kube-apiserver" ] && [ -x "$d/etcd" ] && [ -x "$d/kubectl" ] && { echo "$d"; return 0; }
  done
  return 1
}

install_three() { # version apiserver etcd kubectl
  local target="$DIR/$1-linux-amd64"
  mkdir -p "$target"
  install -m 0755 "$2" "$target/kube-apiserver"
  install -m 0755 "$3" "$target/etcd"
  install -m 0755 "$4" "$target/kubectl"
  say "installed into $target"
}

if [ "${WGGUARD_KUBE_BINARIES:-}" = "download" ]; then
  say "WGGUARD_KUBE_BINARIES=download: leaving it to kube-api-test to download official binaries"
  exit 0
fi

if existing=$(complete_dir); then
  say "binaries already present in $existing; nothing to do"
  exit 0
fi

if [ -n "${WGGUARD_KUBE_APISERVER:-}${WGGUARD_ETCD:-}${WGGUARD_KUBECTL:-}" ]; then
  for v in WGGUARD_KUBE_APISERVER WGGUARD_ETCD WGGUARD_KUBECTL; do
    [ -n "${!v:-}" ] || die "$v is not set: set all three of WGGUARD_KUBE_APISERVER, WGGUARD_ETCD, WGGUARD_KUBECTL"
    [ -x "${!v}" ] || die "$v=${!v} is not an executable file"
  done
  version="${WGGUARD_KUBE_VERSION:-$("$WGGUARD_KUBE_APISERVER" --version | sed -n 's/^Kubernetes v\([0-9.]*\).*/\1/p')}"
  [ -n "$version" ] || die "cannot tell the version of $WGGUARD_KUBE_APISERVER; set WGGUARD_KUBE_VERSION"
  install_three "$version" "$WGGUARD_KUBE_APISERVER" "$WGGUARD_ETCD" "$WGGUARD_KUBECTL"
  exit 0
fi

say "no binaries in $DIR: building kube-apiserver $K8S_SOURCE_VERSION from Debian's source package"
command -v apt-get >/dev/null || die "apt-get not found: this fallback needs a Debian machine; set WGGUARD_KUBE_APISERVER/WGGUARD_ETCD/WGGUARD_KUBECTL instead"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

kubectl_bin="$(command -v kubectl || true)"
[ -n "$kubectl_bin" ] || die "kubectl not found on PATH (Debian's kubernetes-client conflicts with the preinstalled one; install kubectl or set WGGUARD_KUBECTL)"

needed=()
command -v go >/dev/null || needed+=(golang-go)
command -v rsync >/dev/null || needed+=(rsync)
[ -x /usr/bin/etcd ] || needed+=(etcd-server)
[ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || needed+=(golang-github-modern-go-reflect2-dev)
if [ ${#needed[@]} -gt 0 ]; then
  say "installing Debian packages: ${needed[*]}"
  $SUDO apt-get update -qq || say "apt-get update failed; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${needed[@]}" >/dev/null \
    || die "apt-get install ${needed[*]} failed"
fi

mkdir -p "$WORK"
cd "$WORK"
src_dir=""; [ -d "kubernetes-$K8S_SOURCE_VERSION/vendor" ] && src_dir="kubernetes-$K8S_SOURCE_VERSION"
if [ -z "$src_dir" ]; then
  # A private deb-src list built from the machine's own apt sources, so no mirror is named here.
  apt_state="$WORK/apt"; mkdir -p "$apt_state/lists/partial" "$apt_state/cache/archives/partial"
  srclist="$apt_state/sources.list"; : > "$srclist"
  uris=$( { grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null || true;
            grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } \
          | awk '{print $2}' | grep -v -e security -e '^$' | sort -u || true)
  [ -n "$uris" ] || die "no Debian mirror found in /etc/apt sources to fetch the kubernetes source package from"
  for u in $uris; do echo "deb-src [trusted=yes] $u bookworm main" >> "$srclist"; done
  apt_opts=(-o "Dir::Etc::sourcelist=$srclist" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt_state/lists" -o "Dir::Cache::archives=$apt_state/cache/archives")
  say "fetching the kubernetes source package"
  apt-get "${apt_opts[@]}" update -qq || die "apt-get update with the deb-src list failed"
  apt-get "${apt_opts[@]}" source --download-only kubernetes >/dev/null || die "apt-get source kubernetes failed"
  tarball=$(ls kubernetes_*.orig.tar.* 2>/dev/null | head -1 || true)
  [ -n "$tarball" ] || die "the kubernetes $K8S_SOURCE_VERSION source tarball was not downloaded (got: $(ls))"
  mkdir -p "kubernetes-$K8S_SOURCE_VERSION"
  tar -xf "$tarball" -C "kubernetes-$K8S_SOURCE_VERSION" --strip-components=1
  src_dir="kubernetes-$K8S_SOURCE_VERSION"
fi
src="$WORK/$src_dir"
[ -d "$src/vendor" ] || die "$src has no vendor/ directory"

# The vendored reflect2 1.0.1 crashes the API server under Go >= 1.18; Debian's 1.0.2 works.
if ! grep -q 'reflect2 1.0.2' "$src/vendor/github.com/modern-go/reflect2/.wgguard-patched" 2>/dev/null; then
  say "replacing vendored modern-go/reflect2 with Debian's 1.0.2"
  rm -rf "$src/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$src/vendor/github.com/modern-go/reflect2"
  rm -f "$src/vendor/github.com/modern-go/reflect2/go.mod" "$src/vendor/github.com/modern-go/reflect2/go.sum"
  echo 'reflect2 1.0.2' > "$src/vendor/github.com/modern-go/reflect2/.wgguard-patched"
fi

mkdir -p "$WORK/.go/src/k8s.io"
ln -sfn "$src" "$WORK/.go/src/k8s.io/kubernetes"
say "building kube-apiserver (several minutes on 2 cores)"
( cd "$WORK/.go/src/k8s.io/kubernetes" && GOPATH="$WORK/.go" GO111MODULE=off GOFLAGS=-mod=vendor CGO_ENABLED=0 \
    make WHAT=cmd/kube-apiserver >"$WORK/build.log" 2>&1 ) \
  || { tail -30 "$WORK/build.log" >&2; die "kube-apiserver build failed (full log: $WORK/build.log)"; }
apiserver=$(ls "$src"/_output/local/bin/linux/amd64/kube-apiserver 2>/dev/null || ls "$src"/_output/bin/kube-apiserver)
[ -x "$apiserver" ] || die "build finished but no kube-apiserver binary was found under $src/_output"
"$apiserver" --version >&2 || die "the built kube-apiserver does not run"

install_three "$K8S_SOURCE_VERSION" "$apiserver" /usr/bin/etcd "$kubectl_bin"
