package io.wgguard.felix;

import io.wgguard.Names;
import java.util.List;

/**
 * Which FelixConfiguration API group Felix reads, as {@code wgguard.checker.felix-group} names it.
 * Calico stores FelixConfigurations as {@code crd.projectcalico.org/v1} CRDs; in its "v3 CRD mode"
 * (Calico 3.32 and later, no calico-apiserver) they are {@code projectcalico.org/v3} CRDs.
 */
public enum FelixGroup {
  /** {@code crd.projectcalico.org} when it is served, else {@code projectcalico.org}. */
  AUTO("auto"),
  /** The classic storage CRDs. */
  CRD(Names.CALICO_CRD_GROUP),
  /** The v3 CRDs. */
  V3(Names.CALICO_V3_GROUP);

  private final String wire;

  FelixGroup(String wire) {
    this.wire = wire;
  }

  /** The setting's spelling. */
  public String wire() {
    return wire;
  }

  /** The API versions to read, in order of preference. */
  public List<String> apiVersions() {
    return switch (this) {
      case AUTO -> List.of(Names.CALICO_CRD_GROUP + "/v1", Names.CALICO_V3_GROUP + "/v3");
      case CRD -> List.of(Names.CALICO_CRD_GROUP + "/v1");
      case V3 -> List.of(Names.CALICO_V3_GROUP + "/v3");
    };
  }

  /**
   * The group a setting names.
   *
   * @throws IllegalArgumentException naming the choices
   */
  public static FelixGroup fromWire(String wire) {
    for (FelixGroup group : values()) {
      if (group.wire.equals(wire.strip())) {
        return group;
      }
    }
    throw new IllegalArgumentException(
        ("'%s' is not a FelixConfiguration API group; use auto, crd.projectcalico.org or"
                + " projectcalico.org")
            .formatted(wire));
  }

  /** Reads the configuration's spelling; a bad value fails start-up naming the choices. */
  public static final class Converter
      implements org.eclipse.microprofile.config.spi.Converter<FelixGroup> {
    @Override
    public FelixGroup convert(String value) {
      return fromWire(value);
    }
  }
}
