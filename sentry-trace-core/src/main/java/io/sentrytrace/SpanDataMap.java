package io.sentrytrace;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A span's data while it runs, in insertion order. A span usually holds a handful of entries, so
 * they sit in one array of keys and values, searched by a scan: no hashing, no node per entry, and
 * the snapshot at finish is one array copy. Past {@link #SMALL} entries it turns into a {@link
 * LinkedHashMap}, so that many keys never cost quadratic time. Not thread-safe: the span guards
 * it.
 */
final class SpanDataMap {
  static final int SMALL = 16;

  private Object[] keysAndValues = new Object[16];
  private int size;
  private LinkedHashMap<String, Object> large;

  void put(String key, Object value) {
    if (large != null) {
      large.put(key, value);
      return;
    }
    int i = indexOf(key);
    if (i >= 0) {
      keysAndValues[i + 1] = value;
      return;
    }
    if (size == SMALL) {
      large = new LinkedHashMap<>();
      for (int j = 0; j < size * 2; j += 2) large.put((String) keysAndValues[j], keysAndValues[j + 1]);
      large.put(key, value);
      keysAndValues = null;
      return;
    }
    if (size * 2 == keysAndValues.length) keysAndValues = Arrays.copyOf(keysAndValues, keysAndValues.length * 2);
    keysAndValues[size * 2] = key;
    keysAndValues[size * 2 + 1] = value;
    size++;
  }

  void remove(String key) {
    if (large != null) {
      large.remove(key);
      return;
    }
    int i = indexOf(key);
    if (i < 0) return;
    System.arraycopy(keysAndValues, i + 2, keysAndValues, i, size * 2 - i - 2);
    size--;
    keysAndValues[size * 2] = null;
    keysAndValues[size * 2 + 1] = null;
  }

  private int indexOf(String key) {
    for (int i = 0; i < size * 2; i += 2) {
      if (key.equals(keysAndValues[i])) return i;
    }
    return -1;
  }

  /** An unmodifiable copy, in insertion order. */
  Map<String, Object> snapshot() {
    if (large != null) return Collections.unmodifiableMap(new LinkedHashMap<>(large));
    return size == 0 ? Collections.emptyMap() : new Frozen(Arrays.copyOf(keysAndValues, size * 2));
  }

  /** An unmodifiable map over an array of keys and values. */
  private static final class Frozen extends AbstractMap<String, Object> {
    private final Object[] keysAndValues;

    Frozen(Object[] keysAndValues) {
      this.keysAndValues = keysAndValues;
    }

    @Override
    public int size() {
      return keysAndValues.length / 2;
    }

    @Override
    public Object get(Object key) {
      for (int i = 0; i < keysAndValues.length; i += 2) {
        if (keysAndValues[i].equals(key)) return keysAndValues[i + 1];
      }
      return null;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null; // no null values are kept
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return keysAndValues.length / 2;
        }

        @Override
        public Iterator<Entry<String, Object>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < keysAndValues.length;
            }

            @Override
            public Entry<String, Object> next() {
              if (next >= keysAndValues.length) throw new NoSuchElementException();
              Entry<String, Object> e = new SimpleImmutableEntry<>((String) keysAndValues[next], keysAndValues[next + 1]);
              next += 2;
              return e;
            }
          };
        }
      };
    }
  }
}
