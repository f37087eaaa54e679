package dev.cairn.storage;

import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The namespaces of an {@link LsmStore}: name to {@link Keyspace}, and the next id to give. An
 * immutable value: a change makes a new catalog, which the store records in the manifest and then
 * publishes. Ids are never reused, so a record's id tells whether it is live for as long as the
 * store exists.
 */
final class Catalog {
    private final SortedMap<String, Keyspace> byName;
    /** The same, hashed: every read and write looks its namespace up here. */
    private final java.util.Map<String, Keyspace> lookup;
    private final int nextId;
    private final BitSet live = new BitSet();

    private Catalog(SortedMap<String, Keyspace> byName, int nextId) {
        this.byName = Collections.unmodifiableSortedMap(byName);
        this.lookup = java.util.Map.copyOf(byName);
        this.nextId = nextId;
        byName.values().forEach(ks -> live.set(ks.id()));
    }

    /** The catalog the manifest recorded: name to id. */
    static Catalog of(SortedMap<String, Integer> ids, int nextId) {
        SortedMap<String, Keyspace> byName = new TreeMap<>();
        ids.forEach((name, id) -> byName.put(name, Keyspace.of(name, id)));
        return new Catalog(byName, nextId);
    }

    /** A new store's catalog: only {@code name}, with id 0. */
    static Catalog initial(String name) {
        return of(new TreeMap<>(java.util.Map.of(name, 0)), 1);
    }

    Keyspace get(String name) {
        return lookup.get(name);
    }

    List<String> names() {
        return List.copyOf(byName.keySet());
    }

    int nextId() {
        return nextId;
    }

    /** What the manifest records: name to id. */
    SortedMap<String, Integer> ids() {
        SortedMap<String, Integer> ids = new TreeMap<>();
        byName.forEach((name, ks) -> ids.put(name, ks.id()));
        return ids;
    }

    /** Whether an engine key belongs to a live namespace: what flushes and compactions keep. */
    boolean isLive(byte[] engineKey) {
        int id = Keyspace.idOf(engineKey);
        return id >= 0 && live.get(id);
    }

    /** This catalog with {@code name} given a new keyspace (created, or replacing its old one: a clear). */
    Catalog withNewKeyspace(String name) {
        SortedMap<String, Keyspace> next = new TreeMap<>(byName);
        next.put(name, Keyspace.of(name, nextId));
        return new Catalog(next, nextId + 1);
    }

    /** This catalog without {@code name}. */
    Catalog without(String name) {
        SortedMap<String, Keyspace> next = new TreeMap<>(byName);
        next.remove(name);
        return new Catalog(next, nextId);
    }
}
