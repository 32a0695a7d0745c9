package io.wgguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class NameIndexTest {

  record Item(String name, String value) {}

  static List<Item> items(int n) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(new Item("node-" + i, "v" + i));
    }
    Collections.shuffle(items, new Random(7));
    return List.copyOf(items);
  }

  static Map<String, Item> hashMap(List<Item> items) {
    Map<String, Item> map = new HashMap<>();
    items.forEach(i -> map.put(i.name(), i));
    return map;
  }

  @Test
  void findsEveryNameItHoldsAndNoOther() {
    List<Item> items = items(5_000);
    NameIndex<Item> index = NameIndex.of(items, Item::name);

    for (Item item : items) {
      assertThat(index.get(item.name())).isSameAs(item);
    }
    assertThat(index.get("node-5000")).isNull();
    assertThat(index.get("")).isNull();
    assertThat(index.get(null)).isNull();
    assertThat(index.get(42)).isNull();
    assertThat(index.size()).isEqualTo(5_000);
  }

  @Test
  void namesWhoseHashesCollideAreAllFound() {
    // "Aa" and "BB" share a hash code, and so does every string made of them alike.
    List<Item> items = new ArrayList<>();
    for (String a : List.of("Aa", "BB")) {
      for (String b : List.of("Aa", "BB")) {
        for (String c : List.of("Aa", "BB")) {
          items.add(new Item(a + b + c, a));
        }
      }
    }
    NameIndex<Item> index = NameIndex.of(List.copyOf(items), Item::name);

    assertThat(items.stream().map(i -> i.name().hashCode()).distinct()).hasSize(1);
    items.forEach(i -> assertThat(index.get(i.name())).isSameAs(i));
    assertThat(index.get("AaAaBC")).isNull();
  }

  @Test
  void aNameListedTwiceIsFoundAtItsLastPositionAsHashMapPutWouldLeaveIt() {
    Item first = new Item("worker1", "first");
    Item last = new Item("worker1", "last");
    List<Item> items = List.of(first, new Item("worker2", "x"), last);

    NameIndex<Item> index = NameIndex.of(items, Item::name);

    assertThat(index.get("worker1")).isSameAs(last);
    assertThat(index.size()).isEqualTo(2);
    assertThat(index.asMap()).isEqualTo(hashMap(items));
  }

  @Test
  void theMapViewIsTheMapAHashMapWouldHold() {
    List<Item> items = items(1_000);
    Map<String, Item> expected = hashMap(items);

    Map<String, Item> view = NameIndex.of(items, Item::name).asMap();

    assertThat(view).isEqualTo(expected);
    assertThat(expected).isEqualTo(view);
    assertThat(view.hashCode()).isEqualTo(expected.hashCode());
    assertThat(view.keySet()).isEqualTo(expected.keySet());
    assertThat(view).hasSize(1_000).containsKey("node-999").doesNotContainKey("node-1000");
    Map<String, String> values = NameIndex.of(items, Item::name).asMap(Item::value);
    assertThat(values.get("node-17")).isEqualTo("v17");
  }

  @Test
  void anElementWhoseValueIsNullIsNotInTheView() {
    List<Item> items = List.of(new Item("a", "1"), new Item("b", null), new Item("c", "3"));

    Map<String, String> view = NameIndex.of(items, Item::name).asMap(Item::value);

    assertThat(view).isEqualTo(Map.of("a", "1", "c", "3"));
    assertThat(view.containsKey("b")).isFalse();
    assertThat(view.keySet()).containsExactlyInAnyOrder("a", "c");
  }

  @Test
  void theSameNamesAtTheSamePositionsShareThePreviousTable() {
    List<Item> before = items(2_000);
    NameIndex<Item> first = NameIndex.of(before, Item::name);
    List<Item> after = before.stream().map(i -> new Item(new String(i.name()), "new")).toList();

    NameIndex<Item> second = NameIndex.of(after, Item::name, first);

    assertThat(second.sharesTableWith(first)).isTrue();
    after.forEach(i -> assertThat(second.get(i.name())).isSameAs(i));
  }

  @Test
  void namesThatMovedGetATableOfTheirOwn() {
    List<Item> before = items(2_000);
    NameIndex<Item> first = NameIndex.of(before, Item::name);
    List<Item> moved = new ArrayList<>(before);
    Collections.swap(moved, 0, 1);
    List<Item> grown = new ArrayList<>(before);
    grown.add(new Item("node-new", "x"));

    NameIndex<Item> swapped = NameIndex.of(List.copyOf(moved), Item::name, first);
    NameIndex<Item> added = NameIndex.of(List.copyOf(grown), Item::name, first);

    assertThat(swapped.sharesTableWith(first)).isFalse();
    assertThat(added.sharesTableWith(first)).isFalse();
    moved.forEach(i -> assertThat(swapped.get(i.name())).isSameAs(i));
    assertThat(added.get("node-new")).isNotNull();
    assertThat(added.size()).isEqualTo(2_001);
  }

  @Test
  void anEmptyListIndexesNothing() {
    NameIndex<Item> index = NameIndex.of(List.of(), Item::name);

    assertThat(index.get("a")).isNull();
    assertThat(index.size()).isZero();
    assertThat(index.asMap()).isEmpty();
    assertThat(NameIndex.<Item>empty().asMap(Item::value)).isEqualTo(Map.of());
  }

  @Test
  void anElementWithoutANameIsRefused() {
    List<Item> items = List.of(new Item("a", "1"), new Item(null, "2"));
    Function<Item, String> name = Item::name;

    assertThatThrownBy(() -> NameIndex.of(items, name))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("an element without a name");
  }
}
