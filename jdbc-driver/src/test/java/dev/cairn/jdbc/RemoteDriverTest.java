package dev.cairn.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.server.CairnNode;
import dev.cairn.server.ServerOptions;
import dev.cairn.storage.SyncMode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** The driver against live nodes over RESP: statements, data shared with Redis clients, failover, lost connections, auth. */
class RemoteDriverTest {
    @TempDir
    Path dir;

    static CairnNode node(Path dir, String password) throws Exception {
        return CairnNode.start(new ServerOptions(0, "127.0.0.1", dir, SyncMode.NONE, password, 100, 2 * 1024 * 1024, 1024 * 1024));
    }

    /** Writes key, value, key, value, ... into database {@code db} of the server on {@code port}, as a Redis client does. */
    static void setInDatabase(int port, int db, String... keysAndValues) {
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            jedis.select(db);
            for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
                jedis.set(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void statementsAndDataSharedWithRedisClients() throws Exception {
        try (CairnNode node = node(dir.resolve("a"), null);
             Connection c = DriverManager.getConnection("jdbc:cairn://127.0.0.1:" + node.port());
             Jedis jedis = new Jedis("127.0.0.1", node.port());
             Statement s = c.createStatement()) {
            jedis.set("users:1", "Ada");
            jedis.setex("users:2", 100, "Grace");
            try (ResultSet rs = s.executeQuery("SELECT key, value, ttl, version FROM users ORDER BY key")) {
                assertTrue(rs.next());
                assertEquals("1", rs.getString("key"));
                assertEquals("Ada", rs.getString("value"));
                rs.getLong("ttl");
                assertTrue(rs.wasNull(), "no expiry");
                assertNull(rs.getObject("version"), "versions are not exposed over RESP");
                assertTrue(rs.next());
                assertEquals("Grace", rs.getString("value"));
                assertTrue(rs.getLong("ttl") > 90);
                assertFalse(rs.next());
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO users (key, value) VALUES (?, ?)")) {
                p.setString(1, "3");
                p.setString(2, "Barbara");
                assertEquals(1, p.executeUpdate());
            }
            assertEquals("Barbara", jedis.get("users:3"), "written over JDBC, read over RESP");
            assertEquals(1, s.executeUpdate("PUT 'counter' '41'"));
            try (ResultSet rs = s.executeQuery("INCR 'counter'")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getLong(1));
            }
            assertEquals("42", jedis.get("counter"));
            assertEquals(1, s.executeUpdate("UPDATE users SET value = 'Ada L.' WHERE key = '1'"));
            assertEquals("Ada L.", jedis.get("users:1"));
            assertEquals(1, s.executeUpdate("DELETE FROM users WHERE key = '3'"));
            assertFalse(jedis.exists("users:3"));
            try (ResultSet rs = s.executeQuery("SELECT key FROM kv WHERE key BETWEEN 'users:1' AND 'users:2'")) {
                assertTrue(rs.next());
                assertEquals("users:1", rs.getString(1));
                assertTrue(rs.next());
                assertFalse(rs.next());
            }
            jedis.select(3);
            jedis.set("order-7", "pen"); // database 3: the table "3"
            jedis.select(0);
            List<String> tables = new java.util.ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, null, "%", null)) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME"));
                }
            }
            assertEquals(List.of("KV", "3"), tables, "database 0 and database 3; the prefix table users is not listed");
            try (ResultSet rs = s.executeQuery("SELECT key, value FROM \"3\"")) {
                assertTrue(rs.next());
                assertEquals("order-7", rs.getString(1));
                assertFalse(rs.next());
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"3\" WHERE key LIKE 'order%'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getLong(1), "the SQL engine reads database 3");
            }
            assertEquals(1, s.executeUpdate("INSERT INTO \"3\" (key, value) VALUES ('order-8', 'ink')"));
            jedis.select(3);
            assertEquals("ink", jedis.get("order-8"), "written into database 3 over JDBC");
            jedis.select(0);
            try (ResultSet rs = s.executeQuery("GET 'counter'")) {
                assertTrue(rs.next(), "KV is database 0 again after the table of database 3 was used");
                assertEquals("42", rs.getString("value"));
            }
            SQLException out = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM \"99\""));
            assertEquals("42S02", out.getSQLState(), out.getMessage());
            assertTrue(c.isValid(1));
        }
    }

    @Test
    void failsOverToTheNextHostAndReportsALostConnectionInTheConnectionClass() throws Exception {
        CairnNode node = node(dir.resolve("b"), null);
        try (Connection c = DriverManager.getConnection("jdbc:cairn://127.0.0.1:" + deadPort() + ",127.0.0.1:" + node.port());
             Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("PUT 'k' 'v'"), "connected through the second host");
            node.close();
            SQLException lost = assertThrows(SQLException.class, () -> s.executeQuery("GET 'k'"));
            assertTrue(lost.getSQLState().startsWith("08"), lost.getSQLState() + ": " + lost.getMessage());
            assertFalse(c.isValid(1));
        } finally {
            node.close();
        }
        SQLException none = assertThrows(SQLException.class,
                () -> DriverManager.getConnection("jdbc:cairn://127.0.0.1:" + deadPort()));
        assertEquals("08001", none.getSQLState());
    }

    @Test
    void passwordsGoToTheServer() throws Exception {
        try (CairnNode node = node(dir.resolve("c"), "s3cret")) {
            String url = "jdbc:cairn://127.0.0.1:" + node.port();
            Properties good = new Properties();
            good.setProperty("password", "s3cret");
            try (Connection c = DriverManager.getConnection(url, good); Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("PUT 'k' 'v'"));
            }
            Properties bad = new Properties();
            bad.setProperty("password", "wrong");
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, bad));
            assertEquals("28000", e.getSQLState());
        }
    }
}
