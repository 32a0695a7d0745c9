#!/usr/bin/env bash
# wgguard demo: the seed procedure replayed on a local, real kube-apiserver with wgguard guarding it.
#
#   scripts/demo.sh            run it (about a minute once the binaries are there)
#   scripts/demo.sh --keep     leave the cluster and wgguard running at the end (Ctrl-C stops them)
#
# Starts etcd and kube-apiserver from the binaries scripts/kube-binaries.sh provisions, installs
# Calico's FelixConfiguration CRDs, starts the wgguard jar and registers it as the webhook, creates
# the seed's three nodes, then runs the seed's commands with kubectl and prints what the cluster
# answers. Every step checks its outcome: the script exits non-zero if wgguard misbehaves, so CI
# runs it as a smoke test. Everything lives in a temporary directory and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KEEP=false
[ "${1:-}" = "--keep" ] && KEEP=true

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
say() { printf '%s\n' "$*"; }
failed=false
die() { printf 'demo: FAILED: %s\n' "$*" >&2; failed=true; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/wgguard-demo.XXXXXX")
pids=()
NS_PREFIX="wgguard-demo-$$-"
namespaces=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in "${namespaces[@]}"; do # step 8's nodes: what runs inside, then the namespace
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if $failed; then # the logs (wgguard's, the agents', the API server's) tell why
    printf 'demo: logs kept in %s\n' "$work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --- binaries and jar -------------------------------------------------------------------------
bash scripts/kube-binaries.sh
bindir=$(ls -d "${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"/k8s/*-linux-amd64 | sort -V | tail -1)
KUBECTL_BIN="$bindir/kubectl"
JAR=target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ]; then
  say "building wgguard (./mvnw package -DskipTests)"
  ./mvnw -B -q package -DskipTests
fi

for tool in java curl openssl python3; do
  command -v "$tool" >/dev/null || die "$tool is needed on the PATH"
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # seconds, description, command...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out waiting for $what"
    sleep 0.3
  done
}

# --- a local API server -----------------------------------------------------------------------
bold "Starting etcd and kube-apiserver ($("$bindir/kube-apiserver" --version)) in $work"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=demo-ca" \
  -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
  -keyout "$work/apiserver.key" -out "$work/apiserver.csr" 2>/dev/null
openssl x509 -req -in "$work/apiserver.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
  -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:10.0.0.1\n') -out "$work/apiserver.crt" 2>/dev/null
openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
cat > "$work/tokens.csv" <<EOF
demo-admin-token,admin,admin,"system:masters"
demo-approver-token,alice,alice,"wgguard-approvers"
demo-editor-token,bob,bob,"platform-editors"
EOF
etcd_port=$(free_port); etcd_peer=$(free_port); api_port=$(free_port)
"$bindir/etcd" --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
  --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
  >"$work/etcd.log" 2>&1 &
pids+=($!)
"$bindir/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" --secure-port "$api_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --cert-dir "$work" \
  --tls-cert-file "$work/apiserver.crt" --tls-private-key-file "$work/apiserver.key" \
  --token-auth-file "$work/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://localhost --service-account-key-file "$work/sa.key" \
  --service-account-signing-key-file "$work/sa.key" --service-cluster-ip-range 10.0.0.0/24 \
  --disable-admission-plugins ServiceAccount --allow-privileged >"$work/apiserver.log" 2>&1 &
pids+=($!)
kubeconfig() { # user token
  cat > "$work/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: demo, cluster: {server: "https://127.0.0.1:$api_port", certificate-authority: "$work/ca.crt"}}]
users: [{name: $1, user: {token: $2}}]
contexts: [{name: demo, context: {cluster: demo, user: $1}}]
current-context: demo
EOF
}
kubeconfig admin demo-admin-token; kubeconfig alice demo-approver-token; kubeconfig bob demo-editor-token
export KUBECONFIG="$work/admin.kubeconfig"
wait_for 90 "the API server" "$KUBECTL_BIN" get --raw /readyz

k() { "$KUBECTL_BIN" "$@"; }
# Runs a command as shown, prints what the cluster answered, and checks the outcome.
# step EXPECT(ok|refused) GREP USER -- kubectl args...
step() {
  local expect=$1 grep=$2 user=$3; shift 4
  printf '\n$ %s\n' "kubectl $*" | sed "s|$work/||g"
  local out rc=0
  out=$(KUBECONFIG="$work/$user.kubeconfig" "$KUBECTL_BIN" "$@" 2>&1) || rc=$?
  printf '%s\n' "$out" | sed 's/^/  /'
  if [ "$expect" = ok ] && [ $rc -ne 0 ]; then die "expected success from: kubectl $*"; fi
  if [ "$expect" = refused ] && [ $rc -eq 0 ]; then die "expected a refusal from: kubectl $*"; fi
  if [ -n "$grep" ] && ! grep -q -- "$grep" <<<"$out"; then die "expected '$grep' in the answer to: kubectl $*"; fi
}

bold "Installing Calico's FelixConfiguration CRDs (from src/test/resources/calico)"
k apply -f src/test/resources/calico/crd.projectcalico.org_felixconfigurations.yaml >/dev/null
k wait --for condition=established --timeout=60s crd/felixconfigurations.crd.projectcalico.org >/dev/null
k apply -f src/test/resources/calico/crd.projectcalico.org_blockaffinities.yaml >/dev/null
k wait --for condition=established --timeout=60s crd/blockaffinities.crd.projectcalico.org >/dev/null
k apply -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: felixconfiguration-editor}
rules:
- apiGroups: ["crd.projectcalico.org", "projectcalico.org"]
  resources: ["felixconfigurations"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "create", "delete"]
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: felixconfiguration-editors}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: felixconfiguration-editor}
subjects:
- {kind: Group, name: wgguard-approvers, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: platform-editors, apiGroup: rbac.authorization.k8s.io}
EOF
# What calico-node writes at start-up.
k apply -f - >/dev/null <<'EOF'
apiVersion: crd.projectcalico.org/v1
kind: FelixConfiguration
metadata: {name: default}
spec: {logSeverityScreen: Info, reportingInterval: 0s}
EOF

bold "Creating the seed's three nodes, with the keys and addresses Felix published"
node() { # name key addr
  k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $1
  labels: {kubernetes.io/hostname: $1, kubernetes.io/os: linux}
  annotations:
    projectcalico.org/WireguardPublicKey: "$2"
    projectcalico.org/IPv4WireguardInterfaceAddr: "$3"
EOF
}
node control1 gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXE= 10.48.115.87
node worker1 HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmA= 10.48.127.254
node worker2 lDSws3G/G1KP76BGGRpVSXBnTt5N6FCqOodzTUUWs0I= 10.48.116.146

bold "Starting wgguard and registering its webhooks"
WGGUARD_NAMESPACE=wgguard-system bash certs/generate.sh "$work/certs" 2>/dev/null
https_port=$(free_port); mgmt_port=$(free_port)
WGGUARD_TLS_CERT_FILE="$work/certs/tls.crt" WGGUARD_TLS_KEY_FILE="$work/certs/tls.key" \
  java -Dquarkus.http.ssl-port="$https_port" -Dquarkus.management.port="$mgmt_port" \
  -Dwgguard.override.groups=wgguard-approvers -Dwgguard.checker.interval=5s \
  -jar "$JAR" >"$work/wgguard.log" 2>&1 &
pids+=($!)
wait_for 60 "wgguard to be ready" curl -sf "http://127.0.0.1:$mgmt_port/q/health/ready"
ca_bundle=$(cat "$work/certs/ca-bundle.txt")
register() { # manifest path-prefix
  k create --dry-run=client -o json -f "$1" \
    | k patch --local -f - --type=json -o yaml -p "$(
        n=$(k create --dry-run=client -o jsonpath='{range .webhooks[*]}x{end}' -f "$1" | wc -c)
        ops=""
        for i in $(seq 0 $((n - 1))); do
          path=$(k create --dry-run=client -o jsonpath="{.webhooks[$i].clientConfig.service.path}" -f "$1")
          ops="$ops{\"op\":\"remove\",\"path\":\"/webhooks/$i/clientConfig/service\"},"
          ops="$ops{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/url\",\"value\":\"https://127.0.0.1:$https_port$path\"},"
          ops="$ops{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/caBundle\",\"value\":\"$ca_bundle\"},"
        done
        printf '[%s]' "${ops%,}")" \
    | k apply -f - >/dev/null
}
register manifests/base/webhook.yaml
register manifests/base/pod-webhook.yaml
# The API server picks registrations up asynchronously.
wait_for 30 "the API server to call wgguard" bash -c \
  "\"$KUBECTL_BIN\" patch felixconfiguration default --type=merge -p '{\"spec\":{\"wireguardEnabled\":false}}' --dry-run=server 2>&1 | grep -q 'keeps WireGuard off'"
say "wgguard is serving; its log: $work/wgguard.log"

bold "1. The seed: enable WireGuard"
step ok "patched" bob -- patch felixconfiguration default --type=merge -p '{"spec":{"wireguardEnabled":true}}'
printf '\n$ %s\n' "kubectl get nodes -o yaml | grep 'kubernetes.io/hostname\|Wireguard'"
KUBECONFIG="$work/bob.kubeconfig" "$KUBECTL_BIN" get nodes -o yaml | grep 'kubernetes.io/hostname\|Wireguard' | sed 's/^/  /'

bold "2. A platform editor tries to switch it off"
step refused "wgguard.io/override=<ticket>" bob -- patch felixconfiguration default --type=merge -p '{"spec":{"wireguardEnabled":false}}'
step refused "would switch WireGuard off on node worker1" bob -- apply -f "$ROOT/examples/demo/felix-node-worker1-off.yaml"
step refused "Deleting FelixConfiguration" bob -- delete felixconfiguration default

bold "3. A change approver switches it off under ticket CHG-1042, then back on"
step ok "Warning: WireGuard switched off cluster-wide under override CHG-1042 by alice" alice -- \
  patch felixconfiguration default --type=merge \
  -p '{"metadata":{"labels":{"wgguard.io/override":"CHG-1042"}},"spec":{"wireguardEnabled":false}}'
step ok "patched" alice -- patch felixconfiguration default --type=merge \
  -p '{"metadata":{"labels":{"wgguard.io/override":null}},"spec":{"wireguardEnabled":true}}'

bold "4. worker2 loses its WireGuard key (Felix removes it when the module is gone)"
step ok "annotated" admin -- annotate node worker2 projectcalico.org/WireguardPublicKey-
wait_for 20 "worker2 to be tainted" bash -c "\"$KUBECTL_BIN\" get node worker2 -o jsonpath='{.spec.taints}' | grep -q wireguard-not-ready"
step ok "wgguard.io/wireguard-not-ready" admin -- get node worker2 -o jsonpath='{range .spec.taints[*]}{.key}={.value}:{.effect}{"\n"}{end}'
step ok "WireGuardNotReady" admin -- get events -n default --field-selector involvedObject.name=worker2

bold "5. The seed's pod-2, pinned to worker2 with spec.nodeName, bypasses the scheduler"
step refused "which wgguard holds not WireGuard-ready: no-public-key" bob -- apply -f "$ROOT/examples/demo/seed-pod-2.yaml"

bold "6. The key comes back: the taint goes, the pod is admitted"
step ok "annotated" admin -- annotate node worker2 projectcalico.org/WireguardPublicKey=lDSws3G/G1KP76BGGRpVSXBnTt5N6FCqOodzTUUWs0I=
wait_for 20 "worker2 to be untainted" bash -c "! \"$KUBECTL_BIN\" get node worker2 -o jsonpath='{.spec.taints}' | grep -q wireguard-not-ready"
step ok "pod/pod-2" bob -- apply -f "$ROOT/examples/demo/seed-pod-2.yaml"

bold "7. What the people on call see"
printf '\n$ curl http://127.0.0.1:%s/q/health/group/wireguard\n' "$mgmt_port"
curl -s "http://127.0.0.1:$mgmt_port/q/health/group/wireguard" | sed 's/^/  /'
curl -s "http://127.0.0.1:$mgmt_port/q/health/group/wireguard" | grep -q '"status": "UP"' || die "posture not UP"

bold "8. The seed's last step: wg and tcpdump, on real WireGuard tunnels"
if [ "$(id -u)" -ne 0 ]; then
  say "skipped: this step makes network namespaces and WireGuard devices, which needs root"
else
  bash scripts/test-deps.sh
  # Leftovers of an earlier demo that was killed (its pid no longer runs).
  for ns in $(ip netns list | awk '{print $1}' | grep '^wgguard-demo-' || true); do
    pid=${ns#wgguard-demo-}; pid=${pid%%-*}
    if ! kill -0 "$pid" 2>/dev/null; then
      for p in $(ip netns pids "$ns"); do kill "$p" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
  say "Each seed node becomes a network namespace with a userspace WireGuard device (wireguard-go),"
  say "joined by veth pairs to a bridge: underlay 10.213.0.0/24, tunnel addresses 10.213.1.0/24,"
  say "a pod block 10.214.<i>.0/26 per node, programmed as Felix programs it: fwmark, WireGuard table 1,"
  say "rule 'not fwmark 0x100000/0x100000 lookup 1' at priority 99, underlay routes in the main table."
  br="${NS_PREFIX}br"; ip netns add "$br"; namespaces+=("$br")
  ip -n "$br" link add br0 type bridge; ip -n "$br" link set br0 up
  ip netns exec "$br" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  i=0; publish=()
  for n in control1 worker1 worker2; do
    i=$((i + 1)); ns="${NS_PREFIX}$n"; wg="wgd$$n$i"
    ip netns add "$ns"; namespaces+=("$ns")
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip link add eth0 netns "$ns" type veth peer name "p$i" netns "$br"
    ip -n "$br" link set "p$i" master br0 up
    ip -n "$ns" addr add "10.213.0.$i/24" dev eth0; ip -n "$ns" link set eth0 up; ip -n "$ns" link set lo up
    WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 ip netns exec "$ns" wireguard-go "$wg" >/dev/null 2>&1
    (umask 077; wg genkey > "$work/$n.key")
    ip netns exec "$ns" wg set "$wg" private-key "$work/$n.key" listen-port 51820 fwmark 0x100000
    ip -n "$ns" addr add "10.213.1.$i/24" dev "$wg"; ip -n "$ns" link set "$wg" mtu 1440 up
    # A pod: its address on one end of a veth pair (no dummy links on every kernel).
    ip -n "$ns" link add pod0 type veth peer name pod1
    ip -n "$ns" link set pod0 up; ip -n "$ns" link set pod1 up
    ip -n "$ns" addr add "10.214.$i.1/26" dev pod0
    k apply -f - >/dev/null <<EOF
apiVersion: crd.projectcalico.org/v1
kind: BlockAffinity
metadata: {name: $n-10-214-$i-0-26}
spec: {node: $n, cidr: 10.214.$i.0/26, state: confirmed, deleted: "false"}
EOF
    declare "key_$n=$(wg pubkey < "$work/$n.key")"; declare "wg_$n=$wg" "ns_$n=$ns"
    publish+=("$n=$ns=$wg")
  done
  i=0
  for n in control1 worker1 worker2; do # every node peers every other, as Felix programs it
    i=$((i + 1)); ns_var="ns_$n"; wg_var="wg_$n"; j=0
    for m in control1 worker1 worker2; do
      j=$((j + 1)); [ "$n" = "$m" ] && continue; key_var="key_$m"
      ip netns exec "${!ns_var}" wg set "${!wg_var}" peer "${!key_var}" endpoint "10.213.0.$j:51820" \
        allowed-ips "10.214.$j.0/26,10.213.1.$j/32"
      # Felix's WireGuard table: the peer's block and tunnel address via the device ...
      ip -n "${!ns_var}" route add "10.214.$j.0/26" dev "${!wg_var}" table 1
      ip -n "${!ns_var}" route add "10.213.1.$j/32" dev "${!wg_var}" table 1
      # ... and the underlay route in the main table: what traffic takes without the rule.
      ip -n "${!ns_var}" route add "10.214.$j.0/26" via "10.213.0.$j"
    done
    ip -n "${!ns_var}" route add throw "10.214.$i.0/26" table 1
    ip -n "${!ns_var}" rule add priority 99 not fwmark 0x100000/0x100000 lookup 1
    # Felix publishes the device's key and address on the node.
    key_var="key_$n"
    k annotate --overwrite node "$n" "projectcalico.org/WireguardPublicKey=${!key_var}" \
      "projectcalico.org/IPv4WireguardInterfaceAddr=10.213.1.$i" >/dev/null
  done
  # The node agent per node, as the DaemonSet runs it (AgentMain from the packaged app), reading
  # its node's device with `ip netns exec <ns> wg` and publishing wgguard.io/tunnels. Its module
  # probe reads a host tree of the node (the device lives in the namespace, not on this host).
  # Every 6 s: a stale peer is one sent traffic since the previous reading, and WireGuard retries
  # a handshake every 5 s while traffic waits, so each reading sees a retry.
  for entry in "${publish[@]}"; do
    IFS== read -r n ns wg <<<"$entry"
    host="$work/host/$n"; mkdir -p "$host/proc" "$host/sys/module/wireguard" "$host/sys/class/net/$wg"
    printf 'wireguard 81920 0 - Live 0x0000000000000000\n' >"$host/proc/modules"
    KUBECONFIG="$work/admin.kubeconfig" NODE_NAME="$n" WGGUARD_AGENT_HOST_ROOT="$host" \
      WGGUARD_AGENT_TUNNEL_SOURCE=device WGGUARD_AGENT_WG_COMMAND="ip netns exec $ns wg" \
      WGGUARD_AGENT_IP_COMMAND="ip netns exec $ns ip" \
      WGGUARD_AGENT_INTERFACE_NAME="$wg" WGGUARD_AGENT_INTERVAL=6s WGGUARD_AGENT_CHANGE_SPREAD=12s \
      WGGUARD_AGENT_HEALTH_PORT=0 WGGUARD_AGENT_LEASE_NAMESPACE=default \
      java -cp "$ROOT/target/quarkus-app/app/*:$ROOT/target/quarkus-app/lib/main/*" \
      io.wgguard.agent.AgentMain >"$work/agent-$n.log" 2>&1 &
    pids+=($!)
  done
  say "A wgguard node agent runs for each node (logs: $work/agent-<node>.log)."
  tunnels_of() { # node: its tunnel reasons in /status, or "unseen"
    curl -s "http://127.0.0.1:$mgmt_port/status?node=$1" | python3 -c \
      'import json,sys; r=json.load(sys.stdin)["nodes"]; t=r[0].get("tunnels") if r else None; print("unseen" if t is None else " ".join(t["reasons"]) or "proven")'
  }
  all_proven() { for n in control1 worker1 worker2; do [ "$(tunnels_of "$n")" = proven ] || return 1; done; }
  wait_for 60 "every node's tunnels proven" all_proven
  # Liveness is a Lease per agent, renewed every 40 s; the Node is written only on change and by a
  # forced report every 5 to 6 minutes (the README, "Cadence: liveness by Lease").
  printf '\n$ %s\n' "kubectl get leases -l wgguard.io/agent-lease"
  k get leases -n default -l wgguard.io/agent-lease | sed 's/^/  /'
  [ "$(k get leases -n default -l wgguard.io/agent-lease -o name | wc -l)" -eq 3 ] \
    || die "not every node agent holds its Lease"
  printf '\n$ %s\n' "ip netns exec worker1 ping -c 3 -I 10.214.2.1 10.214.3.1   # a pod on worker1 -> a pod on worker2, while:"
  printf '$ %s\n' "tcpdump -i <worker1's underlay port> -n -q ip"
  ip netns exec "$br" timeout 20 tcpdump -i p2 -n -l -q -c 12 ip >"$work/tcpdump.txt" 2>/dev/null &
  tcpdump_pid=$!; sleep 1.5
  ip netns exec "${ns_worker1}" ping -c 3 -i 0.5 -W 2 -I 10.214.2.1 10.214.3.1 | sed 's/^/  /' || die "no ping through the tunnel"
  sleep 0.5; kill "$tcpdump_pid" 2>/dev/null || true; wait "$tcpdump_pid" 2>/dev/null || true
  sed -i '/^$/d' "$work/tcpdump.txt"
  sed 's/^/  /' "$work/tcpdump.txt"
  [ "$(wc -l < "$work/tcpdump.txt")" -ge 6 ] || die "tcpdump saw too little"
  if grep -v -E ' IP 10\.213\.0\.[0-9]+\.51820 > 10\.213\.0\.[0-9]+\.51820: UDP, length [0-9]+$' "$work/tcpdump.txt"; then
    die "the underlay carried something else than WireGuard UDP"
  fi
  say "Only UDP between WireGuard ports crosses the underlay: the ICMP inside is encrypted."
  printf '\n$ %s\n' "ip netns exec worker1 wg show"
  ip netns exec "${ns_worker1}" wg show "${wg_worker1}" | sed 's/^/  /'
  printf '\n$ %s\n' "curl http://127.0.0.1:$mgmt_port/status   # tunnels"
  curl -s "http://127.0.0.1:$mgmt_port/status" | python3 -c 'import json,sys; print("  " + json.dumps(json.load(sys.stdin)["tunnels"]))'

  bold "9. The routing rule deleted on worker1: every device still green, pod traffic leaves in clear"
  printf '\n$ %s\n' "ip netns exec worker1 ip rule del priority 99"
  ip -n "${ns_worker1}" rule del priority 99
  printf '$ %s\n' "ip netns exec worker1 ping -c 3 -I 10.214.2.1 10.214.3.1   # while tcpdump watches worker1's underlay port"
  ip netns exec "$br" timeout 20 tcpdump -i p2 -n -l -q -c 12 icmp >"$work/clear.txt" 2>/dev/null &
  tcpdump_pid=$!; sleep 1.5
  ip netns exec "${ns_worker1}" ping -c 3 -i 0.5 -W 2 -I 10.214.2.1 10.214.3.1 | sed 's/^/  /' || true
  sleep 0.5; kill "$tcpdump_pid" 2>/dev/null || true; wait "$tcpdump_pid" 2>/dev/null || true
  sed -i '/^$/d' "$work/clear.txt"
  sed 's/^/  /' "$work/clear.txt"
  grep -q -E ' IP 10\.214\.2\.1 > 10\.214\.3\.1: ICMP echo request' "$work/clear.txt" \
    || die "tcpdump saw no clear ICMP after the rule was deleted"
  say "The pod's ICMP crosses the underlay in clear text; the key, the device and its handshakes are unchanged."
  worker1_bypass() {
    curl -s "http://127.0.0.1:$mgmt_port/status?node=worker1" >"$work/worker1.json" \
      && grep -q route-bypass "$work/worker1.json"
  }
  wait_for 60 "wgguard to name worker1 route-bypass" worker1_bypass
  printf '\n$ %s\n' "curl 'http://127.0.0.1:$mgmt_port/status?node=worker1'   # the node's tunnels"
  python3 -c \
    'import json,sys; print("  " + json.dumps(json.load(sys.stdin)["nodes"][0]["tunnels"], indent=2, ensure_ascii=False).replace("\n", "\n  "))' \
    <"$work/worker1.json"
  printf '\n$ %s\n' "ip netns exec worker1 ip rule add priority 99 not fwmark 0x100000/0x100000 lookup 1   # Felix puts it back"
  ip -n "${ns_worker1}" rule add priority 99 not fwmark 0x100000/0x100000 lookup 1
  wait_for 60 "every node's tunnels proven again" all_proven
  say "Restored, and proven again."

  bold "10. UDP to worker2 is dropped (a firewall, a wrong endpoint behind NAT): the tunnel is up, nothing passes"
  printf '\n$ %s\n' "ip netns exec worker2 nft add rule inet demo input udp dport 51820 drop"
  ip netns exec "${ns_worker2}" nft add table inet demo
  ip netns exec "${ns_worker2}" nft 'add chain inet demo input { type filter hook input priority 0 ; policy accept ; }'
  ip netns exec "${ns_worker2}" nft add rule inet demo input udp dport 51820 drop
  printf '$ %s\n' "ip netns exec control1 ping -c 3 10.213.1.3"
  if ip netns exec "${ns_control1}" ping -c 3 -i 0.5 -W 2 10.213.1.3 | sed 's/^/  /'; then die "ping passed a dropping node"; fi
  say "calico-node would stay Ready, and the key is still published; wgguard reads the device:"
  control1_stale() { # keeps the /status that named it, shown below
    curl -s "http://127.0.0.1:$mgmt_port/status?node=control1" >"$work/control1.json" \
      && grep -q handshake-stale "$work/control1.json"
  }
  wait_for 90 "wgguard to name control1's stale handshake" control1_stale
  printf '\n$ %s\n' "curl 'http://127.0.0.1:$mgmt_port/status?node=control1'   # the node's tunnels"
  python3 -c \
    'import json,sys; print("  " + json.dumps(json.load(sys.stdin)["nodes"][0]["tunnels"], indent=2, ensure_ascii=False).replace("\n", "\n  "))' \
    <"$work/control1.json" | tee "$work/control1.txt"
  grep -q "worker2 (" "$work/control1.txt" || die "the stale peer is not named worker2"
  say "With wgguard.checker.tunnel-evidence=enforce, control1 would now be tainted handshake-stale."
fi

if [ "$(id -u)" -eq 0 ]; then
  bold "Demo passed: WireGuard stayed on, every node was proven, and the bypassed route and the broken tunnel were named."
else
  bold "Demo passed: WireGuard stayed on, and every node is proven."
fi
if $KEEP; then
  say "Cluster and wgguard keep running. KUBECONFIG=$work/admin.kubeconfig; Ctrl-C to stop and clean up."
  wait
fi
