package io.wgguard.tls;

import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.wgguard.config.WgguardConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.jboss.logging.Logger;

/**
 * The webhook's serving certificate and key, read from PEM files and re-read when they change.
 *
 * <p>Rotation swaps what {@link #keyManager()} hands out per TLS handshake, so the HTTPS server is
 * never reconfigured and no connection sees a half-updated server. A pair that does not load or
 * does not match is refused and the previous one stays in service, so a half-written Secret update
 * never takes the webhook down.
 */
@ApplicationScoped
public class ServingCertificate {

  private static final Logger LOG = Logger.getLogger(ServingCertificate.class);
  private static final String[] KEY_TYPES = {"EC", "RSA", "EdDSA", "Ed25519", "RSASSA-PSS"};

  /** A loaded certificate chain and key; the alias names the generation. */
  record Material(long generation, X509Certificate[] chain, PrivateKey key, String digest) {
    String alias() {
      return "wgguard-" + generation;
    }
  }

  private final Path certFile;
  private final Path keyFile;
  private final Vertx vertx;
  private volatile Material current;
  private volatile Material previous;
  private volatile String lastError = "";
  private final X509ExtendedKeyManager keyManager = new RotatingKeyManager();

  public ServingCertificate(WgguardConfig config, Vertx vertx) {
    this.certFile = Path.of(config.tls().certFile());
    this.keyFile = Path.of(config.tls().keyFile());
    this.vertx = vertx;
    byte[][] files = readFiles();
    this.current = load(files, 1);
    LOG.infof("serving certificate loaded: %s", describe(current));
  }

  /** Re-reads the files; installs the new pair only when it changed and loads cleanly. */
  @Scheduled(
      every = "${wgguard.tls.reload-period}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void reloadIfChanged() {
    try {
      byte[][] files = readFiles();
      if (digest(files).equals(current.digest())) {
        return;
      }
      Material next = load(files, current.generation() + 1);
      previous = current;
      current = next;
      lastError = "";
      LOG.infof("serving certificate reloaded: %s", describe(next));
    } catch (IllegalStateException e) {
      if (!e.getMessage().equals(lastError)) {
        LOG.warnf("serving certificate not reloaded, keeping the current one: %s", e.getMessage());
      }
      lastError = e.getMessage();
    }
  }

  /** Hands out the current pair at each handshake. */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** The certificate in service. */
  public X509Certificate certificate() {
    return current.chain()[0];
  }

  /** The chain in service, leaf first. */
  public java.util.List<X509Certificate> chain() {
    return java.util.List.of(current.chain());
  }

  /** Why the last reload attempt failed, if it did. */
  public Optional<String> lastError() {
    return lastError.isEmpty() ? Optional.empty() : Optional.of(lastError);
  }

  private byte[][] readFiles() {
    try {
      return new byte[][] {Files.readAllBytes(certFile), Files.readAllBytes(keyFile)};
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the serving certificate or key (" + certFile + ", " + keyFile + "): " + e);
    }
  }

  private Material load(byte[][] files, long generation) {
    X509KeyManager parsed;
    try {
      parsed =
          (X509KeyManager)
              new PemKeyCertOptions()
                  .setCertValue(Buffer.buffer(files[0]))
                  .setKeyValue(Buffer.buffer(files[1]))
                  .getKeyManagerFactory(vertx)
                  .getKeyManagers()[0];
    } catch (Exception e) {
      throw new IllegalStateException(
          certFile
              + " and "
              + keyFile
              + " are not a PEM certificate and private key: "
              + e.getMessage());
    }
    for (String type : KEY_TYPES) {
      String[] aliases = parsed.getServerAliases(type, null);
      if (aliases != null && aliases.length > 0) {
        X509Certificate[] chain = parsed.getCertificateChain(aliases[0]);
        PrivateKey key = parsed.getPrivateKey(aliases[0]);
        requireMatch(chain[0], key);
        return new Material(generation, chain, key, digest(files));
      }
    }
    throw new IllegalStateException(certFile + " holds no certificate with a usable key type");
  }

  // A certificate paired with another key's file would fail every handshake: refuse it.
  private void requireMatch(X509Certificate certificate, PrivateKey key) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] probe = "wgguard".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new IllegalStateException(
            keyFile + " is not the key of the certificate in " + certFile);
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(
          keyFile + " is not the key of the certificate in " + certFile);
    }
  }

  private static String digest(byte[][] files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(files[0]);
      sha.update(files[1]);
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(Material material) {
    X509Certificate cert = material.chain()[0];
    return "subject="
        + cert.getSubjectX500Principal().getName()
        + " serial="
        + cert.getSerialNumber().toString(16)
        + " notAfter="
        + cert.getNotAfter().toInstant()
        + (cert.getNotAfter().toInstant().isBefore(Instant.now()) ? " (EXPIRED)" : "");
  }

  private Material byAlias(String alias) {
    Material now = current;
    if (now.alias().equals(alias)) {
      return now;
    }
    Material before = previous;
    return before != null && before.alias().equals(alias) ? before : null;
  }

  /**
   * Chooses the current pair for a handshake; the alias pins the generation, so the chain and key
   * asked for next belong together even when a reload happens in between.
   */
  private final class RotatingKeyManager extends X509ExtendedKeyManager {

    private String choose(String keyType) {
      Material now = current;
      String algorithm = now.key().getAlgorithm();
      boolean fits =
          algorithm.equals(keyType)
              || ("RSA".equals(algorithm) && "RSASSA-PSS".equals(keyType))
              || ("EdDSA".equals(algorithm) && "Ed25519".equals(keyType));
      return fits ? now.alias() : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return choose(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return choose(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      String alias = choose(keyType);
      return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Material material = byAlias(alias);
      return material == null ? null : material.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Material material = byAlias(alias);
      return material == null ? null : material.key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
