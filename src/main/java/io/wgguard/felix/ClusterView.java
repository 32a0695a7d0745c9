package io.wgguard.felix;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a replica knows of the cluster that Felix's precedence depends on: every FelixConfiguration
 * and every node's labels. The checker's informers keep it in memory; admission reads it on the
 * request path, so nothing here may block or call the API server.
 */
public interface ClusterView {

  /** True once every watch has listed what it watches: before that, the view may be partial. */
  boolean synced();

  /** The FelixConfigurations, one per name. */
  Collection<FelixObject> felixConfigurations();

  /** How many nodes are known. */
  int nodeCount();

  /** One node's labels, null when the node is not known. */
  Map<String, String> nodeLabels(String nodeName);

  /** The known nodes' names: a live, unmodifiable view, cheap to iterate and to stop early. */
  Set<String> nodeNames();

  /**
   * A number that changes whenever a FelixConfiguration changes, a node comes or goes, or a node's
   * labels change; read before the data it covers. What is computed from the view may be kept while
   * it stays the same.
   */
  long version();

  /**
   * What each FelixConfiguration asserts about the path into WireGuard ({@link FelixPath}), by
   * name; empty when the view does not keep it, and then writes are judged by the guarded fields
   * only.
   */
  default Map<String, FelixPath> felixPaths() {
    return Map.of();
  }

  /** A view that never syncs: admission falls back to judging the written object alone. */
  ClusterView NONE = of(false, List.of(), Map.of());

  /** A fixed view, for the offline commands and tests. */
  static ClusterView of(
      boolean synced, Collection<FelixObject> felix, Map<String, Map<String, String>> nodes) {
    return of(synced, felix, nodes, Map.of());
  }

  /** A fixed view with the objects' path readings, by name. */
  static ClusterView of(
      boolean synced,
      Collection<FelixObject> felix,
      Map<String, Map<String, String>> nodes,
      Map<String, FelixPath> paths) {
    Map<String, FelixPath> pathCopy = Map.copyOf(paths);
    List<FelixObject> objects = List.copyOf(felix);
    Map<String, Map<String, String>> labels = Map.copyOf(nodes);
    return new ClusterView() {
      @Override
      public boolean synced() {
        return synced;
      }

      @Override
      public Collection<FelixObject> felixConfigurations() {
        return objects;
      }

      @Override
      public int nodeCount() {
        return labels.size();
      }

      @Override
      public Map<String, String> nodeLabels(String nodeName) {
        return labels.get(nodeName);
      }

      @Override
      public Set<String> nodeNames() {
        return labels.keySet();
      }

      @Override
      public long version() {
        return 0; // never changes; another view is another object
      }

      @Override
      public Map<String, FelixPath> felixPaths() {
        return pathCopy;
      }
    };
  }
}
