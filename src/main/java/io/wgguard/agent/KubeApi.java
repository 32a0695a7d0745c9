package io.wgguard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The little of the Kubernetes API the agent uses, on the JDK's own HTTP client: GET, a streamed
 * GET for watches, PATCH, PUT and POST. No Kubernetes client library: the agent runs on every node,
 * and what a JVM loads decides what it costs there.
 *
 * <p>Credentials come from {@code KUBECONFIG} when it is set (tests, development: a bearer token
 * and a CA file or data), else from the pod's service account under {@code
 * /var/run/secrets/kubernetes.io/serviceaccount/}, whose token file the kubelet rotates: it is
 * re-read for every request.
 */
public final class KubeApi {

  /** Where the kubelet mounts the pod's service account. */
  public static final Path SERVICE_ACCOUNT =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI server;
  private final Supplier<String> token;
  private final HttpClient http;

  /** A failed request: the HTTP status and the API server's message. */
  public static final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
      super(message);
      this.status = status;
    }

    /** The HTTP status, 0 when no response came. */
    public int status() {
      return status;
    }
  }

  KubeApi(URI server, Supplier<String> token, SSLContext tls) {
    this.server = server;
    this.token = token;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
  }

  /**
   * From {@code KUBECONFIG} when set, else the service account.
   *
   * @throws IllegalStateException saying what is missing
   */
  public static KubeApi fromEnvironment(Map<String, String> env) {
    String kubeconfig = env.get("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      return fromKubeconfig(Path.of(kubeconfig.split(java.io.File.pathSeparator)[0]));
    }
    String host = env.get("KUBERNETES_SERVICE_HOST");
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    if (host == null || host.isBlank()) {
      throw new IllegalStateException(
          "no API server: neither KUBECONFIG nor KUBERNETES_SERVICE_HOST is set");
    }
    Path tokenFile = SERVICE_ACCOUNT.resolve("token");
    Path ca = SERVICE_ACCOUNT.resolve("ca.crt");
    if (!Files.isReadable(tokenFile) || !Files.isReadable(ca)) {
      throw new IllegalStateException(
          "no service account token or CA under "
              + SERVICE_ACCOUNT
              + " (automountServiceAccountToken?)");
    }
    String authority = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    return new KubeApi(
        URI.create("https://" + authority), () -> readToken(tokenFile), tls(read(ca)));
  }

  /**
   * From a kubeconfig's current context: {@code server}, {@code certificate-authority} or {@code
   * certificate-authority-data}, and a {@code token} or {@code tokenFile}.
   */
  public static KubeApi fromKubeconfig(Path file) {
    JsonNode config;
    try {
      // JSON is YAML too; reading it without the YAML parser keeps SnakeYAML out of the JVM.
      byte[] text = Files.readAllBytes(file);
      boolean json = new String(text, StandardCharsets.UTF_8).stripLeading().startsWith("{");
      config =
          json
              ? Json.read(text)
              : Json.read(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory(), text);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read kubeconfig " + file + ": " + e.getMessage());
    }
    String contextName = config.path("current-context").asText("");
    JsonNode context = named(config, "contexts", contextName, file).path("context");
    JsonNode cluster =
        named(config, "clusters", context.path("cluster").asText(""), file).path("cluster");
    JsonNode user = named(config, "users", context.path("user").asText(""), file).path("user");
    String server = cluster.path("server").asText("");
    if (server.isBlank()) {
      throw new IllegalStateException("kubeconfig " + file + ": cluster has no server");
    }
    byte[] ca = null;
    if (cluster.hasNonNull("certificate-authority-data")) {
      ca = Base64.getDecoder().decode(cluster.get("certificate-authority-data").asText());
    } else if (cluster.hasNonNull("certificate-authority")) {
      Path caFile = Path.of(cluster.get("certificate-authority").asText());
      ca = read(file.getParent() == null ? caFile : file.getParent().resolve(caFile));
    }
    Supplier<String> token;
    if (user.hasNonNull("token")) {
      String value = user.get("token").asText();
      token = () -> value;
    } else if (user.hasNonNull("tokenFile")) {
      Path tokenFile = Path.of(user.get("tokenFile").asText());
      token = () -> readToken(tokenFile);
    } else {
      throw new IllegalStateException(
          "kubeconfig "
              + file
              + ": user has no token or tokenFile; the agent authenticates with a"
              + " bearer token only");
    }
    return new KubeApi(
        URI.create(server.replaceAll("/+$", "")), token, ca == null ? null : tls(ca));
  }

  /** GETs a path and parses the JSON answer. */
  public JsonNode get(String path) {
    return send(request(path).GET().build());
  }

  /** PATCHes a path with a body of the given patch content type; returns the object written. */
  public JsonNode patch(String path, String contentType, String body) {
    return send(
        request(path)
            .header("Content-Type", contentType)
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** PUTs (replaces) the object at a path; returns the object written. */
  public JsonNode put(String path, String body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** POSTs (creates) an object into a collection; returns the object written. */
  public JsonNode post(String path, String body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /**
   * Opens a streamed GET (a watch): the caller reads one JSON event per line and closes the stream.
   *
   * @throws ApiException when the API server refuses it
   */
  public InputStream stream(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(server.resolve(path))
            .header("Accept", "application/json")
            .header("Authorization", "Bearer " + token.get())
            .GET()
            .build();
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() / 100 != 2) {
        String body;
        try (InputStream in = response.body()) {
          body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        throw failure(response.statusCode(), body);
      }
      return response.body();
    } catch (IOException e) {
      throw new ApiException(0, "cannot reach " + server + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted");
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json")
        .header("Authorization", "Bearer " + token.get());
  }

  private JsonNode send(HttpRequest request) {
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() / 100 != 2) {
        throw failure(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
      }
      return Json.read(response.body());
    } catch (IOException e) {
      throw new ApiException(0, "cannot reach " + server + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted");
    }
  }

  private static ApiException failure(int status, String body) {
    String message;
    try {
      message = Json.read(body).path("message").asText("");
    } catch (IOException e) {
      message = "";
    }
    if (message.isBlank()) {
      message = body.length() > 200 ? body.substring(0, 200) : body;
    }
    return new ApiException(status, "HTTP " + status + ": " + message);
  }

  private static JsonNode named(JsonNode config, String list, String name, Path file) {
    for (JsonNode entry : config.path(list)) {
      if (name.equals(entry.path("name").asText())) {
        return entry;
      }
    }
    throw new IllegalStateException(
        "kubeconfig " + file + ": no " + list + " entry '" + name + "'");
  }

  private static String readToken(Path file) {
    return new String(read(file), StandardCharsets.UTF_8).strip();
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static SSLContext tls(byte[] caPem) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate cert :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(caPem))) {
        trust.setCertificateEntry("ca" + i++, cert);
      }
      if (i == 0) {
        throw new IllegalStateException("the API server CA holds no certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot read the API server CA: " + e.getMessage());
    }
  }
}
