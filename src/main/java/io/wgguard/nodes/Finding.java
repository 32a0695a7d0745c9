package io.wgguard.nodes;

/**
 * One thing that keeps a node from being WireGuard-ready.
 *
 * @param reason the taint value it maps to
 * @param family the IP family concerned, or null for node-wide evidence (condition, label)
 * @param detail a sentence for people, naming the annotation, condition or label and the evidence
 */
public record Finding(NotReadyReason reason, IpFamily family, String detail) {}
