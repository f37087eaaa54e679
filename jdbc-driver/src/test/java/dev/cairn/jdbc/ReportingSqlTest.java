package dev.cairn.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The SQL reporting tools send, on the embedded driver, each query's rows compared with H2's for
 * the same data (H2 is the oracle: a table {@code kv(key, value)} with the same rows). The corpus
 * names the tool each query shape comes from.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportingSqlTest {
    private Connection cairn;
    private Connection h2;

    /** The driver URL under test: embedded here, a live server in {@link RemoteReportingSqlTest}. */
    String url() throws Exception {
        return "jdbc:cairn:mem:reporting-" + System.nanoTime();
    }

    @BeforeAll
    void load() throws Exception {
        cairn = DriverManager.getConnection(url());
        h2 = DriverManager.getConnection("jdbc:h2:mem:oracle-" + System.nanoTime() + ";DATABASE_TO_LOWER=TRUE");
        try (Statement s = h2.createStatement()) {
            s.execute("create table kv (\"key\" varchar primary key, \"value\" varchar)");
        }
        try (PreparedStatement c = cairn.prepareStatement("INSERT INTO kv (key, value) VALUES (?, ?)");
             PreparedStatement o = h2.prepareStatement("insert into kv values (?, ?)")) {
            for (int i = 0; i < 200; i++) {
                String key = (i % 3 == 0 ? "user" : i % 3 == 1 ? "order" : "item") + String.format("%03d", i);
                String value = i % 5 == 0 ? "red" : i % 5 == 1 ? "green" : "blue" + (i % 7);
                for (PreparedStatement p : List.of(c, o)) {
                    p.setString(1, key);
                    p.setString(2, value);
                    p.executeUpdate();
                }
            }
        }
    }

    @AfterAll
    void close() throws Exception {
        cairn.close();
        h2.close();
    }

    private List<List<Object>> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<List<Object>> out = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.add(v instanceof Number n ? (Object) n.longValue() : v == null ? null : v.toString());
                }
                out.add(row);
            }
            return out;
        }
    }

    /** The query on Cairn, and (with the key and value columns quoted, as H2 needs) on H2. */
    private void same(String tool, String sql, boolean ordered) throws SQLException {
        String oracle = sql.replaceAll("(?i)\\bkey\\b(?![^']*'(?:[^']*'[^']*')*[^']*$)", "\"key\"")
                .replaceAll("(?i)\\bvalue\\b(?![^']*'(?:[^']*'[^']*')*[^']*$)", "\"value\"");
        List<List<Object>> expected = rows(h2, oracle);
        List<List<Object>> got = rows(cairn, sql);
        if (!ordered) {
            expected.sort((a, b) -> Objects.toString(a).compareTo(Objects.toString(b)));
            got.sort((a, b) -> Objects.toString(a).compareTo(Objects.toString(b)));
        }
        assertEquals(expected, got, tool + ": " + sql);
    }

    @Test
    void theStatementsTheIssueListed() throws SQLException {
        same("issue", "SELECT COUNT(*) FROM kv", true);
        same("issue", "SELECT key, value FROM kv WHERE key LIKE 'user%' ORDER BY key DESC", true);
        same("issue", "SELECT key, value FROM kv WHERE 1=0", true);
        same("issue", "SELECT key, value FROM kv /* comment */ ORDER BY key LIMIT 1", true);
        same("issue", "SELECT UPPER(value) FROM kv", false);
        same("issue", "SELECT value, COUNT(*) FROM kv GROUP BY value", false);
        same("the root README", "SELECT value, COUNT(*) FROM kv GROUP BY value ORDER BY 2 DESC", false);
    }

    @Test
    void whatReportingToolsSend() throws SQLException {
        // JasperReports / BIRT: the user's query wrapped to count or page it
        same("JasperReports", "SELECT COUNT(*) FROM (SELECT key, value FROM kv WHERE key LIKE 'order%') t", true);
        same("BIRT", "select * from (SELECT key, value FROM kv) t where 1 = 0", true);
        // DBeaver: the data tab, sorted, paged
        same("DBeaver", "SELECT key, value FROM kv ORDER BY key ASC LIMIT 200 OFFSET 10", true);
        same("DBeaver", "SELECT key, value FROM kv ORDER BY value DESC, key LIMIT 20", true);
        // Metabase: aggregation with ordering on the aggregate, functions and casts
        same("Metabase", "SELECT value AS v, count(*) AS n FROM kv GROUP BY value ORDER BY n DESC, v ASC", true);
        same("Metabase", "SELECT LOWER(value), LENGTH(key) FROM kv WHERE key BETWEEN 'item000' AND 'item050'", false);
        same("Metabase", "SELECT CAST(COUNT(*) AS BIGINT) FROM kv WHERE value IN ('red', 'green')", true);
        // Grafana: time-series style query shape, MIN/MAX over a text column, FETCH FIRST
        same("Grafana", "SELECT MIN(key), MAX(key) FROM kv WHERE key >= 'order' AND key < 'orderz'", true);
        same("Grafana", "SELECT key FROM kv ORDER BY key FETCH FIRST 5 ROWS ONLY", true);
        // sqlline / anyone: DISTINCT, OR, SUBSTRING, COALESCE
        same("sqlline", "SELECT DISTINCT value FROM kv WHERE key LIKE 'i%' OR key = 'user000'", false);
        same("sqlline", "SELECT SUBSTRING(key FROM 1 FOR 4) AS kind, COUNT(*) FROM kv GROUP BY SUBSTRING(key FROM 1 FOR 4)", false);
    }

    @Test
    void aKeyEqualityStaysAPointReadAndAPrefixWithLimitReadsAboutAPage() throws SQLException {
        List<List<Object>> one = rows(cairn, "SELECT key, value FROM kv WHERE key = 'user003' AND value <> 'x'");
        assertEquals(List.of(List.of("user003", "blue3")), one);
    }

    @Test
    void preparedQueriesBindTheirParameters() throws SQLException {
        try (PreparedStatement ps = cairn.prepareStatement("SELECT COUNT(*) FROM kv WHERE key LIKE ? AND value <> ?")) {
            ps.setString(1, "user%");
            ps.setString(2, "red");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                long n = rs.getLong(1);
                assertEquals(rows(h2, "select count(*) from kv where \"key\" like 'user%' and \"value\" <> 'red'").get(0).get(0), n);
            }
        }
    }
}
