package dev.cairn.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Namespaces;
import dev.cairn.api.Stores;
import dev.cairn.server.CairnNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata calls DBeaver's generic JDBC connection makes to browse a database (navigator:
 * catalogs, schemas, tables, then a table's columns, keys and indexes, then its data tab), and
 * the result-set metadata JasperReports reads from a report's query to bind its fields: embedded
 * and over RESP, with the result columns the JDBC specification lists for each call.
 */
class MetadataPathsTest {
    @TempDir
    Path dir;

    private static final List<String> TABLES = List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS",
            "TYPE_CAT", "TYPE_SCHEM", "TYPE_NAME", "SELF_REFERENCING_COL_NAME", "REF_GENERATION");
    private static final List<String> COLUMNS = List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE",
            "TYPE_NAME", "COLUMN_SIZE", "BUFFER_LENGTH", "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE", "REMARKS", "COLUMN_DEF",
            "SQL_DATA_TYPE", "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE", "SCOPE_CATALOG",
            "SCOPE_SCHEMA", "SCOPE_TABLE", "SOURCE_DATA_TYPE", "IS_AUTOINCREMENT", "IS_GENERATEDCOLUMN");
    private static final List<String> PRIMARY_KEYS = List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ",
            "PK_NAME");
    private static final List<String> INDEXES = List.of("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "NON_UNIQUE",
            "INDEX_QUALIFIER", "INDEX_NAME", "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC", "CARDINALITY", "PAGES",
            "FILTER_CONDITION");
    private static final List<String> TYPES = List.of("TYPE_NAME", "DATA_TYPE", "PRECISION", "LITERAL_PREFIX",
            "LITERAL_SUFFIX", "CREATE_PARAMS", "NULLABLE", "CASE_SENSITIVE", "SEARCHABLE", "UNSIGNED_ATTRIBUTE",
            "FIXED_PREC_SCALE", "AUTO_INCREMENT", "LOCAL_TYPE_NAME", "MINIMUM_SCALE", "MAXIMUM_SCALE", "SQL_DATA_TYPE",
            "SQL_DATETIME_SUB", "NUM_PREC_RADIX");

    @Test
    void embeddedStoreBrowsedAsDBeaverAndJasperReportsDo() throws Exception {
        String name = "metadata-" + UUID.randomUUID();
        try (Namespaces store = Stores.open("mem:" + name)) {
            store.namespace("orders").put(b("o-1"), b("pen"));
            store.namespace("orders").put(b("o-2"), b("ink"));
            try (Connection c = DriverManager.getConnection("jdbc:cairn:mem:" + name)) {
                browse(c, "orders");
            }
        }
    }

    @Test
    void serverBrowsedAsDBeaverAndJasperReportsDo() throws Exception {
        try (CairnNode node = RemoteDriverTest.node(dir.resolve("server"), null)) {
            RemoteDriverTest.setInDatabase(node.port(), 2, "o-1", "pen", "o-2", "ink");
            try (Connection c = DriverManager.getConnection("jdbc:cairn://127.0.0.1:" + node.port())) {
                browse(c, "2");
            }
        }
    }

    private void browse(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        assertEquals("Cairn", md.getDatabaseProductName());
        assertEquals("\"", md.getIdentifierQuoteString());
        // the navigator: catalogs (none), schemas, table types, tables
        try (ResultSet rs = md.getCatalogs()) {
            assertFalse(rs.next(), "no catalogs");
        }
        try (ResultSet rs = md.getSchemas()) {
            assertTrue(rs.next());
            assertEquals("CAIRN", rs.getString("TABLE_SCHEM"));
        }
        try (ResultSet rs = md.getTableTypes()) {
            assertTrue(rs.next());
            assertEquals("TABLE", rs.getString("TABLE_TYPE"));
        }
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = md.getTables(null, "CAIRN", "%", new String[] {"TABLE", "VIEW"})) {
            assertEquals(TABLES, labels(rs.getMetaData()));
            while (rs.next()) {
                assertEquals("CAIRN", rs.getString("TABLE_SCHEM"));
                assertEquals("TABLE", rs.getString("TABLE_TYPE"));
                tables.add(rs.getString("TABLE_NAME"));
            }
        }
        assertEquals(List.of("KV", table), tables);

        // the table's properties: columns, primary key, indexes, foreign keys
        List<String> columns = new ArrayList<>();
        try (ResultSet rs = md.getColumns(null, "CAIRN", table, "%")) {
            assertEquals(COLUMNS, labels(rs.getMetaData()));
            while (rs.next()) {
                assertEquals(table, rs.getString("TABLE_NAME"));
                columns.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME") + " " + rs.getInt("ORDINAL_POSITION")
                        + " " + rs.getString("IS_NULLABLE"));
            }
        }
        assertEquals(List.of("KEY VARCHAR 1 NO", "VALUE VARCHAR 2 NO", "TTL BIGINT 3 YES", "VERSION VARCHAR 4 YES"), columns);
        try (ResultSet rs = md.getPrimaryKeys(null, "CAIRN", table)) {
            assertEquals(PRIMARY_KEYS, labels(rs.getMetaData()));
            assertTrue(rs.next());
            assertEquals("KEY", rs.getString("COLUMN_NAME"));
            assertEquals(1, rs.getShort("KEY_SEQ"));
            assertFalse(rs.next());
        }
        try (ResultSet rs = md.getIndexInfo(null, "CAIRN", table, false, true)) {
            assertEquals(INDEXES, labels(rs.getMetaData()));
            assertTrue(rs.next(), "the key's index");
            assertFalse(rs.getBoolean("NON_UNIQUE"));
            assertEquals("KEY", rs.getString("COLUMN_NAME"));
            assertEquals("A", rs.getString("ASC_OR_DESC"));
            assertEquals(1, rs.getShort("ORDINAL_POSITION"));
            assertFalse(rs.next());
        }
        try (ResultSet rs = md.getImportedKeys(null, "CAIRN", table)) {
            assertEquals(14, rs.getMetaData().getColumnCount());
            assertFalse(rs.next(), "no foreign keys");
        }
        try (ResultSet rs = md.getTypeInfo()) {
            assertEquals(TYPES, labels(rs.getMetaData()));
            List<Integer> types = new ArrayList<>();
            while (rs.next()) {
                types.add(rs.getInt("DATA_TYPE"));
            }
            assertTrue(types.containsAll(List.of(Types.VARCHAR, Types.BIGINT)), "the column types are described: " + types);
        }

        // the data tab (DBeaver) and a report's query (JasperReports reads the columns' labels and classes)
        String quoted = md.getIdentifierQuoteString() + table + md.getIdentifierQuoteString();
        try (PreparedStatement ps = c.prepareStatement("SELECT key, value, ttl FROM CAIRN." + quoted + " WHERE key LIKE ? ORDER BY key")) {
            ps.setString(1, "o-%");
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData rsmd = rs.getMetaData();
                assertEquals(3, rsmd.getColumnCount());
                assertEquals(List.of("KEY", "VALUE", "TTL"), labels(rsmd).stream().map(String::toUpperCase).toList());
                assertEquals(String.class.getName(), rsmd.getColumnClassName(1));
                assertEquals(Types.VARCHAR, rsmd.getColumnType(2));
                assertEquals(Long.class.getName(), rsmd.getColumnClassName(3));
                assertTrue(rs.next());
                assertEquals("o-1", rs.getString(1));
                assertEquals("pen", rs.getString(2));
                assertTrue(rs.next());
                assertEquals("ink", rs.getString("value"));
                assertFalse(rs.next());
            }
        }
    }

    private static List<String> labels(ResultSetMetaData md) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            out.add(md.getColumnLabel(i));
        }
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
