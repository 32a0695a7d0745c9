package io.wgguard.policy;

import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixPath;
import java.util.List;

/**
 * One FelixConfiguration admission request, as the policy sees it.
 *
 * @param operation what the client does
 * @param apiGroup {@code crd.projectcalico.org} or {@code projectcalico.org}
 * @param oldObject the stored object (UPDATE, DELETE), else null
 * @param newObject the object as it would be stored (CREATE, UPDATE), else null
 * @param user who asks
 * @param dryRun whether the API server will persist nothing
 * @param oldPath what the stored object asserts about the path into WireGuard, null when absent or
 *     not read
 * @param newPath the same of the new object
 */
public record AdmissionInput(
    Operation operation,
    String apiGroup,
    FelixObject oldObject,
    FelixObject newObject,
    Requester user,
    boolean dryRun,
    FelixPath oldPath,
    FelixPath newPath) {

  /** A request whose path fields are not read: judged by the guarded fields only. */
  public AdmissionInput(
      Operation operation,
      String apiGroup,
      FelixObject oldObject,
      FelixObject newObject,
      Requester user,
      boolean dryRun) {
    this(operation, apiGroup, oldObject, newObject, user, dryRun, null, null);
  }

  /** Admission operations. */
  public enum Operation {
    CREATE,
    UPDATE,
    DELETE,
    CONNECT
  }

  /**
   * The requester from {@code request.userInfo}.
   *
   * @param username the user name, empty when unknown
   * @param groups the user's groups
   */
  public record Requester(String username, List<String> groups) {
    public Requester {
      username = username == null ? "" : username;
      groups = List.copyOf(groups);
    }
  }

  /** The object a decision is about: the new one, or the old one on DELETE. */
  public FelixObject subject() {
    return newObject != null ? newObject : oldObject;
  }
}
