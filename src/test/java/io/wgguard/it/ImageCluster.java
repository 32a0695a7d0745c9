package io.wgguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wgguard.it.KubeCluster.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** What the image ITs install and mint from the rendered manifests: RBAC and service accounts. */
public final class ImageCluster {

  public static final String NS = "wgguard-system";
  private static final ObjectMapper YAML =
      new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
  private static final Set<String> RBAC =
      Set.of(
          "Namespace",
          "ServiceAccount",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding");

  private ImageCluster() {}

  /** Applies the Namespace, ServiceAccounts and RBAC of the rendered base, as the install does. */
  public static void applyRbac(KubeCluster cluster, List<JsonNode> base) throws IOException {
    StringBuilder yaml = new StringBuilder();
    for (JsonNode object : base) {
      if (RBAC.contains(object.path("kind").asText())) {
        yaml.append("---\n").append(YAML.writeValueAsString(object));
      }
    }
    KubeCluster.Result apply =
        cluster.kubectlWithInput(User.ADMIN, yaml.toString(), "apply", "-f", "-");
    if (apply.exitCode() != 0) {
      throw new IllegalStateException("cannot apply the base's RBAC: " + apply);
    }
  }

  /**
   * What the kubelet mounts at {@code /var/run/secrets/kubernetes.io/serviceaccount} for a pod of
   * {@code serviceAccount}: a token the API server mints for it, the API server's CA and the
   * namespace.
   */
  public static Path serviceAccount(KubeCluster cluster, String serviceAccount) throws IOException {
    KubeCluster.Result token =
        cluster.kubectl(User.ADMIN, "create", "token", serviceAccount, "-n", NS, "--duration=1h");
    if (token.exitCode() != 0) {
      throw new IllegalStateException("cannot mint a token for " + serviceAccount + ": " + token);
    }
    Path dir = Files.createTempDirectory(cluster.dir(), "sa-" + serviceAccount + "-");
    Files.writeString(dir.resolve("token"), token.stdout().strip());
    Files.copy(cluster.dir().resolve("apiserver-ca.crt"), dir.resolve("ca.crt"));
    Files.writeString(dir.resolve("namespace"), NS);
    // Readable by any user, as the kubelet's projection is for the pod's user.
    for (Path file :
        List.of(dir, dir.resolve("token"), dir.resolve("ca.crt"), dir.resolve("namespace"))) {
      file.toFile().setReadable(true, false);
      file.toFile().setExecutable(Files.isDirectory(file), false);
    }
    return dir;
  }

  /** The image a rendered workload's first container names. */
  public static String image(JsonNode workload) {
    return workload
        .path("spec")
        .path("template")
        .path("spec")
        .path("containers")
        .get(0)
        .path("image")
        .asText();
  }

  /**
   * The service container of the rendered Deployment against {@code cluster}: the Secret
   * wgguard-tls from the test certificate (SAN 127.0.0.1), the {@code wgguard} service account's
   * token, the API server in-cluster style, and, on the shared host network, the given ports.
   */
  public static PodContainer.Builder service(
      String name,
      KubeCluster cluster,
      JsonNode deployment,
      Path serviceAccount,
      int https,
      int management)
      throws IOException {
    Path secret = Files.createTempDirectory(cluster.dir(), "wgguard-tls-");
    // As cert-manager writes the Secret: the CA beside the pair, from which the guard restores
    // a registration's caBundle.
    for (String file : List.of("tls.crt", "tls.key", "ca.crt")) {
      Files.copy(WgguardProcess.TEST_TLS.resolve(file), secret.resolve(file));
    }
    java.net.URI api = java.net.URI.create(cluster.masterUrl());
    return PodContainer.of(name, deployment)
        .field("metadata.namespace", NS)
        .secret("wgguard-tls", secret)
        .serviceAccount(serviceAccount)
        .env("KUBERNETES_SERVICE_HOST", api.getHost())
        .env("KUBERNETES_SERVICE_PORT", String.valueOf(api.getPort()))
        // The host network is shared: free ports instead of 8443 and 9000.
        .env("QUARKUS_HTTP_SSL_PORT", String.valueOf(https))
        .env("QUARKUS_MANAGEMENT_PORT", String.valueOf(management))
        // Registered by URL, as out-of-cluster runs are: the Deployment's restore mode would
        // otherwise put back a registration calling a Service this API server has no pods for.
        .env("WGGUARD_REGISTRATION_URL", "https://127.0.0.1:" + https);
  }
}
