package io.wgguard.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import org.junit.jupiter.api.Test;

/**
 * The informers' store: key and resourceVersion only, read from the metadata, and a repeated
 * version kept as it was stored (what makes a re-list of an unchanged cluster leave no
 * old-generation garbage).
 */
class VersionStoreTest {

  final VersionStore<Node> store = new VersionStore<>(Node::new);

  static Node node(String name, String version) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withResourceVersion(version)
        .addToAnnotations("projectcalico.org/WireguardPublicKey", "k")
        .addToLabels("kubernetes.io/os", "linux")
        .endMetadata()
        .withNewSpec()
        .withPodCIDR("10.0.0.0/24")
        .endSpec()
        .build();
  }

  @Test
  void aPutReturnsWhatItReplacedWithNameAndVersionOnly() {
    assertThat(store.put("worker1", node("worker1", "10"))).as("nothing before").isNull();

    Node before = store.put("worker1", node("worker1", "11"));

    assertThat(before.getMetadata().getName()).isEqualTo("worker1");
    assertThat(before.getMetadata().getResourceVersion())
        .as("the informer compares it with the new one's to tell an update from a repeat")
        .isEqualTo("10");
    assertThat(before.getMetadata().getAnnotations()).isEmpty();
    assertThat(before.getMetadata().getLabels()).isEmpty();
    assertThat(before.getSpec()).isNull();
    assertThat(store.get("worker1").getMetadata().getResourceVersion()).isEqualTo("11");
  }

  @Test
  void aRepeatedVersionKeepsTheStringAlreadyStored() {
    store.put("worker1", node("worker1", new String("42".toCharArray())));
    String stored = store.get("worker1").getMetadata().getResourceVersion();

    Node before = store.put("worker1", node("worker1", new String("42".toCharArray())));

    assertThat(before.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(store.get("worker1").getMetadata().getResourceVersion())
        .as("the same instance: the re-listed one is garbage while still young")
        .isSameAs(stored);
  }

  @Test
  void aNewVersionReplacesTheStoredOne() {
    store.put("worker1", node("worker1", "42"));
    String newer = new String("43".toCharArray());

    store.put("worker1", node("worker1", newer));

    assertThat(store.get("worker1").getMetadata().getResourceVersion()).isSameAs(newer);
  }

  @Test
  void namespacedKeysComeBackAsNamespaceAndName() {
    VersionStore<Lease> leases = new VersionStore<>(Lease::new);
    Lease lease =
        new LeaseBuilder()
            .withNewMetadata()
            .withNamespace("wgguard-system")
            .withName("wgguard-agent-worker1")
            .withResourceVersion("7")
            .endMetadata()
            .build();
    String key = leases.getKey(lease);
    assertThat(key)
        .isEqualTo(Cache.metaNamespaceKeyFunc(lease))
        .isEqualTo("wgguard-system/wgguard-agent-worker1");

    leases.put(key, lease);

    Lease back = leases.get(key);
    assertThat(back.getMetadata().getNamespace()).isEqualTo("wgguard-system");
    assertThat(back.getMetadata().getName()).isEqualTo("wgguard-agent-worker1");
    assertThat(back.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(back.getSpec()).isNull();
  }

  @Test
  void removeListAndSize() {
    store.put("worker1", node("worker1", "1"));
    store.put("worker2", node("worker2", "2"));

    assertThat(store.size()).isEqualTo(2);
    assertThat(store.keySet()).containsExactlyInAnyOrder("worker1", "worker2");
    assertThat(
            store
                .values()
                .map(n -> n.getMetadata().getName() + "@" + n.getMetadata().getResourceVersion()))
        .containsExactlyInAnyOrder("worker1@1", "worker2@2");

    assertThat(store.remove("worker1").getMetadata().getResourceVersion()).isEqualTo("1");
    assertThat(store.remove("worker1")).isNull();
    assertThat(store.get("worker1")).isNull();
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void anObjectWithoutAVersionIsKeptWithNone() {
    Node bare = new NodeBuilder().withNewMetadata().withName("worker9").endMetadata().build();

    store.put("worker9", bare);

    assertThat(store.get("worker9").getMetadata().getName()).isEqualTo("worker9");
    assertThat(store.get("worker9").getMetadata().getResourceVersion()).isNull();
  }

  @Test
  void itServesAnInformersCache() {
    CacheImpl<Node> cache = new CacheImpl<>();
    cache.setItemStore(store);

    cache.put(node("worker1", "5"));
    cache.put(node("worker2", "6"));
    Node replaced = cache.put(node("worker1", "8"));

    assertThat(replaced.getMetadata().getResourceVersion()).isEqualTo("5");
    assertThat(cache.listKeys()).containsExactlyInAnyOrder("worker1", "worker2");
    assertThat(cache.getByKey("worker1").getMetadata().getResourceVersion()).isEqualTo("8");
    cache.remove(node("worker2", "6"));
    assertThat(cache.listKeys()).containsExactly("worker1");
    assertThat(store.isFullState())
        .as("adds are handed out as each page arrives, not after the whole list")
        .isFalse();
  }
}
