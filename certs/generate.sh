#!/usr/bin/env bash
# Creates a CA and a serving certificate for wgguard's webhook with openssl.
#
#   certs/generate.sh [OUT_DIR]          (default: certs/out)
#
# Environment: WGGUARD_NAMESPACE (default wgguard-system), WGGUARD_SERVICE (default wgguard),
# WGGUARD_CERT_DAYS (default 365), WGGUARD_EXTRA_SANS (comma-separated, e.g. DNS:foo,IP:10.0.0.1),
# WGGUARD_OVERLAY_DIR (where the self-signed overlay's files go; default
# manifests/overlays/self-signed/generated when OUT_DIR is the default, none when OUT_DIR is given;
# empty: none).
# Writes ca.crt, ca.key, tls.crt, tls.key, and secret.yaml (kubernetes.io/tls Secret) plus
# ca-bundle.txt (base64 CA for the webhook caBundle). An existing CA is reused, so rotating the
# serving certificate is: run again, apply secret.yaml; wgguard re-reads the files without restart.
# For `kubectl apply -k manifests/overlays/self-signed` it also writes, into WGGUARD_OVERLAY_DIR,
# secret.yaml (the same Secret) and ca-bundle-patch.yaml (the CA as caBundle of every webhook).
# That overlay installs into wgguard-system with Service wgguard, the defaults above.
set -euo pipefail
out="${1:-$(dirname "$0")/out}"
# The overlay pairs with the default certs/out: a CA kept elsewhere never replaces its files.
default_overlay=""
[ $# -ge 1 ] || default_overlay="$(dirname "$0")/../manifests/overlays/self-signed/generated"
overlay="${WGGUARD_OVERLAY_DIR-$default_overlay}"
ns="${WGGUARD_NAMESPACE:-wgguard-system}"
svc="${WGGUARD_SERVICE:-wgguard}"
days="${WGGUARD_CERT_DAYS:-365}"
command -v openssl >/dev/null || { echo "certs/generate.sh: openssl not found" >&2; exit 1; }
mkdir -p "$out"
if [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days $((days * 10)) \
    -subj "/CN=wgguard-ca" -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
  echo "created CA $out/ca.crt" >&2
fi
sans="DNS:$svc,DNS:$svc.$ns,DNS:$svc.$ns.svc,DNS:$svc.$ns.svc.cluster.local,DNS:localhost,IP:127.0.0.1"
[ -z "${WGGUARD_EXTRA_SANS:-}" ] || sans="$sans,$WGGUARD_EXTRA_SANS"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$svc.$ns.svc" \
  -keyout "$out/tls.key.new" -out "$out/tls.csr" 2>/dev/null
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days "$days" -out "$out/tls.crt.new" \
  -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n' "$sans") 2>/dev/null
# Replace key and certificate together (rename is atomic) so a reader never pairs old with new.
mv "$out/tls.key.new" "$out/tls.key"
mv "$out/tls.crt.new" "$out/tls.crt"
rm -f "$out/tls.csr"
base64 -w0 < "$out/ca.crt" > "$out/ca-bundle.txt"
cat > "$out/secret.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: wgguard-tls
  namespace: $ns
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 < "$out/tls.crt")
  tls.key: $(base64 -w0 < "$out/tls.key")
  ca.crt: $(base64 -w0 < "$out/ca.crt")
YAML
echo "wrote $out/tls.crt (SANs: $sans), $out/secret.yaml, $out/ca-bundle.txt" >&2
if [ -n "$overlay" ]; then
  mkdir -p "$overlay"
  cp "$out/secret.yaml" "$overlay/secret.yaml"
  # Strategic merge patches: webhooks merge by name, so only caBundle is added to each.
  cat > "$overlay/ca-bundle-patch.yaml" <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: wgguard
webhooks:
  - name: felixconfiguration.wgguard.io
    clientConfig:
      caBundle: $(cat "$out/ca-bundle.txt")
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: wgguard-pods
webhooks:
  - name: pod.wgguard.io
    clientConfig:
      caBundle: $(cat "$out/ca-bundle.txt")
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: wgguard-calico-node
webhooks:
  - name: calico-node.wgguard.io
    clientConfig:
      caBundle: $(cat "$out/ca-bundle.txt")
YAML
  echo "wrote $overlay/secret.yaml, $overlay/ca-bundle-patch.yaml" >&2
fi
