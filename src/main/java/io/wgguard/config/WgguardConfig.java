package io.wgguard.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** All of wgguard's configuration, under the prefix {@code wgguard}. */
@ConfigMapping(prefix = "wgguard")
public interface WgguardConfig {

  /** FelixConfiguration admission. */
  Admission admission();

  /** Change-control overrides that allow switching WireGuard off. */
  Override override();

  /** The webhook's serving certificate. */
  Tls tls();

  /** Serving certificate settings. */
  interface Tls {

    /** PEM certificate (chain) served on the webhook port. */
    @WithDefault("/etc/wgguard/tls/tls.crt")
    String certFile();

    /** PEM private key (PKCS#8, PKCS#1 or SEC1) of the certificate. */
    @WithDefault("/etc/wgguard/tls/tls.key")
    String keyFile();

    /**
     * How often the files are checked for a new pair. A changed pair is served from the next TLS
     * handshake on; a pair that does not load or match is ignored and the current one kept.
     */
    @WithDefault("10s")
    Duration reloadPeriod();
  }

  /** FelixConfiguration admission settings. */
  interface Admission {

    /**
     * {@code enforce} refuses writes that would switch WireGuard off without a valid override;
     * {@code warn} allows them with a warning and audit annotations (for a first rollout).
     */
    @WithDefault("enforce")
    EnforcementMode mode();

    /**
     * Also guard {@code wireguardHostEncryptionEnabled} (host-to-host traffic), not only {@code
     * wireguardEnabled} and {@code wireguardEnabledV6}.
     */
    @WithDefault("false")
    boolean guardHostEncryption();

    /**
     * Largest AdmissionReview body accepted, in bytes. Larger bodies get HTTP 413 before any
     * parsing. Kubernetes objects are at most about 1.5 MiB and a review holds two of them.
     */
    @WithDefault("4194304")
    int maxBodyBytes();
  }

  /** Override settings. */
  interface Override {

    /** Regular expression a change ticket in the {@code wgguard.io/override} label must match. */
    @WithDefault("^[A-Z][A-Z0-9]*-[0-9]+$")
    String ticketPattern();

    /** Refuse overrides that have no {@code wgguard.io/override-expires} annotation. */
    @WithDefault("false")
    boolean requireExpiry();

    /**
     * Longest time ahead an {@code wgguard.io/override-expires} may lie, e.g. {@code 24h}. Unset:
     * any future time is accepted.
     */
    Optional<Duration> maxWindow();

    /**
     * Users allowed to use an override (exact {@code userInfo.username}). When neither users nor
     * groups are set, anyone who can write the object may use a valid override.
     */
    Optional<List<String>> users();

    /** Groups allowed to use an override (any of {@code userInfo.groups}). */
    Optional<List<String>> groups();

    /**
     * Users that relay writes already judged at the {@code projectcalico.org/v3} API, such as
     * calico-apiserver's service account writing the {@code crd.projectcalico.org/v1} object. For
     * them the ticket and expiry are still checked but not the requester, which only the v3 request
     * carries.
     */
    @WithDefault("system:serviceaccount:calico-apiserver:calico-apiserver")
    List<String> relayUsers();
  }
}
