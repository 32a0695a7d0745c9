package io.wgguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.TestHttps;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/**
 * Rotating the serving certificate the way the README says (certs/generate.sh, then the files
 * change under a running wgguard): requests keep succeeding and the new certificate is served.
 */
class CertificateRotationIT {

  @Test
  void swappingThePemFilesWhileRequestsRunFailsNoRequest() throws Exception {
    Path tls = Files.createTempDirectory("wgguard-rotation-");
    for (String file : List.of("ca.crt", "ca.key", "tls.crt", "tls.key")) {
      Files.copy(WgguardProcess.TEST_TLS.resolve(file), tls.resolve(file));
    }
    // No API server here: readiness would wait for it, so point the client at nothing and only
    // use the webhook port, which does not need it.
    Path kubeconfig = tls.resolve("none.kubeconfig");
    Files.writeString(
        kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: 'https://127.0.0.1:1'}}]\n"
            + "users: [{name: x, user: {}}]\ncontexts: [{name: x, context: {cluster: x, user: x}}]\n"
            + "current-context: x\n");
    try (WgguardProcess wgguard =
        WgguardProcess.startLive(
            "rotation-it", kubeconfig, tls, Map.of("wgguard.tls.reload-period", "1s"))) {
      String url = wgguard.webhookBase() + "/admission/felixconfiguration";
      byte[] body =
          Files.readAllBytes(Path.of("src/test/resources/reviews/update-default-disable.json"));
      BigInteger before = servedSerial(tls.resolve("ca.crt"), url, body);

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      Map<BigInteger, Integer> serials = new ConcurrentHashMap<>();
      Thread load =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    HttpClient fresh = TestHttps.client(tls.resolve("ca.crt"));
                    HttpResponse<String> response = send(fresh, url, body);
                    if (response.statusCode() == 200
                        && response.body().contains("\"allowed\":false")) {
                      ok.incrementAndGet();
                      serials.merge(serial(response.sslSession().orElseThrow()), 1, Integer::sum);
                    } else {
                      failures.add(response.statusCode() + " " + response.body());
                    }
                  } catch (Exception e) {
                    failures.add(e.toString());
                  }
                }
              });
      load.start();
      Thread.sleep(500);

      Path staging = Files.createTempDirectory("wgguard-rotation-out-");
      Files.copy(tls.resolve("ca.crt"), staging.resolve("ca.crt"));
      Files.copy(tls.resolve("ca.key"), staging.resolve("ca.key"));
      Process generate =
          new ProcessBuilder("bash", "certs/generate.sh", staging.toString())
              .redirectErrorStream(true)
              .start();
      assertThat(generate.waitFor())
          .as(new String(generate.getInputStream().readAllBytes()))
          .isZero();
      Files.copy(staging.resolve("tls.key"), tls.resolve("tls.key.tmp"));
      Files.copy(staging.resolve("tls.crt"), tls.resolve("tls.crt.tmp"));
      Files.move(
          tls.resolve("tls.key.tmp"), tls.resolve("tls.key"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(
          tls.resolve("tls.crt.tmp"), tls.resolve("tls.crt"), StandardCopyOption.ATOMIC_MOVE);

      KubeCluster.await(
          Duration.ofSeconds(20),
          "the new certificate to be served",
          () -> !servedSerial(tls.resolve("ca.crt"), url, body).equals(before));
      // The load's own requests must reach the new certificate too. Waited for, not slept on: on
      // a busy machine each fresh TLS handshake takes long (a fixed 500 ms and "more than 10
      // requests" failed with both cores kept busy).
      KubeCluster.await(
          Duration.ofSeconds(60),
          "the load to be served both certificates",
          () -> serials.size() >= 2);
      running.set(false);
      load.join();

      assertThat(failures).as("failed requests during rotation").isEmpty();
      assertThat(serials)
          .as("both certificates served during the run")
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(serials.values().stream().mapToInt(Integer::intValue).sum())
          .as("every answered request counted under its certificate")
          .isEqualTo(ok.get());

      // A key that does not belong to the certificate (a half-finished rotation) is refused and
      // the pair in service stays.
      BigInteger rotated = servedSerial(tls.resolve("ca.crt"), url, body);
      Files.copy(
          WgguardProcess.TEST_TLS.resolve("tls.key"),
          tls.resolve("tls.key"),
          StandardCopyOption.REPLACE_EXISTING);
      KubeCluster.await(
          Duration.ofSeconds(20),
          "the mismatched key to be refused",
          () ->
              wgguard.log().contains("serving certificate not reloaded, keeping the current one"));
      assertThat(wgguard.log()).contains("is not the key of the certificate in");
      assertThat(servedSerial(tls.resolve("ca.crt"), url, body)).isEqualTo(rotated);
    }
  }

  private static BigInteger servedSerial(Path ca, String url, byte[] body) {
    try {
      // A fresh client per probe: a pooled connection would keep the old TLS session.
      return serial(send(TestHttps.client(ca), url, body).sslSession().orElseThrow());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> send(HttpClient client, String url, byte[] body)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static BigInteger serial(SSLSession session) throws Exception {
    return ((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber();
  }
}
