package dev.cairn.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The driver as a small jar: in a JVM whose class path has no Apache Calcite, the key-value
 * statements, the simple SELECTs and the metadata work, and a query that needs the SQL engine
 * fails with 0A000 saying what to add (instead of a NoClassDefFoundError).
 */
class WithoutSqlEngineTest {
    /** Runs in the child JVM; prints one line per check. */
    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:cairn:mem:small"); Statement s = c.createStatement()) {
            s.executeUpdate("PUT 'city:1' 'Lisbon'");
            s.executeUpdate("INSERT INTO city (key, value) VALUES ('2', 'Porto')");
            try (ResultSet rs = s.executeQuery("SELECT key, value FROM city WHERE key LIKE '%' ORDER BY key LIMIT 10")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1) + "=" + rs.getString(2));
                }
                System.out.println("rows " + rows);
            }
            try (ResultSet rs = c.getMetaData().getTables(null, null, "%", null)) {
                System.out.println("tables " + rs.next());
            }
            try {
                s.executeQuery("SELECT COUNT(*) FROM city");
                System.out.println("count ran");
            } catch (SQLException e) {
                System.out.println("count " + e.getSQLState() + " " + e.getMessage());
            }
        }
    }

    @Test
    void keyValueStatementsWorkWithoutCalciteOnTheClassPath() throws Exception {
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("calcite") && !e.contains("avatica"))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(System.getProperty("java.class.path").contains("calcite"), "the test's own class path has it");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
                WithoutSqlEngineTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("rows [1=Lisbon, 2=Porto]"), out);
        assertTrue(out.contains("tables true"), out);
        assertTrue(out.contains("count 0A000") && out.contains("calcite-core"), out);
    }
}
