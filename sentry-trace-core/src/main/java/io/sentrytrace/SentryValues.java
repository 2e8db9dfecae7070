package io.sentrytrace;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The unmodifiable, insertion-ordered map behind {@link Baggage#sentryValues()}. A DSC has about
 * ten keys: one array and a linear search beat a hash table with an entry object per key.
 */
final class SentryValues extends AbstractMap<String, String> {
  static final SentryValues EMPTY = new SentryValues(new String[0], 0);

  /** key0, value0, key1, value1, ... */
  private final String[] entries;
  private final int size;

  private SentryValues(String[] entries, int size) {
    this.entries = entries;
    this.size = size;
  }

  String key(int i) {
    return entries[2 * i];
  }

  String value(int i) {
    return entries[2 * i + 1];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String get(Object key) {
    int i = indexOf(entries, size, key);
    return i < 0 ? null : entries[2 * i + 1];
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(entries, size, key) >= 0;
  }

  /** The position of {@code key}, or -1. */
  int indexOf(String key) {
    return indexOf(entries, size, key);
  }

  private static int indexOf(String[] entries, int size, Object key) {
    for (int i = 0; i < size; i++) {
      if (entries[2 * i].equals(key)) return i;
    }
    return -1;
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Map.Entry<String, String> next() {
            if (next >= size) throw new NoSuchElementException();
            int i = next++;
            return new SimpleImmutableEntry<>(key(i), value(i));
          }
        };
      }
    };
  }

  /**
   * Collects values: the last of duplicate keys wins, in its own position; at most {@code max}.
   * When full, a new Sentry DSC key ({@link DscKeys}) still gets in: the last unknown key makes
   * room, so junk members sent before the real ones cannot crowd them out.
   */
  static final class Builder {
    private final int max;
    private String[] entries = new String[16];
    private int size;

    Builder(int max) {
      this.max = max;
    }

    Builder putAll(SentryValues values) {
      for (int i = 0; i < values.size; i++) put(values.key(i), values.value(i));
      return this;
    }

    Builder put(String key, String value) {
      int i = indexOf(entries, size, key);
      if (i >= 0) {
        // Move the key to the end: later duplicates win, and stand where they were written.
        remove(i);
      } else if (size >= max) {
        int unknown = DscKeys.isKnown(key) ? lastUnknown() : -1;
        if (unknown < 0) return this;
        remove(unknown);
      }
      if (2 * size + 2 > entries.length) entries = Arrays.copyOf(entries, entries.length * 2);
      entries[2 * size] = key;
      entries[2 * size + 1] = value;
      size++;
      return this;
    }

    private int lastUnknown() {
      for (int i = size - 1; i >= 0; i--) {
        if (!DscKeys.isKnown(entries[2 * i])) return i;
      }
      return -1;
    }

    private void remove(int i) {
      System.arraycopy(entries, 2 * (i + 1), entries, 2 * i, 2 * (size - i - 1));
      size--;
    }

    SentryValues build() {
      return size == 0 ? EMPTY : new SentryValues(entries, size);
    }
  }
}
