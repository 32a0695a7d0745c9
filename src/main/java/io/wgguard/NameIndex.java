package io.wgguard;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A list of per-node results looked up by name, with no entry objects: an open-addressing table of
 * positions into the list, one {@code int[]} for the whole index.
 *
 * <p>Why not a {@code HashMap}: the checker keeps each pass's per-node results until the next pass,
 * 30 s later, so whatever a pass builds for them outlives several young collections and is copied
 * into the old generation. A {@code HashMap} of 65,000 nodes is 65,000 entry objects and a table
 * (2.5 MB); five of them a pass filled the old generation of the Deployment's Serial collector in a
 * few passes, and each full collection stopped admission for 200-300 ms (BENCHMARKS.md, "Admission
 * during a re-list"). This index is one array of {@code 2n} to {@code 4n} ints, and a pass over the
 * same nodes in the same order shares the previous pass's array ({@link #of(List, Function,
 * NameIndex)}), so an unchanged cluster adds nothing to the old generation but the list itself.
 *
 * <p>Read-only and safe to share between threads once built. A name listed twice is found at its
 * last position, as {@code HashMap.put} in list order would leave it.
 *
 * @param <T> the element type
 */
public final class NameIndex<T> {

  private static final NameIndex<?> EMPTY = new NameIndex<>(List.of(), t -> "", new int[1], 0);

  private final List<T> items;
  private final Function<? super T, String> name;
  // Position + 1 of the element whose name hashes to the slot (linear probing), 0 for none.
  private final int[] slots;
  private final int distinct;

  private NameIndex(List<T> items, Function<? super T, String> name, int[] slots, int distinct) {
    this.items = items;
    this.name = name;
    this.slots = slots;
    this.distinct = distinct;
  }

  /** An index with nothing in it. */
  @SuppressWarnings("unchecked")
  public static <T> NameIndex<T> empty() {
    return (NameIndex<T>) EMPTY;
  }

  /**
   * Indexes {@code items} (kept, not copied: pass an immutable list) by {@code name}; a null name
   * is refused.
   */
  public static <T> NameIndex<T> of(List<T> items, Function<? super T, String> name) {
    return of(items, name, null);
  }

  /**
   * Indexes {@code items} by {@code name}, sharing {@code before}'s table when it indexed the same
   * names at the same positions (the usual case: a pass over the same nodes, sorted by name).
   */
  public static <T> NameIndex<T> of(
      List<T> items, Function<? super T, String> name, NameIndex<?> before) {
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(name, "name");
    if (items.isEmpty()) {
      return empty();
    }
    if (before != null && before.items.size() == items.size() && sameNames(items, name, before)) {
      return new NameIndex<>(items, name, before.slots, before.distinct);
    }
    int capacity = Integer.highestOneBit(Math.max(2, items.size()) * 2 - 1) << 1;
    int[] slots = new int[capacity];
    int mask = capacity - 1;
    int distinct = 0;
    for (int i = 0; i < items.size(); i++) {
      String key = Objects.requireNonNull(name.apply(items.get(i)), "an element without a name");
      int slot = spread(key.hashCode()) & mask;
      while (true) {
        int at = slots[slot];
        if (at == 0) {
          slots[slot] = i + 1;
          distinct++;
          break;
        }
        if (key.equals(name.apply(items.get(at - 1)))) {
          slots[slot] = i + 1; // the later one wins, as HashMap.put would leave it
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    return new NameIndex<>(items, name, slots, distinct);
  }

  private static <T> boolean sameNames(
      List<T> items, Function<? super T, String> name, NameIndex<?> before) {
    for (int i = 0; i < items.size(); i++) {
      String now = name.apply(items.get(i));
      String then = before.nameAt(i);
      // Node names are the same String objects from pass to pass (the cache's facts): identity
      // first, characters only when it fails.
      if (now != then && (now == null || !now.equals(then))) {
        return false;
      }
    }
    return true;
  }

  private String nameAt(int position) {
    return name.apply(items.get(position));
  }

  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }

  /** The element named {@code key}, null when none is. */
  public T get(Object key) {
    if (!(key instanceof String wanted) || items.isEmpty()) {
      return null;
    }
    int mask = slots.length - 1;
    int slot = spread(wanted.hashCode()) & mask;
    while (true) {
      int at = slots[slot];
      if (at == 0) {
        return null;
      }
      T item = items.get(at - 1);
      if (wanted.equals(name.apply(item))) {
        return item;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** The indexed list, as given. */
  public List<T> items() {
    return items;
  }

  /** How many distinct names. */
  public int size() {
    return distinct;
  }

  /** True when this index and {@code other} share one table (the names did not move). */
  public boolean sharesTableWith(NameIndex<?> other) {
    return other != null && other.slots == slots;
  }

  /** A read-only map view: name to the element. */
  public Map<String, T> asMap() {
    return asMap(Function.identity());
  }

  /**
   * A read-only map view: name to {@code value} of the element; an element whose value is null is
   * absent from the view (not a key, not counted).
   */
  public <V> Map<String, V> asMap(Function<? super T, ? extends V> value) {
    return new View<>(this, value);
  }

  private static final class View<T, V> extends AbstractMap<String, V> {
    private final NameIndex<T> index;
    private final Function<? super T, ? extends V> value;
    private int size = -1;

    View(NameIndex<T> index, Function<? super T, ? extends V> value) {
      this.index = index;
      this.value = value;
    }

    @Override
    public V get(Object key) {
      T item = index.get(key);
      return item == null ? null : value.apply(item);
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public int size() {
      int known = size;
      if (known < 0) {
        known = 0;
        for (int at : index.slots) {
          if (at != 0 && value.apply(index.items.get(at - 1)) != null) {
            known++;
          }
        }
        size = known; // racy but idempotent: every thread computes the same count
      }
      return known;
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, V>> iterator() {
          return new Iterator<>() {
            private int slot = -1;
            private Entry<String, V> next = advance();

            private Entry<String, V> advance() {
              int[] slots = index.slots;
              while (++slot < slots.length) {
                int at = slots[slot];
                if (at != 0) {
                  T item = index.items.get(at - 1);
                  V v = value.apply(item);
                  if (v != null) {
                    return new SimpleImmutableEntry<>(index.name.apply(item), v);
                  }
                }
              }
              return null;
            }

            @Override
            public boolean hasNext() {
              return next != null;
            }

            @Override
            public Entry<String, V> next() {
              if (next == null) {
                throw new NoSuchElementException();
              }
              Entry<String, V> current = next;
              next = advance();
              return current;
            }
          };
        }

        @Override
        public int size() {
          return View.this.size();
        }
      };
    }
  }
}
