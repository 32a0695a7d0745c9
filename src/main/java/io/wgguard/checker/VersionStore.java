package io.wgguard.checker;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer's store that keeps each object's key and resourceVersion and nothing else: what the
 * informer needs to tell an update from a repeat, and a deleted object from a kept one. What the
 * checker reads of an object its handlers keep ({@link NodeFacts} and the like).
 *
 * <p>fabric8's {@code ReducedStateItemStore} keeps the same two fields, but reaches them by
 * converting every object it is given into a map of maps (Jackson's {@code convertValue}) and
 * rebuilds the object it replaced from another map: per Node, on every watch event and on every
 * item of a re-list, a second decoding of the whole object, on the client's event loop. Here the
 * version is read from the object's metadata, and a re-listed object whose version has not moved
 * keeps the string already stored, so a re-list of an unchanged cluster leaves no garbage in the
 * old generation for a stop-the-world collection to sweep.
 *
 * <p>The objects it returns (the replaced one, listed ones) are new, empty but for name, namespace
 * and resourceVersion.
 */
public final class VersionStore<T extends HasMetadata> implements ItemStore<T> {

  private final Map<String, String> versions = new ConcurrentHashMap<>();
  private final Supplier<T> empty;

  /** {@code empty} makes a blank object of the informer's type, e.g. {@code Node::new}. */
  public VersionStore(Supplier<T> empty) {
    this.empty = empty;
  }

  @Override
  public String getKey(T object) {
    return Cache.metaNamespaceKeyFunc(object);
  }

  @Override
  public T put(String key, T object) {
    String version = versionOf(object);
    String[] before = new String[1];
    versions.compute(
        key,
        (k, stored) -> {
          before[0] = stored;
          return version.equals(stored) ? stored : version;
        });
    return restore(key, before[0]);
  }

  @Override
  public T remove(String key) {
    return restore(key, versions.remove(key));
  }

  @Override
  public Stream<String> keySet() {
    return versions.keySet().stream();
  }

  @Override
  public Stream<T> values() {
    return versions.entrySet().stream().map(e -> restore(e.getKey(), e.getValue()));
  }

  @Override
  public int size() {
    return versions.size();
  }

  @Override
  public T get(String key) {
    return restore(key, versions.get(key));
  }

  /** Not the whole object: the informer hands out each add as it comes, not after the list. */
  @Override
  public boolean isFullState() {
    return false;
  }

  /** An object without a version (none comes from the API server) is stored with an empty one. */
  private static String versionOf(HasMetadata object) {
    ObjectMeta meta = object.getMetadata();
    String version = meta == null ? null : meta.getResourceVersion();
    return version == null ? "" : version;
  }

  private T restore(String key, String version) {
    if (version == null) {
      return null;
    }
    ObjectMeta meta = new ObjectMeta();
    int slash = key.indexOf('/');
    if (slash < 0) {
      meta.setName(key);
    } else {
      meta.setNamespace(key.substring(0, slash));
      meta.setName(key.substring(slash + 1));
    }
    meta.setResourceVersion(version.isEmpty() ? null : version);
    T object = empty.get();
    object.setMetadata(meta);
    return object;
  }
}
