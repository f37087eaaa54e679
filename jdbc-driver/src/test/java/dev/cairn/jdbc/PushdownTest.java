package dev.cairn.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SQL engine reads the store the cheap way: a counting backend under a real connection shows
 * how many entries each query read, and a full scan of the 10,000 keys fails the test.
 */
class PushdownTest {
    /** Counts the entries the store hands out. */
    static final class Counting implements Backend {
        final Backend inner;
        final AtomicLong read;
        /** Milliseconds each scan page takes (a slow store or network), to make a query outlast its timeout. */
        volatile long pageDelayMillis;

        Counting(Backend inner) {
            this(inner, new AtomicLong());
        }

        private Counting(Backend inner, AtomicLong read) {
            this.inner = inner;
            this.read = read;
        }

        @Override
        public List<String> namespaces() throws SQLException {
            return inner.namespaces();
        }

        /** Another namespace's backend, counted with this one. */
        @Override
        public Backend namespace(String name) throws SQLException {
            Backend ns = inner.namespace(name);
            return ns == null ? null : new Counting(ns, read);
        }

        @Override
        public Row get(byte[] key) throws SQLException {
            Row r = inner.get(key);
            read.incrementAndGet();
            return r;
        }

        @Override
        public void put(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
            inner.put(key, value, ttlSeconds);
        }

        @Override
        public boolean insert(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
            return inner.insert(key, value, ttlSeconds);
        }

        @Override
        public boolean update(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
            return inner.update(key, value, ttlSeconds);
        }

        @Override
        public boolean delete(byte[] key) throws SQLException {
            return inner.delete(key);
        }

        @Override
        public long increment(byte[] key, long by) throws SQLException {
            return inner.increment(key, by);
        }

