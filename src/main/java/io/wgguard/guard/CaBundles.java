package io.wgguard.guard;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a webhook's caBundle lets the API server trust the certificate wgguard serves: what the
 * API server does with it (the bundle's certificates are the roots, the served chain's others are
 * intermediates), with the JDK's PKIX validator at a given instant and no revocation check.
 */
public final class CaBundles {

  private CaBundles() {}

  /**
   * Why {@code pem} does not verify {@code chain} at {@code now}, empty when it does.
   *
   * @param pem the caBundle, PEM certificates
   * @param chain the served chain, leaf first
   */
  public static Optional<String> whyNotTrusted(
      String pem, List<X509Certificate> chain, Instant now) {
    if (pem.isBlank()) {
      return Optional.of("the caBundle is empty");
    }
    List<X509Certificate> roots;
    try {
      roots = parse(pem);
    } catch (GeneralSecurityException | RuntimeException e) {
      return Optional.of("the caBundle is not PEM certificates");
    }
    if (roots.isEmpty()) {
      return Optional.of("the caBundle holds no certificate");
    }
    // The path ends where a served certificate is itself one of the roots (a self-signed serving
    // certificate listed in the bundle, or a served intermediate the bundle trusts).
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate certificate : chain) {
      if (roots.contains(certificate)) {
        break;
      }
      path.add(certificate);
    }
    if (path.isEmpty()) {
      return within(chain.get(0), now);
    }
    try {
      Set<TrustAnchor> anchors = new HashSet<>();
      roots.forEach(root -> anchors.add(new TrustAnchor(root, null)));
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      return Optional.of(
          "the caBundle (%s) does not verify the serving certificate %s"
              .formatted(subjects(roots), chain.get(0).getSubjectX500Principal().getName()));
    }
  }

  private static Optional<String> within(X509Certificate certificate, Instant now) {
    try {
      certificate.checkValidity(Date.from(now));
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      return Optional.of("the serving certificate in the caBundle is outside its validity");
    }
  }

  /** The certificates of a PEM text. */
  public static List<X509Certificate> parse(String pem) throws GeneralSecurityException {
    Collection<? extends java.security.cert.Certificate> certificates =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    List<X509Certificate> x509 = new ArrayList<>();
    certificates.forEach(c -> x509.add((X509Certificate) c));
    return x509;
  }

  private static String subjects(List<X509Certificate> roots) {
    return String.join(
        "; ", roots.stream().limit(3).map(r -> r.getSubjectX500Principal().getName()).toList());
  }
}
