package dev.cairn.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver on an embedded memory store: every statement form, parameters, batches, errors, metadata. */
class EmbeddedDriverTest {
    @TempDir
    Path dir;
    private Connection c;
    private String memoryName;

    @BeforeEach
    void connect() throws Exception {
        memoryName = UUID.randomUUID().toString();
        c = DriverManager.getConnection("jdbc:cairn:mem:" + memoryName);
    }

    @AfterEach
    void close() throws Exception {
        c.close();
    }

    private List<List<Object>> rows(String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<List<Object>> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    private int update(String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    @Test
    void keyValueStatements() throws Exception {
        assertEquals(1, update("PUT 'a' 'one'"));
        assertEquals(1, update("PUT 'b' 'two' TTL 100"));
        List<List<Object>> a = rows("GET 'a'");
        assertEquals("a", a.get(0).get(0));
        assertEquals("one", a.get(0).get(1));
        assertNull(a.get(0).get(2), "no ttl");
        assertTrue(dev.cairn.api.Version.parse((String) a.get(0).get(3)).counter() > 0, "a version");
        Long ttl = (Long) rows("GET 'b'").get(0).get(2);
        assertTrue(ttl > 95 && ttl <= 100, "ttl " + ttl);
        assertTrue(rows("GET 'nothing'").isEmpty());
        assertEquals(List.of(List.of(5L)), rows("INCR 'n' 5"));
        assertEquals(List.of(List.of(6L)), rows("INCR 'n'"));
        assertEquals(List.of("a", "b", "n"), rows("SCAN").stream().map(r -> r.get(0)).toList());
        assertEquals(List.of("a"), rows("SCAN 'a'").stream().map(r -> r.get(0)).toList());
        assertEquals(2, rows("SCAN LIMIT 2").size());
        assertEquals(1, update("DELETE 'a'"));
        assertEquals(0, update("DELETE 'a'"));
        update("PUT X'00ff' X'c328'");
        assertArrayEquals(new byte[] {(byte) 0xC3, 0x28}, (byte[]) rows("GET X'00ff'").get(0).get(1), "not UTF-8: bytes");
        update("PUT 'ctl' X'0102'");
        assertEquals("\u0001\u0002", rows("GET 'ctl'").get(0).get(1), "valid UTF-8: text");
    }

    @Test
    void sqlStatementsOnTheDefaultTableAndANamespace() throws Exception {
        assertEquals(2, update("INSERT INTO kv (key, value) VALUES ('k1', 'v1'), ('k2', 'v2')"));
        assertEquals(1, update("INSERT INTO \"CAIRN\".\"users\" (key, value, ttl) VALUES ('1', 'Ada', 60)"));
        assertEquals(1, update("INSERT INTO users VALUES ('2', 'Grace')"));
        assertEquals(List.of(List.of("1", "Ada"), List.of("2", "Grace")), rows("SELECT key, value FROM users ORDER BY key"));
        assertEquals(List.of(List.of("Ada")), rows("SELECT value FROM cairn.users WHERE key = '1'"));
        assertEquals(List.of("users:1", "users:2"), rows("SELECT key FROM kv WHERE key LIKE 'users:%'").stream().map(r -> r.get(0)).toList());
        assertEquals(List.of("k1", "k2"), rows("SELECT key FROM kv WHERE key BETWEEN 'k1' AND 'k2'").stream().map(r -> r.get(0)).toList());
        assertEquals(List.of("k1", "k2"), rows("SELECT key FROM kv WHERE key LIKE 'k_'").stream().map(r -> r.get(0)).toList());
        assertEquals(List.of("k2", "users:2"), rows("SELECT key FROM kv WHERE key LIKE '%2'").stream().map(r -> r.get(0)).toList());
        assertEquals(List.of("k1"), rows("SELECT key FROM kv WHERE key LIKE 'k%' LIMIT 1").stream().map(r -> r.get(0)).toList());
        assertEquals(List.of("users:1", "users:2"), rows("SELECT key FROM kv WHERE key LIKE 'users:_' LIMIT 5").stream()
                .map(r -> r.get(0)).toList());
        assertEquals(1, update("UPDATE users SET value = 'Ada Lovelace' WHERE key = '1'"));
        assertEquals(0, update("UPDATE users SET value = 'x' WHERE key = 'nobody'"));
        assertEquals("Ada Lovelace", rows("SELECT value FROM users WHERE key = '1'").get(0).get(0));
        assertTrue((Long) rows("SELECT ttl FROM users WHERE key = '1'").get(0).get(0) > 0, "UPDATE kept the ttl");
        assertEquals(1, update("DELETE FROM users WHERE key = '2'"));
        assertEquals(0, update("DELETE FROM users WHERE key = '2'"));
        SQLIntegrityConstraintViolationException dup = assertThrows(SQLIntegrityConstraintViolationException.class,
                () -> update("INSERT INTO kv (key, value) VALUES ('k1', 'again')"));
        assertEquals("23505", dup.getSQLState());
        assertEquals(List.of(List.of(1L)), rows("SELECT 1"));
    }

    @Test
    void preparedStatementsBatchesAndGeneratedKeys() throws Exception {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO items (key, value) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < 5; i++) {
                p.setString(1, "item" + i);
                p.setLong(2, i * 10L);
                p.addBatch();
            }
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, p.executeBatch());
            p.setString(1, "extra");
            p.setBytes(2, new byte[] {(byte) 0xC3, 0x28});
            assertEquals(1, p.executeUpdate());
            try (ResultSet keys = p.getGeneratedKeys()) {
                assertTrue(keys.next());
                assertEquals("extra", keys.getString("KEY"));
            }
        }
        try (PreparedStatement q = c.prepareStatement("SELECT key, value FROM items WHERE key = ?")) {
            q.setString(1, "item3");
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(30, rs.getInt("value"));
                assertFalse(rs.next());
            }
        }
        try (PreparedStatement dup = c.prepareStatement("INSERT INTO items (key, value) VALUES (?, ?)")) {
            dup.setString(1, "new");
            dup.setString(2, "v");
            dup.addBatch();
            dup.setString(1, "item0");
            dup.setString(2, "v");
            dup.addBatch();
            BatchUpdateException e = assertThrows(BatchUpdateException.class, dup::executeBatch);
            assertArrayEquals(new int[] {1}, e.getUpdateCounts());
        }
        try (PreparedStatement unset = c.prepareStatement("GET ?")) {
            java.sql.SQLException e = assertThrows(java.sql.SQLException.class, unset::executeQuery);
            assertEquals("07001", e.getSQLState(), e.getMessage());
        }
        try (Statement s = c.createStatement()) {
            s.addBatch("PUT 'x' '1'");
            s.addBatch("DELETE 'x'");
            assertArrayEquals(new int[] {1, 1}, s.executeBatch());
        }
    }

    @Test
    void valuesAreVarcharWhenValidUtf8AndVarbinaryOtherwise() throws Exception {
        update("PUT 't:1' 'héllo'");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT key, value FROM t")) {
            ResultSetMetaData md = rs.getMetaData();
            assertEquals(Types.VARCHAR, md.getColumnType(2));
            assertTrue(rs.next());
            assertEquals("héllo", rs.getObject(2));
        }
        update("PUT 't:2' X'c328'");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT key, value FROM t ORDER BY key")) {
            assertEquals(Types.VARBINARY, rs.getMetaData().getColumnType(2));
            assertEquals(Types.VARCHAR, rs.getMetaData().getColumnType(1));
            assertTrue(rs.next());
            assertArrayEquals("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8), (byte[]) rs.getObject(2));
            assertTrue(rs.next());
            assertArrayEquals(new byte[] {(byte) 0xC3, 0x28}, rs.getBytes(2));
            assertEquals("c328", rs.getString(2), "getString of a binary value is its hex");
        }
    }

    @Test
    void syntaxErrorsNameThePositionAndWhatWasExpected() {
        SQLSyntaxErrorException e = assertThrows(SQLSyntaxErrorException.class, () -> update("PUT 'k'"));
        assertTrue(e.getMessage().contains("position 8") && e.getMessage().contains("expected a literal"), e.getMessage());
        // FRM is taken as a column alias, as SQL allows, so the error is at kv
        SQLSyntaxErrorException f = assertThrows(SQLSyntaxErrorException.class, () -> rows("SELECT key FRM kv"));
        assertTrue(f.getMessage().contains("line 1, column 16"), f.getMessage());
        SQLSyntaxErrorException g = assertThrows(SQLSyntaxErrorException.class, () -> rows("SELECT name FROM kv"));
        assertTrue(g.getMessage().contains("'name' not found"), g.getMessage());
        assertEquals("42000", g.getSQLState());
        SQLSyntaxErrorException h = assertThrows(SQLSyntaxErrorException.class, () -> update("FROB 'x'"));
        assertEquals("42000", h.getSQLState());
        assertThrows(SQLSyntaxErrorException.class, () -> update("PUT 'unterminated"));
    }

    @Test
    void queriesBeyondTheSubsetRunOnTheEngineAndWhatNeitherTakesSaysSo() throws Exception {
        // queries beyond the key-value subset run on the SQL engine: joins, aggregates, grouping, OR
        update("PUT 'a:1' 'x'");
        update("PUT 'b:1' 'y'");
        assertEquals(List.of(List.of("1", "x", "y")), rows("SELECT a.key, a.value, b.value FROM a JOIN b ON a.key = b.key"));
        assertEquals(1, rows("SELECT key FROM a GROUP BY key").size());
        assertEquals(2, rows("SELECT key FROM kv WHERE key = 'a:1' OR key = 'b:1'").size());
        // what neither takes says so: DDL, and writes the key-value subset does not have
        SQLFeatureNotSupportedException ddl = assertThrows(SQLFeatureNotSupportedException.class, () -> update("CREATE TABLE t (a int)"));
        assertEquals("0A000", ddl.getSQLState());
        SQLSyntaxErrorException range = assertThrows(SQLSyntaxErrorException.class,
                () -> update("UPDATE kv SET value = 'v' WHERE key > 'a'"));
        assertTrue(range.getMessage().contains("expected '='"), "UPDATE takes one key: " + range.getMessage());
    }

    @Test
    void connectionBehavesAsPoolsAndToolsExpect() throws Exception {
        assertTrue(c.isValid(1));
        c.setAutoCommit(false);
        c.setReadOnly(false);
        c.setSchema("CAIRN");
        c.setCatalog(null);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
        c.rollback(); // nothing written yet
        update("PUT 'k' 'v'");
        assertThrows(SQLFeatureNotSupportedException.class, c::rollback, "written data cannot be taken back");
        c.commit();
        c.setAutoCommit(true);
        c.setReadOnly(true);
        java.sql.SQLException ro = assertThrows(java.sql.SQLException.class, () -> update("PUT 'k' 'w'"));
        assertEquals("25006", ro.getSQLState());
        c.setReadOnly(false);
        DatabaseMetaData md = c.getMetaData();
        assertEquals("Cairn", md.getDatabaseProductName());
        assertEquals("", md.getSQLKeywords());
        assertEquals("\"", md.getIdentifierQuoteString());
        update("PUT 'orders:1' 'x'"); // a prefix table: answers queries, not listed
        try (dev.cairn.api.Namespaces store = dev.cairn.api.Stores.open("mem:" + memoryName)) {
            store.namespace("orders"); // a namespace (as a JCache cache of this store makes): listed
        }
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME"));
            }
        }
        assertEquals(List.of("KV", "orders"), tables);
        List<String> columns = new ArrayList<>();
        try (ResultSet rs = md.getColumns(null, "CAIRN", "orders", null)) {
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE"));
            }
        }
        assertEquals(List.of("KEY:12", "VALUE:12", "TTL:-5", "VERSION:12"), columns);
        try (ResultSet pk = md.getPrimaryKeys(null, null, "orders")) {
            assertTrue(pk.next());
            assertEquals("KEY", pk.getString("COLUMN_NAME"));
        }
        try (ResultSet fk = md.getImportedKeys(null, null, "orders")) {
            assertEquals(14, fk.getMetaData().getColumnCount());
            assertFalse(fk.next());
        }
        try (ResultSet types = md.getTypeInfo()) {
            int n = 0;
            while (types.next()) {
                n++;
            }
            assertEquals(3, n);
        }
    }

    @Test
    void fileUrlsPersistAcrossConnections() throws Exception {
        String url = "jdbc:cairn:file:" + dir.resolve("db");
        try (Connection one = DriverManager.getConnection(url); Statement s = one.createStatement()) {
            s.executeUpdate("PUT 'durable' 'yes'");
        }
        try (Connection two = DriverManager.getConnection(url); Statement s = two.createStatement();
             ResultSet rs = s.executeQuery("GET 'durable'")) {
            assertTrue(rs.next());
            assertEquals("yes", rs.getString("value"));
        }
    }
}
