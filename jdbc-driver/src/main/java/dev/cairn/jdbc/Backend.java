package dev.cairn.jdbc;

import java.sql.SQLException;
import java.util.List;

/**
 * Where statements read and write: an embedded store in this JVM, or Cairn servers over RESP.
 * A backend reads and writes one namespace; keys here are full keys of it (a prefix table's
 * prefix already applied). {@link Tables} says which backend and prefix a table name denotes.
 */
interface Backend extends AutoCloseable {
    Row get(byte[] key) throws SQLException;

    /** Writes (upsert); {@code ttlSeconds} null for no expiry. */
    void put(byte[] key, byte[] value, Long ttlSeconds) throws SQLException;

    /** Writes only if absent; false if the key exists. */
    boolean insert(byte[] key, byte[] value, Long ttlSeconds) throws SQLException;

    /** Writes only if present; false if the key is absent. */
    boolean update(byte[] key, byte[] value, Long ttlSeconds) throws SQLException;

    boolean delete(byte[] key) throws SQLException;

    long increment(byte[] key, long by) throws SQLException;

    /**
     * Up to {@code limit} rows in key order with {@code start <= key < end} (null bounds open)
     * and, if {@code prefix} is not null, keys starting with it.
     */
    List<Row> scan(byte[] start, byte[] end, byte[] prefix, int limit) throws SQLException;

    /**
     * The namespaces other than the default one (each a table of the same name), in order. Reads
     * names only, never data; internal namespaces (names with control characters) are left out.
     */
    List<String> namespaces() throws SQLException;

    /**
     * The backend of the namespace a table named {@code name} denotes (the namespace of that exact
     * name, else the only one equal to it ignoring case), sharing this backend's store or
     * connection; null when no namespace has that name. Closing it does not close this one.
     */
    Backend namespace(String name) throws SQLException;

    boolean isValid(int timeoutSeconds);

    /** What the connection reports as the database product version. */
    String describe();

    @Override
    void close();
}
