package dev.cairn.jdbc;

import dev.cairn.api.CairnException;
import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.Namespaces;
import dev.cairn.api.NotANumberException;
import dev.cairn.api.NumericOverflowException;
import dev.cairn.api.Store;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.Stores;
import dev.cairn.api.WriteOptions;
import dev.cairn.storage.LsmStore;
import java.nio.file.Path;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A store in the caller's JVM, opened through {@link Stores#open} like every Cairn front end's.
 * {@code jdbc:cairn:mem:NAME} is the memory store {@code mem:NAME}, which lives as long as the JVM
 * (this class keeps one handle on it), shared by every connection naming it.
 * {@code jdbc:cairn:file:PATH} is the LSM store {@code file:PATH}: each connection holds a handle,
 * so connections to one path share one engine, closed with the last of them. Every namespace of
 * the store is a table ({@link Tables}); the connection's backend is the default namespace, and
 * {@link #namespace} gives the others.
 */
final class EmbeddedBackend implements Backend {
    private static final Map<String, Namespaces> MEMORY = new HashMap<>();

    private final Namespaces namespaces;
    private final boolean owner; // closes the namespaces' handle (a file store connection's own)
    private final Store store;
    private final String description;

    private EmbeddedBackend(Namespaces namespaces, boolean owner, Store store, String description) {
        this.namespaces = namespaces;
        this.owner = owner;
        this.store = store;
        this.description = description;
    }

    static EmbeddedBackend memory(String name) {
        synchronized (MEMORY) {
            Namespaces ns = MEMORY.computeIfAbsent(name, n -> Stores.open("mem:" + n));
            return new EmbeddedBackend(ns, false, ns.namespace(LsmStore.DEFAULT_NAMESPACE), "memory store " + name);
        }
    }

    static EmbeddedBackend file(Path path) throws SQLException {
        Path dir = path.toAbsolutePath().normalize();
        try {
            Namespaces ns = Stores.open("file:" + dir);
            return new EmbeddedBackend(ns, true, ns.namespace(LsmStore.DEFAULT_NAMESPACE), "LSM store " + dir);
        } catch (CairnException | IllegalStateException | IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new SQLNonTransientConnectionException("cannot open the Cairn store in " + dir + ": " + e.getMessage(), "08001", e);
        }
    }

    private static SQLException translate(RuntimeException e) {
        if (e instanceof NotANumberException) {
            return new SQLDataException(e.getMessage(), "22018", e);
        }
        if (e instanceof NumericOverflowException) {
            return new SQLDataException(e.getMessage(), "22003", e);
        }
        return classify(e);
    }

    /**
     * The store's failures with the SQLState classes PostgreSQL and H2 use, so pools and tools
     * react to each as it deserves: a closed store is a lost connection ({@code 08003}); a quorum
     * not reached is transient, retry it ({@code 40001}, a transaction-rollback class); corrupted
     * data ({@code XX001}) and a failed disk ({@code 58030}) are the system's, not the statement's;
     * a full store is {@code 53100} (disk full); bad keys and values are data errors ({@code 22000}).
     */
    static SQLException classify(RuntimeException e) {
        if (e instanceof StoreClosedException) {
            return new SQLNonTransientConnectionException(e.getMessage(), "08003", e);
        }
        if (e instanceof dev.cairn.api.QuorumNotReachedException) {
            return new java.sql.SQLTransactionRollbackException(e.getMessage(), "40001", e);
        }
        if (e instanceof dev.cairn.api.CorruptionException) {
            return new SQLException(e.getMessage(), "XX001", e);
        }
        if (e instanceof dev.cairn.storage.StorageIOException || e instanceof java.io.UncheckedIOException) {
            return new SQLException(e.getMessage(), "58030", e);
        }
        if (e instanceof dev.cairn.api.StoreFullException) {
            return new SQLException(e.getMessage(), "53100", e);
        }
        if (e instanceof CairnException) {
            return new SQLDataException(e.getMessage(), "22000", e);
        }
        return new SQLException(e.toString(), "XX000", e);
    }

    private Row row(Entry e) {
        long now = store.clock().millis();
        Long ttl = e.expiresAtMillis() == Entry.NO_EXPIRY ? null : Math.max(0, (e.expiresAtMillis() - now + 999) / 1000);
        return new Row(e.key(), e.value(), ttl, e.version().toString());
    }

    private static WriteOptions options(Long ttlSeconds) {
        return ttlSeconds == null ? WriteOptions.DEFAULT : WriteOptions.ttl(Duration.ofSeconds(ttlSeconds));
    }

    @Override
    public Row get(byte[] key) throws SQLException {
        try {
            Optional<Entry> e = store.get(key);
            return e.map(this::row).orElse(null);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
        try {
            store.put(key, value, options(ttlSeconds));
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public boolean insert(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
        try {
            return store.putIfAbsent(key, value, options(ttlSeconds)).isPresent();
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public boolean update(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
        try {
            while (true) {
                Optional<Entry> current = store.get(key);
                if (current.isEmpty()) {
                    return false;
                }
                WriteOptions o = ttlSeconds != null ? options(ttlSeconds)
                        : current.get().expiresAtMillis() == Entry.NO_EXPIRY ? WriteOptions.DEFAULT
                        : WriteOptions.DEFAULT.withExpiresAt(current.get().expiresAtMillis());
                if (store.compareAndSet(key, Expected.version(current.get().version()), value, o).isPresent()) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public boolean delete(byte[] key) throws SQLException {
        try {
            return store.delete(key);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public long increment(byte[] key, long by) throws SQLException {
        try {
            return store.increment(key, by);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public List<Row> scan(byte[] start, byte[] end, byte[] prefix, int limit) throws SQLException {
        try {
            KeyRange range = KeyRange.between(start, end);
            if (prefix != null) {
                KeyRange p = KeyRange.prefix(prefix);
                byte[] s = start == null || (p.start() != null && java.util.Arrays.compareUnsigned(p.start(), start) > 0) ? p.start() : start;
                byte[] t = end == null || (p.end() != null && java.util.Arrays.compareUnsigned(p.end(), end) < 0) ? p.end() : end;
                range = KeyRange.between(s, t);
            }
            List<Row> out = new ArrayList<>();
            for (Entry e : store.scan(range, Math.max(1, limit))) {
                out.add(row(e));
            }
            return out;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public List<String> namespaces() throws SQLException {
        try {
            List<String> out = new ArrayList<>();
            for (String n : namespaces.names()) {
                if (!n.equals(LsmStore.DEFAULT_NAMESPACE) && Tables.shown(n)) {
                    out.add(n);
                }
            }
            out.sort(null);
            return out;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public Backend namespace(String name) throws SQLException {
        String found = Tables.match(namespaces(), name);
        try {
            return found == null ? null
                    : new EmbeddedBackend(namespaces, false, namespaces.namespace(found), description + ", namespace " + found);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public boolean isValid(int timeoutSeconds) {
        try {
            store.exists(new byte[] {0});
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (owner) {
            namespaces.close();
        }
    }
}
