package dev.cairn.jcache.processor;

import java.util.Objects;
import java.util.function.Function;
import javax.cache.processor.MutableEntry;

/**
 * The entry an {@code EntryProcessor} works on. Nothing reaches the cache while the processor runs;
 * afterwards {@link #outcome()} says what to apply: nothing, an access, a load (read-through on
 * {@code getValue} of an absent entry), a create, an update or a remove.
 */
public final class ProcessorEntry<K, V> implements MutableEntry<K, V> {
    /** What the processor did to the entry, as the cache must apply it. */
    public enum Outcome { NONE, ACCESS, LOAD, CREATE, UPDATE, REMOVE }

    private final K key;
    private final boolean existed;
    private final V original;
    private final Function<K, V> loader; // null unless read-through
    private V value;
    private boolean present;
    private Outcome outcome = Outcome.NONE;

    public ProcessorEntry(K key, V current, Function<K, V> loader) {
        this.key = key;
        this.original = current;
        this.existed = current != null;
        this.value = current;
        this.present = existed;
        this.loader = loader;
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        if (!present && outcome == Outcome.NONE && loader != null) {
            V loaded = loader.apply(key);
            if (loaded != null) {
                value = loaded;
                present = true;
                outcome = Outcome.LOAD;
            }
        } else if (present && outcome == Outcome.NONE) {
            outcome = Outcome.ACCESS;
        }
        return present ? value : null;
    }

    @Override
    public boolean exists() {
        return present;
    }

    /**
     * Removes the entry. Undoing a create or load made earlier in the same processor leaves nothing
     * to do; otherwise the remove goes to the writer even if the entry did not exist.
     */
    @Override
    public void remove() {
        value = null;
        present = false;
        outcome = outcome == Outcome.CREATE || outcome == Outcome.LOAD ? Outcome.NONE : Outcome.REMOVE;
    }

    @Override
    public void setValue(V newValue) {
        Objects.requireNonNull(newValue, "value");
        value = newValue;
        present = true;
        outcome = existed ? Outcome.UPDATE : Outcome.CREATE;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The value to write for CREATE, UPDATE and LOAD. */
    public V value() {
        return value;
    }

    /** The value the entry had before the processor ran. */
    public V original() {
        return original;
    }

    public boolean existed() {
        return existed;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("cannot unwrap a mutable entry to " + clazz.getName());
    }
}
