package dev.cairn.jdbc;

import dev.cairn.api.CairnException;
import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.NotANumberException;
import dev.cairn.api.NumericOverflowException;
import dev.cairn.api.Store;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.WriteOptions;
import dev.cairn.storage.LsmStore;
import dev.cairn.storage.StorageOptions;
import dev.cairn.storage.memory.MemoryStore;
import java.io.IOException;
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
 * A store in the caller's JVM. {@code jdbc:cairn:mem:NAME} is a {@link MemoryStore} that lives as
 * long as the JVM, shared by every connection naming it. {@code jdbc:cairn:file:PATH} is an
 * {@link LsmStore}, shared by the connections to the same path and closed with the last of them.
 */
final class EmbeddedBackend implements Backend {
    private static final Map<String, MemoryStore> MEMORY = new HashMap<>();
    private static final Map<Path, Shared> FILES = new HashMap<>();

    private static final class Shared {
        final LsmStore store;
        int references;

        Shared(LsmStore store) {
            this.store = store;
        }
    }

    private final Store store;
    private final Path file;
    private final String description;

    private EmbeddedBackend(Store store, Path file, String description) {
        this.store = store;
        this.file = file;
        this.description = description;
    }

    static EmbeddedBackend memory(String name) {
        synchronized (MEMORY) {
            return new EmbeddedBackend(MEMORY.computeIfAbsent(name, n -> new MemoryStore()), null, "memory store " + name);
        }
    }

    static EmbeddedBackend file(Path path) throws SQLException {
        Path dir = path.toAbsolutePath().normalize();
        synchronized (FILES) {
            Shared shared = FILES.get(dir);
            if (shared == null) {
                try {
                    shared = new Shared(LsmStore.open(StorageOptions.builder(dir).build()));
                } catch (IOException | CairnException | IllegalStateException e) {
                    throw new SQLNonTransientConnectionException("cannot open the Cairn store in " + dir + ": " + e.getMessage(), "08001", e);
                }
                FILES.put(dir, shared);
            }
            shared.references++;
            return new EmbeddedBackend(shared.store, dir, "LSM store " + dir);
        }
    }

    private static SQLException translate(RuntimeException e) {
        if (e instanceof NotANumberException) {
            return new SQLDataException(e.getMessage(), "22018", e);
        }
        if (e instanceof NumericOverflowException) {
            return new SQLDataException(e.getMessage(), "22003", e);
        }
        if (e instanceof StoreClosedException) {
            return new SQLNonTransientConnectionException(e.getMessage(), "08003", e);
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
        if (file == null) {
            return;
        }
        synchronized (FILES) {
            Shared shared = FILES.get(file);
            if (shared != null && --shared.references == 0) {
                FILES.remove(file);
                shared.store.close();
            }
        }
    }
}
