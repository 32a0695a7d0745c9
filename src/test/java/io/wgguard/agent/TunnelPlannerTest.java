package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.tunnels.summary.TunnelSummary;
import io.wgguard.tunnels.summary.TunnelSummary.Device;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TunnelPlannerTest {

  static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  static final Instant RECENT = NOW.minusSeconds(60);
  static final Instant OLD = NOW.minusSeconds(181);
  static final String DEV = "c2v674NUleEWjJ7F7GPKlPNXVa9y8BzV9TnzuAw87yg=";
  static final String OTHER_DEV = "sJJPjxDTC+XGt/HWLH2rPWNDGBw9jeJ8mljb/f8S1mY=";
  static final String A = "AAAAAAAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=";
  static final String B = "BBBBBBBBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=";
  static final String C = "CCCCCCCCccccccccccccccccccccccccccccccccccc=";
  static final String D = "DDDDDDDDddddddddddddddddddddddddddddddddddd=";

  static WgDevice.Peer peer(String key, Instant handshake, long tx) {
    return new WgDevice.Peer(key, "192.0.2.9:51820", handshake, 0, tx);
  }

  static WgDevice dev(String key, WgDevice.Peer... peers) {
    return new WgDevice("wireguard.cali", key, 51820, Arrays.asList(peers));
  }

  static Device summary(int peers, String digest, int stale, String... named) {
    return new Device("wireguard.cali", true, DEV, 51820, peers, digest, stale, List.of(named));
  }

  static String digest(String... keys) {
    return TunnelSummary.peerDigest(List.of(keys));
  }

  static Stream<Arguments> readings() {
    return Stream.of(
        Arguments.of(
            "no device: published as missing", null, null, Device.missing("wireguard.cali")),
        Arguments.of(
            "a first reading names no stale peer: nothing to compare the counters with",
            dev(DEV, peer(A, null, 500)),
            null,
            summary(1, digest(A), 0)),
        Arguments.of(
            "traffic sent with a recent handshake is healthy",
            dev(DEV, peer(A, RECENT, 500)),
            dev(DEV, peer(A, RECENT, 100)),
            summary(1, digest(A), 0)),
        Arguments.of(
            "an idle peer with an old handshake is healthy: nothing was sent",
            dev(DEV, peer(A, OLD, 100)),
            dev(DEV, peer(A, OLD, 100)),
            summary(1, digest(A), 0)),
        Arguments.of(
            "traffic sent while the handshake is older than 180 s is stale",
            dev(DEV, peer(A, OLD, 500)),
            dev(DEV, peer(A, OLD, 100)),
            summary(1, digest(A), 1, "AAAAAAAA")),
        Arguments.of(
            "traffic sent to a peer that never completed a handshake is stale",
            dev(DEV, peer(A, null, 148), peer(B, RECENT, 9)),
            dev(DEV, peer(A, null, 0), peer(B, RECENT, 1)),
            summary(2, digest(A, B), 1, "AAAAAAAA")),
        Arguments.of(
            "a handshake exactly 180 s old is not yet stale",
            dev(DEV, peer(A, NOW.minusSeconds(180), 500)),
            dev(DEV, peer(A, NOW.minusSeconds(180), 100)),
            summary(1, digest(A), 0)),
        Arguments.of(
            "a peer new since the previous reading is not judged yet",
            dev(DEV, peer(A, null, 500)),
            dev(DEV, peer(B, null, 0)),
            summary(1, digest(A), 0)),
        Arguments.of(
            "a recreated device (new key, counters reset) is not compared with the old one",
            dev(DEV, peer(A, null, 500)),
            dev(OTHER_DEV, peer(A, null, 100)),
            summary(1, digest(A), 0)),
        Arguments.of(
            "four stale peers: all counted, three named, by key order",
            dev(DEV, peer(D, null, 9), peer(C, null, 9), peer(B, null, 9), peer(A, null, 9)),
            dev(DEV, peer(D, null, 1), peer(C, null, 1), peer(B, null, 1), peer(A, null, 1)),
            summary(4, digest(A, B, C, D), 4, "AAAAAAAA", "BBBBBBBB", "CCCCCCCC")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readings")
  void summarisesADevice(String description, WgDevice now, WgDevice previous, Device expected) {
    assertThat(TunnelPlanner.device("wireguard.cali", now, previous, NOW)).isEqualTo(expected);
  }
}
