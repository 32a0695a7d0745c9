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
final class ImageCluster {

  static final String NS = "wgguard-system";
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
  static void applyRbac(KubeCluster cluster, List<JsonNode> base) throws IOException {
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
  static Path serviceAccount(KubeCluster cluster, String serviceAccount) throws IOException {
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
}
