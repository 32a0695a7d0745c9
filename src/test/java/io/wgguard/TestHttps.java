package io.wgguard;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** An HTTPS client that trusts only the test CA, as the API server trusts the caBundle. */
public final class TestHttps {

  /** The webhook port Quarkus tests listen on (application.properties, WGGUARD_TEST_SSL_PORT). */
  public static final int SSL_PORT =
      Integer.parseInt(System.getenv().getOrDefault("WGGUARD_TEST_SSL_PORT", "18443"));

  /** The management port of Quarkus tests (WGGUARD_TEST_MANAGEMENT_PORT). */
  public static final int MANAGEMENT_PORT =
      Integer.parseInt(System.getenv().getOrDefault("WGGUARD_TEST_MANAGEMENT_PORT", "19000"));

  /** {@code https://localhost:<webhook port><path>}. */
  public static String webhook(String path) {
    return "https://localhost:" + SSL_PORT + path;
  }

  /** {@code http://localhost:<management port><path>}. */
  public static String management(String path) {
    return "http://localhost:" + MANAGEMENT_PORT + path;
  }

  private TestHttps() {}

  /** A client trusting the CA certificate in {@code caFile}. */
  public static HttpClient client(Path caFile) {
    return HttpClient.newBuilder()
        .sslContext(sslContext(caFile))
        // Generous: on a busy machine the first TLS handshakes with a fresh JVM take seconds.
        .connectTimeout(Duration.ofSeconds(60))
        .build();
  }

  /** A TLS context trusting only the CA certificate in {@code caFile}. */
  public static SSLContext sslContext(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build a test TLS context", e);
    }
  }

  /** A client trusting the committed test CA. */
  public static HttpClient client() {
    return client(Path.of("src/test/resources/tls/ca.crt"));
  }

  /** POSTs bytes and returns the response. */
  public static HttpResponse<String> post(HttpClient client, String url, byte[] body) {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("POST " + url + " failed", e);
    }
  }

  /** GETs a URL over plain HTTP or HTTPS. */
  public static HttpResponse<String> get(HttpClient client, String url) {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("GET " + url + " failed", e);
    }
  }
}