        @Override
        public List<Row> scan(byte[] start, byte[] end, byte[] prefix, int limit) throws SQLException {
            if (pageDelayMillis > 0) {
                try {
                    Thread.sleep(pageDelayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<Row> rows = inner.scan(start, end, prefix, limit);
            read.addAndGet(rows.size());
            return rows;
        }

        @Override
        public boolean isValid(int timeoutSeconds) {
            return inner.isValid(timeoutSeconds);
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private Counting backend;
    private CairnConnection connection;
    private String memoryName;

    @BeforeEach
    void load() throws Exception {
        memoryName = "pushdown-" + System.nanoTime();
        backend = new Counting(EmbeddedBackend.memory(memoryName));
        connection = new CairnConnection(backend, "jdbc:cairn:mem:pushdown", null);
        try (PreparedStatement ps = connection.prepareStatement("PUT ? ?")) {
            for (int i = 0; i < 10_000; i++) {
                ps.setString(1, String.format("%s%05d", i % 2 == 0 ? "p" : "q", i));
                ps.setString(2, "v" + i);
                ps.executeUpdate();
            }
        }
    }

    @Test
    void metadataListsTheNamespacesWithoutReadingAnEntry() throws Exception {
        try (dev.cairn.api.Namespaces store = dev.cairn.api.Stores.open("mem:" + memoryName)) {
            store.namespace("orders").put(b("o1"), b("first"));
            store.namespace("orders\u0000classes").put(b("internal"), b("x")); // a JCache class dictionary: not a table
        }
        backend.read.set(0);
        java.sql.DatabaseMetaData md = connection.getMetaData();
        List<String> tables = new java.util.ArrayList<>();
        try (ResultSet rs = md.getTables(null, null, "%", null)) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME"));
            }
        }
        assertEquals(List.of("KV", "orders"), tables, "the namespaces; the keys p… and q… make no tables");
        int columns = 0;
        try (ResultSet rs = md.getColumns(null, null, "%", "%")) {
            while (rs.next()) {
                columns++;
            }
        }
        assertEquals(8, columns, "four columns of each table");
        try (ResultSet rs = md.getPrimaryKeys(null, null, "orders")) {
            assertTrue(rs.next());
        }
        assertEquals(0, backend.read.get(), "metadata read no entry of the 10,000");

        // the namespace is the table: the engine and the key-value statements read it and write it
        long[] r = run("SELECT key, UPPER(value) FROM orders WHERE key LIKE 'o%'");
        assertEquals(1, r[0]);
        assertEquals(1, r[1], "its one entry, not the default namespace's 10,000");
        try (Statement s = connection.createStatement()) {
            assertEquals(1, s.executeUpdate("INSERT INTO orders (key, value) VALUES ('o2', 'second')"));
            try (ResultSet rs = s.executeQuery("SELECT key, value FROM ORDERS ORDER BY key")) {
                assertTrue(rs.next());
                assertEquals("o1", rs.getString(1));
                assertTrue(rs.next());
                assertEquals("second", rs.getString(2));
            }
            try (ResultSet rs = s.executeQuery("GET 'orders:o2'")) {
                assertFalse(rs.next(), "not a prefix key of the default namespace");
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Runs {@code sql} through the SQL engine (each is beyond the key-value subset) and returns the rows and entries read. */
    private long[] run(String sql, String... params) throws SQLException {
        assertTrue(CairnStatement.parse(sql) instanceof Sql.EngineQuery, "the engine runs " + sql);
        backend.read.set(0);
        long rows = 0;
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                }
            }
        }
        return new long[] {rows, backend.read.get()};
    }

    @Test
    void keyEqualityIsAPointRead() throws SQLException {
        long[] r = run("SELECT UPPER(value) FROM kv WHERE key = ?", "p00042");
        assertEquals(1, r[0]);
        assertEquals(1, r[1], "one entry read");
        long[] in = run("SELECT COUNT(*) FROM kv WHERE key IN ('p00002', 'q00003', 'nope')");
        assertEquals(3, in[1], "three point reads");
    }

    @Test
    void aPrefixWithLimitReadsAboutAPage() throws SQLException {
        long[] r = run("SELECT key, LENGTH(value) FROM kv WHERE key LIKE 'p%' LIMIT 10");
        assertEquals(10, r[0]);
        assertTrue(r[1] <= 100, "read " + r[1] + " entries for 10 rows");
    }

    @Test
    void aRangeReadsOnlyTheRange() throws SQLException {
        long[] r = run("SELECT COUNT(*) FROM kv WHERE key BETWEEN 'p01000' AND 'p01998'");
        assertEquals(1, r[0]);
        assertTrue(r[1] <= 1_100, "read " + r[1] + " entries for a range of 999 keys");
        long[] open = run("SELECT MAX(key) FROM kv WHERE key > 'q09000'");
        assertTrue(open[1] <= 600, "read " + open[1]);
    }

    @Test
    void withoutAKeyConditionItIsAScanAndTheCountsSaySo() throws SQLException {
        long[] r = run("SELECT COUNT(*) FROM kv WHERE value LIKE 'v1%'");
        assertEquals(1, r[0]);
        assertEquals(10_000, r[1], "a full scan reads every entry: the counting works");
    }

    @Test
    void aSelectWithoutLimitStreamsAPageAtATime() throws SQLException {
        for (String sql : List.of("SELECT key, value FROM kv", "SELECT key FROM kv WHERE key LIKE 'p%'")) {
            assertTrue(CairnStatement.parse(sql) instanceof Sql.Select, "the driver's own path: " + sql);
            backend.read.set(0);
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                assertTrue(backend.read.get() <= ResultData.Paged.PAGE, "one page read before the first next(): " + backend.read.get());
                long rows = 0;
                String previous = "";
                while (rs.next()) {
                    String key = rs.getString(1);
                    assertTrue(key.compareTo(previous) > 0, "key order across pages");
                    previous = key;
                    rows++;
                    if (rows == 1500) {
                        assertTrue(backend.read.get() <= 2 * ResultData.Paged.PAGE, "read as it goes: " + backend.read.get());
                    }
                }
                assertEquals(sql.contains("LIKE") ? 5_000 : 10_000, rows);
                assertTrue(rs.isAfterLast());
            }
        }
    }

    @Test
    void aQueryTimeoutAndCancelStopAStreamedResult() throws Exception {
        backend.pageDelayMillis = 400; // 10 pages: 4 s for the whole table
        try (Statement s = connection.createStatement()) {
            s.setQueryTimeout(1);
            ResultSet rs = s.executeQuery("SELECT key, value FROM kv");
            java.sql.SQLTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLTimeoutException.class, () -> {
                while (rs.next()) {
                    rs.getString(1);
                }
            });
            assertEquals("57014", e.getSQLState());
        }
        try (Statement s = connection.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT key, value FROM kv");
            assertTrue(rs.next());
            Thread canceller = new Thread(() -> {
                try {
                    s.cancel();
                } catch (SQLException ignored) {
                    // asserted below through the reader
                }
            });
            canceller.start();
            canceller.join();
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> {
                while (rs.next()) {
                    rs.getString(1);
                }
            });
            assertEquals("57014", e.getSQLState());
        }
    }

    @Test
    void keyValueStatementsStillTakeTheirOwnPath() throws SQLException {
        assertTrue(CairnStatement.parse("SELECT key, value FROM kv WHERE key = 'p00002'") instanceof Sql.Select);
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("GET 'p00002'")) {
            assertTrue(rs.next());
            assertEquals("v2", rs.getString("value"));
        }
    }
}
