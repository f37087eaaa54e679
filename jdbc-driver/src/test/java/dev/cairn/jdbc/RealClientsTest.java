package dev.cairn.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cairn.server.CairnNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.sf.jasperreports.engine.JasperCompileManager;
import net.sf.jasperreports.engine.JasperFillManager;
import net.sf.jasperreports.engine.JasperPrint;
import net.sf.jasperreports.engine.JasperReport;
import net.sf.jasperreports.engine.JRPrintElement;
import net.sf.jasperreports.engine.JRPrintPage;
import net.sf.jasperreports.engine.JRPrintText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import redis.clients.jedis.Jedis;
import sqlline.SqlLine;

/** sqlline, HikariCP, Spring's JdbcTemplate and JasperReports on the driver. */
class RealClientsTest {
    @TempDir
    Path dir;

    /** Runs a sqlline script headless; returns what it printed. */
    private String sqlline(String url, String script) throws Exception {
        Path file = dir.resolve("script-" + UUID.randomUUID() + ".sql");
        Files.writeString(file, script);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream previousOut = System.out;
        PrintStream previousErr = System.err;
        PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
        try {
            System.setOut(capture);
            System.setErr(capture);
            SqlLine sqlline = new SqlLine();
            sqlline.setOutputStream(capture);
            sqlline.setErrorStream(capture);
            InputStream in = new ByteArrayInputStream(new byte[0]);
            SqlLine.Status status = sqlline.begin(new String[] {"-u", url, "-n", "", "-p", "", "--run=" + file,
                    "--outputformat=csv", "--silent=true"}, in, false);
            assertEquals(SqlLine.Status.OK, status, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(previousOut);
            System.setErr(previousErr);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static final String SCRIPT = String.join("\n",
            "PUT 'city:1' 'Lisbon';",
            "INSERT INTO city (key, value) VALUES ('2', 'Porto');",
            "SELECT key, value FROM city ORDER BY key;",
            "!tables",
            "!columns city",
            "") + "\n";

    /** What the script printed: the rows, the tables (KV and the namespace {@code table}; not the prefix table city), city's columns. */
    private static void assertScriptOutput(String out, String table) {
        assertTrue(out.contains("'1','Lisbon'"), out);
        assertTrue(out.contains("'2','Porto'"), out);
        String tables = out.substring(out.indexOf("'TABLE_CAT'"), out.indexOf("'COLUMN_NAME'"));
        assertTrue(tables.contains("'" + table + "'") && tables.contains("'KV'") && !tables.contains("'city'"),
                "!tables lists the namespaces:\n" + out);
        assertTrue(out.contains("'city','VALUE'"), "!columns lists the columns of the prefix table named:\n" + out);
    }

    @Test
    void sqllineRunsAScriptOnAnEmbeddedStore() throws Exception {
        String name = "sqlline-" + UUID.randomUUID();
        try (dev.cairn.api.Namespaces store = dev.cairn.api.Stores.open("mem:" + name)) {
            store.namespace("harbour").put("boat".getBytes(StandardCharsets.UTF_8), "Gil Eanes".getBytes(StandardCharsets.UTF_8));
            assertScriptOutput(sqlline("jdbc:cairn:mem:" + name, SCRIPT), "harbour");
        }
    }

    @Test
    void sqllineRunsAScriptAgainstALiveServer() throws Exception {
        try (CairnNode node = RemoteDriverTest.node(dir.resolve("server"), null)) {
            RemoteDriverTest.setInDatabase(node.port(), 2, "boat", "Gil Eanes");
            assertScriptOutput(sqlline("jdbc:cairn://127.0.0.1:" + node.port(), SCRIPT), "2");
            try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
                assertEquals("Porto", jedis.get("city:2"), "sqlline's INSERT is visible over RESP");
            }
        }
    }

    @Test
    void hikariValidatesAndReusesConnections() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:cairn:mem:hikari-" + UUID.randomUUID());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(1);
        config.setAutoCommit(true);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            Set<Object> physical = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                    s.executeUpdate("PUT 'n" + i + "' '" + i + "'");
                    physical.add(c.unwrap(CairnConnection.class));
                }
            }
            assertTrue(physical.size() <= 2, "the pool reused its connections: " + physical.size());
            try (Connection c = pool.getConnection()) {
                assertTrue(c.isValid(1));
            }
        }
    }

    @Test
    void jdbcTemplateQueriesAndUpdates() {
        JdbcTemplate jdbc = new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(
                "jdbc:cairn:mem:spring-" + UUID.randomUUID()));
        assertEquals(1, jdbc.update("INSERT INTO books (key, value) VALUES (?, ?)", "1", "Dune"));
        assertEquals(1, jdbc.update("INSERT INTO books (key, value) VALUES (?, ?)", "2", "Emma"));
        assertEquals("Dune", jdbc.queryForObject("SELECT value FROM books WHERE key = ?", String.class, "1"));
        List<Map<String, Object>> all = jdbc.queryForList("SELECT key, value FROM books ORDER BY key");
        assertEquals(2, all.size());
        assertEquals("Emma", all.get(1).get("VALUE"));
        assertEquals(1, jdbc.update("UPDATE books SET value = ? WHERE key = ?", "Dune Messiah", "1"));
        int[] batch = jdbc.batchUpdate("PUT ? ?", List.of(new Object[] {"books:3", "Kim"}, new Object[] {"books:4", "Ulysses"}));
        assertEquals(2, batch.length);
        assertEquals(4, jdbc.queryForList("SELECT key FROM books").size());
    }

    @Test
    void jasperReportsFillsAReportFromASelect() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:cairn:mem:jasper-" + UUID.randomUUID());
             Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO users (key, value) VALUES ('1', 'Ada'), ('2', 'Grace'), ('3', 'Barbara')");
            JasperReport report;
            try (InputStream jrxml = getClass().getResourceAsStream("/kv-report.jrxml")) {
                report = JasperCompileManager.compileReport(jrxml);
            }
            Map<String, Object> parameters = new HashMap<>();
            JasperPrint print = JasperFillManager.fillReport(report, parameters, c);
            StringBuilder text = new StringBuilder();
            for (JRPrintPage page : print.getPages()) {
                for (JRPrintElement e : page.getElements()) {
                    if (e instanceof JRPrintText t) {
                        text.append(t.getFullText()).append('|');
                    }
                }
            }
            assertEquals("1|Ada|2|Grace|3|Barbara|", text.toString());
        }
    }
}
