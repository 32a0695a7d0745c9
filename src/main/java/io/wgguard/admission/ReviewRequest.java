package io.wgguard.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.AdmissionInput.Requester;

/**
 * The parts of an {@code admission.k8s.io/v1} AdmissionReview request that wgguard uses.
 *
 * @param uid {@code request.uid}, echoed in the response
 * @param group {@code request.kind.group}
 * @param kind {@code request.kind.kind}
 * @param operation {@code request.operation}
 * @param name {@code request.name}
 * @param namespace {@code request.namespace}, empty for cluster-scoped objects
 * @param object {@code request.object}, null when absent
 * @param oldObject {@code request.oldObject}, null when absent
 * @param user {@code request.userInfo}
 * @param dryRun {@code request.dryRun}
 * @param subResource {@code request.subResource}, e.g. {@code binding}; empty for the object itself
 */
public record ReviewRequest(
    String uid,
    String group,
    String kind,
    Operation operation,
    String name,
    String namespace,
    JsonNode object,
    JsonNode oldObject,
    Requester user,
    boolean dryRun,
    String subResource) {}
