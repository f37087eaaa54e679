package dev.cairn.jdbc;

import java.sql.SQLException;
import java.util.List;

/**
 * Where statements read and write: an embedded store in this JVM, or Cairn servers over RESP.
 * Keys here are full store keys (the table prefix already applied).
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

    boolean isValid(int timeoutSeconds);

    /** What the connection reports as the database product version. */
    String describe();

    @Override
    void close();
}
