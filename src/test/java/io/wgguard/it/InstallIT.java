package io.wgguard.it;

import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.wgguard.it.KubeCluster.User;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The install as a user does it: {@code certs/generate.sh}, {@code kubectl kustomize} of each
 * overlay, a server-side apply of what the API server serves, and wgguard running as the manifests'
 * own service account, with a token the API server minted for it. Proves the RBAC is enough (ready,
 * lease, nodes, taint, Event) and no more (an exhaustive rules review and refused requests). The
 * rendering and the API server start once; a test that needs the install applied applies it ({@link
 * #installed}), so any one runs alone and in any order.
 */
class InstallIT {

  static final String NS = "wgguard-system";
  static final String TAINT = "wgguard.io/wireguard-not-ready";
  static final Duration SOON = Duration.ofSeconds(20);
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  /** What every overlay installs: kind/namespace/name. */
  static final List<String> BASE =
      List.of(
          "Namespace//wgguard-system",
          "ServiceAccount/wgguard-system/wgguard",
          "ServiceAccount/wgguard-system/wgguard-agent",
          "ClusterRole//wgguard",
          "ClusterRole//wgguard-agent",
          "ClusterRoleBinding//wgguard",
          "ClusterRoleBinding//wgguard-agent",
          "Role/wgguard-system/wgguard-agent-lease",
          "RoleBinding/wgguard-system/wgguard-agent-lease",
          "ClusterRole//wgguard-registration-create",
          "ClusterRoleBinding//wgguard-registration-create",
          "Role/wgguard-system/wgguard-leader-election",
          "RoleBinding/wgguard-system/wgguard-leader-election",
          "Role/default/wgguard-events",
          "RoleBinding/default/wgguard-events",
          "Service/wgguard-system/wgguard",
          "Deployment/wgguard-system/wgguard",
          "PodDisruptionBudget/wgguard-system/wgguard",
          "DaemonSet/wgguard-system/wgguard-agent",
          "ValidatingWebhookConfiguration//wgguard",
          "ValidatingWebhookConfiguration//wgguard-pods",
          "ValidatingWebhookConfiguration//wgguard-calico-node");

  /** The rules the service account has beyond what every authenticated user has. */
  static final Set<String> WGGUARD_RULES_CLUSTER_WIDE =
      Set.of(
          "|nodes||get",
          "|nodes||list",
          "|nodes||watch",
          "|nodes||patch",
          // The routed-path check's BlockAffinity watch (issue 21's rule in rbac.yaml).
          "crd.projectcalico.org|blockaffinities||list",
          "crd.projectcalico.org|blockaffinities||watch",
          "crd.projectcalico.org|felixconfigurations||get",
          "crd.projectcalico.org|felixconfigurations||list",
          "crd.projectcalico.org|felixconfigurations||watch",
          "projectcalico.org|felixconfigurations||get",
          "projectcalico.org|felixconfigurations||list",
          "projectcalico.org|felixconfigurations||watch",
          "apps|daemonsets|calico-node|get",
          "apps|daemonsets|calico-node|list",
          "apps|daemonsets|calico-node|watch",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard|get",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard|list",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard|watch",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard|update",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard-calico-node|get",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard-calico-node|list",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard-calico-node|watch",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard-calico-node|update",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard-pods|get",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard-pods|list",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard-pods|watch",
          "admissionregistration.k8s.io|validatingwebhookconfigurations|wgguard-pods|update",
          // Re-creating a deleted registration: create cannot be limited to names (rbac.yaml).
          "admissionregistration.k8s.io|validatingwebhookconfigurations||create");

  static Path repo;
  static Map<String, List<JsonNode>> rendered;
  static KubeCluster cluster;
  static KubernetesClient admin;
  static WgguardProcess wgguard;
  static Path wgguardKubeconfig;
  static Path agentKubeconfig;
  static boolean installed;

  @BeforeAll
  static void start() throws Exception {
    Path basedir = Path.of(System.getProperty("wgguard.basedir", "."));
    // A copy of the checkout's manifests and certs, so generate.sh writes its keys there and a
    // developer's own certs/out and generated/ are neither used nor touched.
    repo = Files.createTempDirectory("wgguard-install-");
    copyTree(
        basedir.resolve("manifests"),
        repo.resolve("manifests"),
        Path.of("overlays", "self-signed", "generated"));
    Files.createDirectories(repo.resolve("certs"));
    Files.copy(basedir.resolve("certs/generate.sh"), repo.resolve("certs/generate.sh"));
    run(repo, List.of("bash", "certs/generate.sh"));
    rendered =
        Map.of(
            "base", kustomize("manifests/base"),
            "self-signed", kustomize("manifests/overlays/self-signed"),
            "cert-manager", kustomize("manifests/overlays/cert-manager"),
            "monitoring", kustomize("manifests/monitoring"));

    cluster = KubeCluster.startSeedCluster();
    admin = cluster.admin();
  }

  /**
   * No wgguard left running, and the seed's keys back: a test that ran it may have failed half-way.
   */
  @AfterEach
  void stopWgguard() {
    if (wgguard != null) {
      KubeCluster.closeAll(wgguard);
      wgguard = null;
      for (List<String> node : SeedNodes.NODES) {
        annotate(admin, node.get(0), KEY_ANNOTATION, node.get(1));
      }
    }
  }

  /** What a server-side apply of an overlay sent, and what the API server does not serve. */
  record Applied(KubeCluster.Result result, List<String> skipped) {}

  /**
   * Applies an overlay as a user does: {@code kubectl apply --server-side} of every object the API
   * server serves (the same objects again are no change).
   */
  static Applied applyServerSide(String overlay) throws IOException {
    List<String> skipped = new ArrayList<>();
    StringBuilder served = new StringBuilder();
    for (JsonNode object : rendered.get(overlay)) {
      if (admin.supports(object.path("apiVersion").asText(), object.path("kind").asText())) {
        served.append(YAML.writeValueAsString(object));
      } else {
        skipped.add(id(object) + " (" + object.path("apiVersion").asText() + ")");
      }
    }
    KubeCluster.Result apply =
        cluster.kubectlWithInput(
            User.ADMIN,
            served.toString(),
            "apply",
            "--server-side",
            "--field-manager=wgguard-install",
            "-f",
            "-");
    return new Applied(apply, skipped);
  }

  /**
   * The self-signed install applied (once per run; applying it again changes nothing) and
   * kubeconfigs with tokens the API server minted for its two service accounts.
   */
  static void installed() throws IOException {
    if (!installed) {
      KubeCluster.Result apply = applyServerSide("self-signed").result();
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      wgguardKubeconfig = cluster.tokenKubeconfig("wgguard-sa", token("wgguard"), NS);
      agentKubeconfig = cluster.tokenKubeconfig("wgguard-agent-sa", token("wgguard-agent"), NS);
      installed = true;
    }
  }

  @AfterAll
  static void stop() throws IOException {
    KubeCluster.closeAll(wgguard, cluster);
    if (repo != null) {
      // It holds the private keys generate.sh wrote.
      try (Stream<Path> files = Files.walk(repo)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  @Test
  void eachOverlayRendersTheBaseAndItsCertificateSource() {
    assertThat(ids("base")).containsExactlyInAnyOrderElementsOf(BASE);
    assertThat(ids("self-signed"))
        .containsExactlyInAnyOrderElementsOf(plus(BASE, "Secret/wgguard-system/wgguard-tls"));
    assertThat(ids("cert-manager"))
        .containsExactlyInAnyOrderElementsOf(
            plus(
                BASE,
                "Issuer/wgguard-system/wgguard-selfsigned",
                "Certificate/wgguard-system/wgguard-ca",
                "Issuer/wgguard-system/wgguard-ca",
                "Certificate/wgguard-system/wgguard-tls"));
    assertThat(ids("monitoring"))
        .containsExactlyInAnyOrder(
            "ServiceMonitor/wgguard-system/wgguard",
            "PrometheusRule/wgguard-system/wgguard",
            "ConfigMap/wgguard-system/wgguard-dashboard");
    // The label Grafana's dashboard sidecar picks ConfigMaps by; the name has no hash suffix.
    assertThat(
            object("monitoring", "ConfigMap", "wgguard-dashboard")
                .path("metadata")
                .path("labels")
                .path("grafana_dashboard")
                .asText())
        .isEqualTo("1");
  }

  @Test
  void theFelixWebhookFailsClosedAndThePodAndCalicoNodeWebhooksFailOpenInEveryOverlay() {
    for (String overlay : List.of("base", "self-signed", "cert-manager")) {
      JsonNode felix = single(object(overlay, "ValidatingWebhookConfiguration", "wgguard"));
      assertThat(felix.path("name").asText()).isEqualTo("felixconfiguration.wgguard.io");
      assertThat(felix.path("failurePolicy").asText()).isEqualTo("Fail");
      assertCommonWebhookSettings(felix, "/admission/felixconfiguration");
      JsonNode felixRule = felix.path("rules").get(0);
      assertThat(felix.path("rules")).hasSize(1);
      assertThat(texts(felixRule.path("apiGroups")))
          .containsExactly("crd.projectcalico.org", "projectcalico.org");
      assertThat(texts(felixRule.path("resources"))).containsExactly("felixconfigurations");
      assertThat(texts(felixRule.path("operations"))).containsExactly("CREATE", "UPDATE", "DELETE");
      assertThat(felixRule.path("scope").asText()).isEqualTo("Cluster");

      JsonNode pods = single(object(overlay, "ValidatingWebhookConfiguration", "wgguard-pods"));
      assertThat(pods.path("name").asText()).isEqualTo("pod.wgguard.io");
      assertThat(pods.path("failurePolicy").asText()).isEqualTo("Ignore");
      assertCommonWebhookSettings(pods, "/admission/pod");
      JsonNode podRule = pods.path("rules").get(0);
      assertThat(texts(podRule.path("apiGroups"))).containsExactly("");
      assertThat(texts(podRule.path("resources"))).containsExactly("pods", "pods/binding");
      assertThat(texts(podRule.path("operations"))).containsExactly("CREATE");
      JsonNode exempt = pods.path("namespaceSelector").path("matchExpressions").get(0);
      assertThat(exempt.path("key").asText()).isEqualTo("kubernetes.io/metadata.name");
      assertThat(exempt.path("operator").asText()).isEqualTo("NotIn");
      assertThat(texts(exempt.path("values")))
          .containsExactlyInAnyOrder("kube-system", "calico-system", "tigera-operator", NS);

      // Fails open: an operator upgrade must not stall while wgguard is down; the checker and
      // the WgguardWireGuardForcedOffByEnvironment alert catch what passes.
      JsonNode calicoNode =
          single(object(overlay, "ValidatingWebhookConfiguration", "wgguard-calico-node"));
      assertThat(calicoNode.path("name").asText()).isEqualTo("calico-node.wgguard.io");
      assertThat(calicoNode.path("failurePolicy").asText()).isEqualTo("Ignore");
      assertCommonWebhookSettings(calicoNode, "/admission/calico-node");
      assertThat(calicoNode.path("rules")).hasSize(1);
      JsonNode dsRule = calicoNode.path("rules").get(0);
      assertThat(texts(dsRule.path("apiGroups"))).containsExactly("apps");
      assertThat(texts(dsRule.path("resources"))).containsExactly("daemonsets");
      assertThat(texts(dsRule.path("operations"))).containsExactly("CREATE", "UPDATE");
    }
  }

  @Test
  void theSelfSignedOverlayCarriesWhatGenerateShWrote() throws Exception {
    byte[] caPem = Files.readAllBytes(repo.resolve("certs/out/ca.crt"));
    String caBundle = Base64.getEncoder().encodeToString(caPem);
    for (String name : List.of("wgguard", "wgguard-pods", "wgguard-calico-node")) {
      JsonNode config = object("self-signed", "ValidatingWebhookConfiguration", name);
      assertThat(single(config).path("clientConfig").path("caBundle").asText())
          .as(name)
          .isEqualTo(caBundle);
      assertThat(config.path("metadata").path("annotations").isMissingNode()).isTrue();
    }
    JsonNode secret = object("self-signed", "Secret", "wgguard-tls");
    assertThat(secret.path("type").asText()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.path("data").path("tls.key").asText()).isNotEmpty();
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    X509Certificate ca =
        (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(caPem));
    X509Certificate serving =
        (X509Certificate)
            x509.generateCertificate(
                new ByteArrayInputStream(
                    Base64.getDecoder().decode(secret.path("data").path("tls.crt").asText())));
    serving.verify(ca.getPublicKey());
    assertThat(serving.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString()))
        .contains(
            "wgguard.wgguard-system.svc", "wgguard.wgguard-system.svc.cluster.local", "127.0.0.1");
    assertThat(serving.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
  }

  @Test
  void theCertManagerOverlayIssuesTheServingSecretFromItsOwnCaAndInjectsTheCa() {
    for (String name : List.of("wgguard", "wgguard-pods", "wgguard-calico-node")) {
      JsonNode config = object("cert-manager", "ValidatingWebhookConfiguration", name);
      assertThat(
              config
                  .path("metadata")
                  .path("annotations")
                  .path("cert-manager.io/inject-ca-from")
                  .asText())
          .as(name)
          .isEqualTo("wgguard-system/wgguard-tls");
      assertThat(single(config).path("clientConfig").has("caBundle")).isFalse();
    }
    JsonNode serving = object("cert-manager", "Certificate", "wgguard-tls").path("spec");
    assertThat(serving.path("secretName").asText())
        .isEqualTo(
            volume(object("cert-manager", "Deployment", "wgguard"), "tls")
                .path("secret")
                .path("secretName")
                .asText());
    assertThat(texts(serving.path("dnsNames")))
        .contains("wgguard.wgguard-system.svc", "wgguard.wgguard-system.svc.cluster.local");
    assertThat(texts(serving.path("usages"))).contains("server auth");
    assertThat(serving.path("issuerRef").path("name").asText()).isEqualTo("wgguard-ca");
    JsonNode caIssuer = object("cert-manager", "Issuer", "wgguard-ca").path("spec");
    JsonNode ca = object("cert-manager", "Certificate", "wgguard-ca").path("spec");
    assertThat(caIssuer.path("ca").path("secretName").asText())
        .isEqualTo(ca.path("secretName").asText());
    assertThat(ca.path("isCA").asBoolean()).isTrue();
    assertThat(ca.path("issuerRef").path("name").asText()).isEqualTo("wgguard-selfsigned");
    assertThat(
            object("cert-manager", "Issuer", "wgguard-selfsigned").path("spec").has("selfSigned"))
        .isTrue();
  }

  @Test
  void theDeploymentRunsHardenedAndHighlyAvailable() {
    JsonNode deployment = object("base", "Deployment", "wgguard");
    JsonNode spec = deployment.path("spec");
    assertThat(spec.path("replicas").asInt()).isEqualTo(2);
    JsonNode pod = spec.path("template").path("spec");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("wgguard");
    assertThat(
            pod.path("affinity")
                .path("podAntiAffinity")
                .path("preferredDuringSchedulingIgnoredDuringExecution")
                .get(0)
                .path("podAffinityTerm")
                .path("topologyKey")
                .asText())
        .isEqualTo("kubernetes.io/hostname");
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText())
        .isEqualTo("RuntimeDefault");
    JsonNode container = pod.path("containers").get(0);
    assertHardened(container);
    assertThat(port(container, "webhook")).isEqualTo(8443);
    assertThat(port(container, "management")).isEqualTo(9000);
    assertThat(container.path("startupProbe").path("httpGet").path("path").asText())
        .isEqualTo("/q/health/started");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/q/health/live");
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/q/health/ready");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(container.path(probe).path("httpGet").path("port").asText())
          .isEqualTo("management");
    }
    assertThat(env(container, "JAVA_OPTS").path("value").asText())
        .contains("-XX:MaxRAMPercentage=")
        .contains("-XX:+ExitOnOutOfMemoryError");
    assertThat(
            env(container, "POD_NAMESPACE")
                .path("valueFrom")
                .path("fieldRef")
                .path("fieldPath")
                .asText())
        .isEqualTo("metadata.namespace");
    assertThat(env(container, "WGGUARD_CHECKER_LEASE_NAMESPACE").path("value").asText())
        .isEqualTo("$(POD_NAMESPACE)");
    assertThat(env(container, "WGGUARD_TLS_CERT_FILE").path("value").asText())
        .isEqualTo("/etc/wgguard/tls/tls.crt");
    assertThat(env(container, "WGGUARD_TLS_KEY_FILE").path("value").asText())
        .isEqualTo("/etc/wgguard/tls/tls.key");
    // Restoration is on as shipped (README "Guarding the guard").
    assertThat(env(container, "WGGUARD_REGISTRATION_MODE").path("value").asText())
        .isEqualTo("restore");
    JsonNode tlsMount = mount(container, "tls");
    assertThat(tlsMount.path("mountPath").asText()).isEqualTo("/etc/wgguard/tls");
    assertThat(tlsMount.path("readOnly").asBoolean()).isTrue();
    // A subPath mount would never see the kubelet's update of a rotated Secret.
    assertThat(tlsMount.has("subPath")).isFalse();
    assertThat(volume(deployment, "tls").path("secret").path("secretName").asText())
        .isEqualTo("wgguard-tls");
    assertThat(mount(container, "tmp").path("mountPath").asText()).isEqualTo("/tmp");
    assertThat(volume(deployment, "tmp").has("emptyDir")).isTrue();
    JsonNode annotations = spec.path("template").path("metadata").path("annotations");
    assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("9000");
    assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");

    JsonNode podLabels = spec.path("template").path("metadata").path("labels");
    JsonNode service = object("base", "Service", "wgguard").path("spec");
    assertSelects(service.path("selector"), podLabels);
    assertSelects(
        object("base", "PodDisruptionBudget", "wgguard")
            .path("spec")
            .path("selector")
            .path("matchLabels"),
        podLabels);
    Map<Integer, String> ports = new HashMap<>();
    service
        .path("ports")
        .forEach(p -> ports.put(p.path("port").asInt(), p.path("targetPort").asText()));
    assertThat(ports)
        .containsExactlyInAnyOrderEntriesOf(Map.of(443, "webhook", 9000, "management"));
  }

  @Test
  void theAgentRunsOnEveryNodeWithReadOnlyHostMountsAndItsOwnIdentity() {
    JsonNode daemonSet = object("base", "DaemonSet", "wgguard-agent");
    JsonNode pod = daemonSet.path("spec").path("template").path("spec");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("wgguard-agent");
    assertThat(pod.path("tolerations")).hasSize(1);
    assertThat(pod.path("tolerations").get(0).path("operator").asText()).isEqualTo("Exists");
    assertThat(pod.path("tolerations").get(0).has("key")).isFalse();
    assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText())
        .isEqualTo("RuntimeDefault");
    JsonNode container = pod.path("containers").get(0);
    // Its own main class on the image's jars, not Quarkus' launcher (bench/agent.sh).
    assertThat(String.join(" ", texts(container.path("command"))))
        .contains("io.wgguard.agent.AgentMain")
        .contains("/deployments/app/*:/deployments/lib/main/*");
    assertThat(container.has("args")).isFalse();
    // Tunnel source `device` runs `wg show` in the host's network namespace with NET_ADMIN, which
    // Kubernetes gives only to root; nothing else is added, and nothing can escalate.
    assertThat(env(container, "WGGUARD_AGENT_TUNNEL_SOURCE").path("value").asText())
        .isEqualTo("device");
    assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
    JsonNode security = container.path("securityContext");
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(security.path("privileged").asBoolean()).isFalse();
    assertThat(texts(security.path("capabilities").path("drop"))).containsExactly("ALL");
    assertThat(texts(security.path("capabilities").path("add"))).containsExactly("NET_ADMIN");
    assertThat(container.path("resources").path("requests").path("memory").asText())
        .isEqualTo("64Mi");
    assertThat(env(container, "WGGUARD_AGENT_HOST_ROOT").path("value").asText()).isEqualTo("/host");
    assertThat(
            env(container, "NODE_NAME")
                .path("valueFrom")
                .path("fieldRef")
                .path("fieldPath")
                .asText())
        .isEqualTo("spec.nodeName");
    for (String[] hostPath : new String[][] {{"host-sys", "/sys"}, {"host-proc", "/proc"}}) {
      JsonNode mount = mount(container, hostPath[0]);
      assertThat(mount.path("mountPath").asText()).isEqualTo("/host" + hostPath[1]);
      assertThat(mount.path("readOnly").asBoolean()).isTrue();
      assertThat(volume(daemonSet, hostPath[0]).path("hostPath").path("path").asText())
          .isEqualTo(hostPath[1]);
    }
    // The Service must not route admission requests to agent pods.
    JsonNode agentLabels = daemonSet.path("spec").path("template").path("metadata").path("labels");
    JsonNode selector = object("base", "Service", "wgguard").path("spec").path("selector");
    assertThat(matches(selector, agentLabels)).isFalse();
  }

  @Test
  void theComponentsServeFromTheHostNetworkAndAdmitOnlyTheApiServer() throws IOException {
    Path dir = repo.resolve("target/components-it");
    Files.createDirectories(dir);
    // kustomize wants paths relative to the kustomization: computed, so they stay in the clone.
    Files.writeString(
        dir.resolve("kustomization.yaml"),
        """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - %s
        components:
          - %s
          - %s
        """
            .formatted(
                dir.relativize(repo.resolve("manifests/base")),
                dir.relativize(repo.resolve("manifests/components/host-network")),
                dir.relativize(repo.resolve("manifests/components/network-policy"))));
    List<JsonNode> objects = kustomize("target/components-it");
    JsonNode pod =
        objects.stream()
            .filter(o -> "Deployment".equals(o.path("kind").asText()))
            .findFirst()
            .orElseThrow()
            .path("spec")
            .path("template")
            .path("spec");
    assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
    assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("system-cluster-critical");
    JsonNode container = pod.path("containers").get(0);
    List<String> ports = new ArrayList<>();
    container
        .path("ports")
        .forEach(p -> ports.add(p.path("name").asText() + ":" + p.path("containerPort").asInt()));
    // Not the agent's 9001 (also on the host network), nor 8443/9000.
    assertThat(ports).containsExactly("webhook:9443", "management:9002");
    assertThat(env(container, "QUARKUS_HTTP_SSL_PORT").path("value").asText()).isEqualTo("9443");
    assertThat(env(container, "QUARKUS_MANAGEMENT_PORT").path("value").asText()).isEqualTo("9002");
    List<String> tolerated = new ArrayList<>();
    pod.path("tolerations").forEach(t -> tolerated.add(t.path("key").asText()));
    assertThat(tolerated)
        .contains(
            "wgguard.io/wireguard-not-ready",
            "node.kubernetes.io/not-ready",
            "node.kubernetes.io/network-unavailable");
    assertThat(
            pod.path("affinity")
                .path("podAntiAffinity")
                .path("requiredDuringSchedulingIgnoredDuringExecution"))
        .hasSize(1);
    JsonNode policy =
        objects.stream()
            .filter(o -> "NetworkPolicy".equals(o.path("kind").asText()))
            .findFirst()
            .orElseThrow()
            .path("spec");
    JsonNode webhookRule = policy.path("ingress").get(0);
    assertThat(webhookRule.path("ports").get(0).path("port").asText()).isEqualTo("webhook");
    assertThat(webhookRule.path("from").get(0).path("ipBlock").path("cidr").asText()).isNotEmpty();
    assertThat(policy.path("ingress").get(1).path("from").isMissingNode()).isTrue();
  }

  @Test
  void theMonitoringRulesAlertOnPostureAdmissionErrorsAndAbsence() {
    List<String> expressions = new ArrayList<>();
    object("monitoring", "PrometheusRule", "wgguard")
        .path("spec")
        .path("groups")
        .forEach(g -> g.path("rules").forEach(r -> expressions.add(r.path("expr").asText())));
    assertThat(expressions)
        .anyMatch(e -> e.contains("wgguard_nodes{state=\"not-ready\"}") && e.endsWith("> 0"))
        .anyMatch(e -> e.contains("wgguard_safety_brake_engaged") && e.endsWith("== 1"))
        .anyMatch(
            e -> e.contains("wgguard_posture{posture=\"wireguard-off\"}") && e.endsWith("== 1"))
        .anyMatch(
            e ->
                e.contains("rate(wgguard_admission_requests_total{decision=\"error\"}[5m])")
                    && e.endsWith("> 0"))
        .anyMatch(e -> e.startsWith("absent(up{job=\"wgguard\""))
        .anyMatch(
            e -> e.contains("wgguard_wireguard_forced_off_by_environment") && e.endsWith("> 0"))
        .anyMatch(e -> e.contains("wgguard_guard_in_place") && e.endsWith("== 0"))
        .anyMatch(
            e -> e.contains("wgguard_switch_offs_without_override_total") && e.endsWith("> 0"))
        .anyMatch(e -> e.contains("wgguard_registration_restores_total") && e.endsWith("> 0"))
        .anyMatch(e -> e.contains("wgguard_registration_break_glass") && e.endsWith("> 0"));
    JsonNode monitor = object("monitoring", "ServiceMonitor", "wgguard").path("spec");
    assertThat(monitor.path("endpoints").get(0).path("port").asText()).isEqualTo("metrics");
    assertThat(monitor.path("endpoints").get(0).path("path").asText()).isEqualTo("/q/metrics");
    assertSelects(
        monitor.path("selector").path("matchLabels"),
        object("base", "Service", "wgguard").path("metadata").path("labels"));
  }

  @Test
  void theSelfSignedInstallIsAcceptedByTheApiServerAndTheFelixWebhookIsLive() throws Exception {
    Applied applied = applyServerSide("self-signed");
    List<String> skipped = applied.skipped();
    // kube-apiserver 1.20 predates policy/v1 (1.21); every other object of the install it serves.
    assertThat(skipped)
        .containsExactlyElementsOf(
            admin.supports("policy/v1", "PodDisruptionBudget")
                ? List.of()
                : List.of("PodDisruptionBudget/wgguard-system/wgguard (policy/v1)"));
    KubeCluster.Result apply = applied.result();
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    assertThat(admin.apps().deployments().inNamespace(NS).withName("wgguard").get()).isNotNull();
    assertThat(admin.apps().daemonSets().inNamespace(NS).withName("wgguard-agent").get())
        .isNotNull();
    assertThat(
            admin
                .admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .withName("wgguard")
                .get()
                .getWebhooks()
                .get(0)
                .getClientConfig()
                .getCaBundle())
        .isEqualTo(
            Base64.getEncoder()
                .encodeToString(Files.readAllBytes(repo.resolve("certs/out/ca.crt"))));

    // Registered and failing closed: no replica serves it here, so Felix writes are refused.
    KubeCluster.Result write =
        cluster.kubectl(
            User.ADMIN,
            "patch",
            "felixconfiguration.crd.projectcalico.org",
            "default",
            "--type=merge",
            "-p",
            "{\"spec\":{\"logSeverityScreen\":\"Debug\"}}");
    assertThat(write.exitCode()).as(write.toString()).isNotZero();
    assertThat(write.stderr()).contains("failed calling webhook \"felixconfiguration.wgguard.io\"");
  }

  @Test
  void wgguardRunsOnTheServiceAccountTokenAlone() throws Exception {
    installed();
    wgguard =
        WgguardProcess.start(
            "install-it",
            wgguardKubeconfig,
            repo.resolve("certs/out"),
            // As the Deployment runs it: its own registrations watched and restored.
            Map.of("wgguard.checker.interval", "5s", "wgguard.registration.mode", "restore"));

    KubeCluster.await(SOON, "the lease", () -> status().path("taintWriter").asBoolean());
    // The registrations installed from the manifests, watched on the service account's rights by
    // name, trusting certs/out/ca.crt: in place, nothing to restore.
    KubeCluster.await(
        SOON, "the registrations seen", () -> status().path("guard").path("known").asBoolean());
    assertThat(status().path("guard").path("inPlace").asBoolean())
        .as(status().path("guard").toString())
        .isTrue();
    Lease lease = admin.leases().inNamespace(NS).withName("wgguard-leader").get();
    assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
    // Renewals are merge patches: a renewTime past the acquisition proves the patch is granted.
    Instant acquired = lease.getSpec().getAcquireTime().toInstant();
    KubeCluster.await(
        SOON,
        "a lease renewal",
        () ->
            admin
                .leases()
                .inNamespace(NS)
                .withName("wgguard-leader")
                .get()
                .getSpec()
                .getRenewTime()
                .toInstant()
                .isAfter(acquired.plusSeconds(1)));

    JsonNode status = status();
    assertThat(status.path("posture").asText()).isEqualTo("HEALTHY");
    assertThat(status.path("felixApiVersion").asText()).isEqualTo("crd.projectcalico.org/v1");
    assertThat(status.path("nodes")).hasSize(3);

    annotate(admin, "worker2", KEY_ANNOTATION, null);
    KubeCluster.await(
        SOON,
        "worker2 to be tainted",
        () -> taints(admin, "worker2").contains(TAINT + "=no-public-key:NoSchedule"));
    KubeCluster.await(
        SOON,
        "the Event",
        () ->
            admin.v1().events().inNamespace("default").list().getItems().stream()
                .anyMatch(
                    e ->
                        "worker2".equals(e.getInvolvedObject().getName())
                            && "WireGuardNotReady".equals(e.getReason())));
    annotate(admin, "worker2", KEY_ANNOTATION, SeedNodes.key("worker2"));
    KubeCluster.await(
        SOON,
        "worker2 to be untainted",
        () -> taints(admin, "worker2").stream().noneMatch(t -> t.startsWith(TAINT + "=")));
    assertThat(wgguard.get("/q/health/ready").statusCode()).isEqualTo(200);
    assertThat(wgguard.log()).doesNotContainIgnoringCase("forbidden");
  }

  @Test
  void theServiceAccountMayDoNothingElse() throws Exception {
    installed();
    for (String[] allowed :
        new String[][] {
          {"get", "nodes"},
          {"list", "nodes"},
          {"watch", "nodes"},
          {"patch", "nodes"},
          {"list", "felixconfigurations.crd.projectcalico.org"},
          {"watch", "felixconfigurations.projectcalico.org"},
          {"list", "blockaffinities.crd.projectcalico.org"},
          {"watch", "blockaffinities.crd.projectcalico.org"},
          {"create", "events", "-n", "default"},
          {"create", "leases.coordination.k8s.io", "-n", NS},
          {"patch", "leases.coordination.k8s.io/wgguard-leader", "-n", NS},
          // The agents' Leases, read to tell a live agent from a silent one (issue 24).
          {"list", "leases.coordination.k8s.io", "-n", NS},
          {"watch", "leases.coordination.k8s.io", "-n", NS},
          {"watch", "daemonsets.apps/calico-node", "-n", "calico-system"},
          {"get", "daemonsets.apps/calico-node", "-n", "kube-system"},
          {"update", "validatingwebhookconfigurations/wgguard"},
          {"watch", "validatingwebhookconfigurations/wgguard-pods"},
          {"create", "validatingwebhookconfigurations"},
        }) {
      assertThat(canI(wgguardKubeconfig, allowed)).as(String.join(" ", allowed)).isTrue();
    }
    for (String[] refused :
        new String[][] {
          {"delete", "nodes"},
          {"update", "nodes"},
          {"create", "nodes"},
          {"patch", "nodes", "--subresource=status"},
          {"list", "secrets", "--all-namespaces"},
          {"get", "secrets", "-n", NS},
          {"patch", "felixconfigurations.crd.projectcalico.org"},
          {"update", "felixconfigurations.projectcalico.org"},
          {"get", "blockaffinities.crd.projectcalico.org"},
          {"update", "blockaffinities.crd.projectcalico.org"},
          {"delete", "felixconfigurations.crd.projectcalico.org"},
          {"patch", "events", "-n", "default"},
          {"create", "events", "-n", NS},
          {"get", "leases.coordination.k8s.io/kube-controller-manager", "-n", NS},
          {"delete", "leases.coordination.k8s.io/wgguard-leader", "-n", NS},
          {"update", "leases.coordination.k8s.io/wgguard-agent-worker1", "-n", NS},
          {"list", "leases.coordination.k8s.io", "-n", "kube-system"},
          {"create", "pods", "-n", NS},
          {"patch", "validatingwebhookconfigurations"},
          {"delete", "validatingwebhookconfigurations/wgguard"},
          {"update", "validatingwebhookconfigurations/someone-elses"},
          {"list", "validatingwebhookconfigurations"},
          {"update", "mutatingwebhookconfigurations/wgguard"},
          {"create", "serviceaccounts", "--subresource=token", "-n", NS},
          {"bind", "clusterroles"},
          {"list", "daemonsets.apps", "-n", "kube-system"},
          {"get", "daemonsets.apps/wgguard-agent", "-n", NS},
          {"patch", "daemonsets.apps/calico-node", "-n", "kube-system"},
          {"get", "configmaps", "-n", "kube-system"},
          {"*", "*"},
        }) {
      assertThat(canI(wgguardKubeconfig, refused)).as(String.join(" ", refused)).isFalse();
    }

    // Exhaustive: every rule it holds in these namespaces, beyond what any authenticated user has.
    Set<String> clusterWide = WGGUARD_RULES_CLUSTER_WIDE;
    assertThat(extraRules(wgguardKubeconfig, NS))
        .containsExactlyInAnyOrderElementsOf(
            plus(
                clusterWide,
                "coordination.k8s.io|leases||create",
                "coordination.k8s.io|leases||list",
                "coordination.k8s.io|leases||watch",
                "coordination.k8s.io|leases|wgguard-leader|get",
                "coordination.k8s.io|leases|wgguard-leader|patch"));
    assertThat(extraRules(wgguardKubeconfig, "default"))
        .containsExactlyInAnyOrderElementsOf(plus(clusterWide, "|events||create"));
    assertThat(extraRules(wgguardKubeconfig, "kube-system"))
        .containsExactlyInAnyOrderElementsOf(clusterWide);

    try (KubernetesClient asWgguard = client(wgguardKubeconfig)) {
      assertRefused(() -> asWgguard.secrets().inAnyNamespace().list());
      assertRefused(() -> asWgguard.apps().daemonSets().inNamespace("kube-system").list());
      // The checker's own list: by name, which RBAC authorizes against resourceNames.
      assertThat(
              asWgguard
                  .apps()
                  .daemonSets()
                  .inNamespace("kube-system")
                  .withField("metadata.name", "calico-node")
                  .list()
                  .getItems())
          .isEmpty();
      assertRefused(() -> asWgguard.nodes().withName("worker1").delete());
      assertRefused(
          () ->
              asWgguard
                  .genericKubernetesResources("crd.projectcalico.org/v1", "FelixConfiguration")
                  .withName("default")
                  .delete());
    }
  }

  @Test
  void theAgentMayOnlyReadNodesAndFelixConfigurationsWriteNodeStatusAndRenewItsLease()
      throws Exception {
    installed();
    // get, list and watch: the agent watches its own node (field selector) and the
    // FelixConfigurations instead of GETting them every round.
    for (String verb : List.of("get", "list", "watch")) {
      assertThat(canI(agentKubeconfig, verb, "nodes")).as(verb + " nodes").isTrue();
      assertThat(canI(agentKubeconfig, verb, "felixconfigurations.crd.projectcalico.org"))
          .as(verb + " felixconfigurations")
          .isTrue();
    }
    assertThat(canI(agentKubeconfig, "patch", "nodes", "--subresource=status")).isTrue();
    for (String[] refused :
        new String[][] {
          {"patch", "nodes"},
          {"update", "nodes"},
          {"update", "nodes", "--subresource=status"},
          {"delete", "nodes"},
          {"patch", "felixconfigurations.crd.projectcalico.org"},
          {"create", "events", "-n", "default"},
          {"get", "secrets", "-n", NS},
          {"list", "pods", "-A"},
          // Its Lease: get, create and update in wgguard's namespace, nothing else.
          {"list", "leases.coordination.k8s.io", "-n", NS},
          {"watch", "leases.coordination.k8s.io", "-n", NS},
          {"delete", "leases.coordination.k8s.io/wgguard-agent-worker1", "-n", NS},
          {"patch", "leases.coordination.k8s.io/wgguard-leader", "-n", NS},
          {"create", "leases.coordination.k8s.io", "-n", "default"},
        }) {
      assertThat(canI(agentKubeconfig, refused)).as(String.join(" ", refused)).isFalse();
    }
    for (String verb : List.of("get", "create", "update")) {
      assertThat(canI(agentKubeconfig, verb, "leases.coordination.k8s.io", "-n", NS))
          .as(verb + " leases")
          .isTrue();
    }
    List<String> agentRules =
        List.of(
            "|nodes||get",
            "|nodes||list",
            "|nodes||watch",
            "|nodes/status||patch",
            "crd.projectcalico.org|felixconfigurations||get",
            "crd.projectcalico.org|felixconfigurations||list",
            "crd.projectcalico.org|felixconfigurations||watch");
    assertThat(extraRules(agentKubeconfig, "default"))
        .containsExactlyInAnyOrderElementsOf(agentRules);
    assertThat(extraRules(agentKubeconfig, NS))
        .containsExactlyInAnyOrderElementsOf(
            plus(
                Set.copyOf(agentRules),
                "coordination.k8s.io|leases||get",
                "coordination.k8s.io|leases||create",
                "coordination.k8s.io|leases||update"));
  }

  // Rendering.

  static List<JsonNode> kustomize(String dir) throws IOException {
    String yaml =
        run(repo, List.of(KubeCluster.kubectlBinary().toString(), "kustomize", dir)).trim();
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isEmpty()) {
          objects.add(doc);
        }
      }
    }
    return objects;
  }

  static String id(JsonNode object) {
    JsonNode metadata = object.path("metadata");
    return object.path("kind").asText()
        + "/"
        + metadata.path("namespace").asText("")
        + "/"
        + metadata.path("name").asText();
  }

  static List<String> ids(String overlay) {
    return rendered.get(overlay).stream().map(InstallIT::id).toList();
  }

  static JsonNode object(String overlay, String kind, String name) {
    return rendered.get(overlay).stream()
        .filter(
            o ->
                kind.equals(o.path("kind").asText())
                    && name.equals(o.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(overlay + " renders no " + kind + " " + name));
  }

  static JsonNode single(JsonNode webhookConfiguration) {
    assertThat(webhookConfiguration.path("webhooks")).hasSize(1);
    return webhookConfiguration.path("webhooks").get(0);
  }

  static void assertCommonWebhookSettings(JsonNode webhook, String path) {
    assertThat(webhook.path("sideEffects").asText()).isEqualTo("None");
    assertThat(webhook.path("timeoutSeconds").asInt()).isEqualTo(5);
    assertThat(webhook.path("matchPolicy").asText()).isEqualTo("Equivalent");
    assertThat(texts(webhook.path("admissionReviewVersions"))).containsExactly("v1");
    JsonNode service = webhook.path("clientConfig").path("service");
    assertThat(service.path("name").asText()).isEqualTo("wgguard");
    assertThat(service.path("namespace").asText()).isEqualTo(NS);
    assertThat(service.path("path").asText()).isEqualTo(path);
    assertThat(service.path("port").asInt()).isEqualTo(443);
  }

  static void assertHardened(JsonNode container) {
    JsonNode security = container.path("securityContext");
    assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(texts(security.path("capabilities").path("drop"))).containsExactly("ALL");
    assertThat(security.path("capabilities").has("add")).isFalse();
    assertThat(security.path("privileged").asBoolean()).isFalse();
    for (String bound : List.of("requests", "limits")) {
      assertThat(container.path("resources").path(bound).path("cpu").asText()).isNotEmpty();
      assertThat(container.path("resources").path(bound).path("memory").asText()).isNotEmpty();
    }
    assertThat(mount(container, "tmp").path("mountPath").asText()).isEqualTo("/tmp");
  }

  static int port(JsonNode container, String name) {
    for (JsonNode port : container.path("ports")) {
      if (name.equals(port.path("name").asText())) {
        return port.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no port " + name);
  }

  static JsonNode env(JsonNode container, String name) {
    for (JsonNode env : container.path("env")) {
      if (name.equals(env.path("name").asText())) {
        return env;
      }
    }
    throw new AssertionError("no env " + name);
  }

  static JsonNode mount(JsonNode container, String name) {
    for (JsonNode mount : container.path("volumeMounts")) {
      if (name.equals(mount.path("name").asText())) {
        return mount;
      }
    }
    throw new AssertionError("no volume mount " + name);
  }

  static JsonNode volume(JsonNode workload, String name) {
    for (JsonNode volume : workload.path("spec").path("template").path("spec").path("volumes")) {
      if (name.equals(volume.path("name").asText())) {
        return volume;
      }
    }
    throw new AssertionError("no volume " + name);
  }

  static void assertSelects(JsonNode selector, JsonNode labels) {
    assertThat(selector.size()).isPositive();
    assertThat(matches(selector, labels)).as(selector + " selects " + labels).isTrue();
  }

  static boolean matches(JsonNode selector, JsonNode labels) {
    List<String> keys = new ArrayList<>();
    selector.fieldNames().forEachRemaining(keys::add);
    return keys.stream()
        .allMatch(k -> selector.path(k).asText().equals(labels.path(k).asText(null)));
  }

  static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  @SafeVarargs
  static <T> List<T> plus(Collection<T> base, T... more) {
    List<T> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  // The identities.

  static String token(String serviceAccount) {
    KubeCluster.Result token =
        cluster.kubectl(User.ADMIN, "create", "token", serviceAccount, "-n", NS, "--duration=1h");
    assertThat(token.exitCode()).as(token.toString()).isZero();
    return token.stdout().trim();
  }

  static boolean canI(Path kubeconfig, String... request) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i"));
    args.addAll(List.of(request));
    KubeCluster.Result answer = cluster.kubectlWith(kubeconfig, null, args.toArray(String[]::new));
    String said = answer.stdout().trim();
    if (answer.exitCode() == 0 && said.equals("yes")) {
      return true;
    }
    if (answer.exitCode() == 1 && said.startsWith("no")) {
      return false;
    }
    throw new AssertionError("kubectl auth can-i " + args + ": " + answer);
  }

  /**
   * The identity's resource rules in a namespace as {@code group|resource|name|verb}, minus those
   * every authenticated user has (measured on a user bound to nothing).
   */
  static Set<String> extraRules(Path kubeconfig, String namespace) throws IOException {
    Set<String> rules = rules(kubeconfig, namespace);
    rules.removeAll(rules(cluster.kubeconfig(User.EDITOR), namespace));
    return rules;
  }

  static Set<String> rules(Path kubeconfig, String namespace) throws IOException {
    try (KubernetesClient client = client(kubeconfig)) {
      SelfSubjectRulesReview review =
          client
              .authorization()
              .v1()
              .selfSubjectRulesReview()
              .create(
                  new SelfSubjectRulesReviewBuilder()
                      .withNewSpec()
                      .withNamespace(namespace)
                      .endSpec()
                      .build());
      assertThat(review.getStatus().getIncomplete()).isFalse();
      Set<String> rules = new TreeSet<>();
      for (ResourceRule rule : review.getStatus().getResourceRules()) {
        List<String> names =
            rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                ? List.of("")
                : rule.getResourceNames();
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            for (String name : names) {
              for (String verb : rule.getVerbs()) {
                rules.add(group + "|" + resource + "|" + name + "|" + verb);
              }
            }
          }
        }
      }
      return rules;
    }
  }

  static KubernetesClient client(Path kubeconfig) throws IOException {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
        .build();
  }

  static void assertRefused(ThrowingCallable call) {
    try {
      call.call();
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403);
      return;
    } catch (Throwable e) {
      throw new AssertionError("expected 403, got " + e, e);
    }
    throw new AssertionError("expected 403, but the request was allowed");
  }

  static JsonNode status() {
    try {
      return JSON.readTree(wgguard.get("/status").body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // Files and processes.

  static void copyTree(Path from, Path to, Path skip) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path relative = from.relativize(file);
        if (relative.startsWith(skip)) {
          continue;
        }
        Path target = to.resolve(relative.toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  static String run(Path dir, List<String> command) throws IOException {
    Path out = Files.createTempFile("wgguard-install-", ".out");
    Path err = Files.createTempFile("wgguard-install-", ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    // The defaults a user gets: no namespace, service or overlay directory of the caller's.
    builder.environment().keySet().removeIf(k -> k.startsWith("WGGUARD_"));
    try {
      Process process = builder.start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " timed out");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            command
                + " failed with "
                + process.exitValue()
                + ":\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
