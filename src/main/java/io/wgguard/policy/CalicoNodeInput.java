package io.wgguard.policy;

import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.AdmissionInput.Requester;
import java.util.Optional;

/**
 * One write to a calico-node DaemonSet, as {@link CalicoNodePolicy} sees it.
 *
 * @param operation what the client does
 * @param oldObject the stored DaemonSet's environment (UPDATE), else null
 * @param newObject the written DaemonSet's environment (CREATE, UPDATE), else null
 * @param ticket the written object's {@code wgguard.io/override} label
 * @param expires the written object's {@code wgguard.io/override-expires} annotation
 * @param previousTicket the stored object's {@code wgguard.io/override} label (UPDATE)
 * @param user who asks
 * @param dryRun whether the API server will persist nothing
 */
public record CalicoNodeInput(
    Operation operation,
    CalicoNodeEnvironment oldObject,
    CalicoNodeEnvironment newObject,
    Optional<String> ticket,
    Optional<String> expires,
    Optional<String> previousTicket,
    Requester user,
    boolean dryRun) {}
