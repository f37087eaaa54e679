package dev.cairn.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The queries reporting tools send, through Cairn's embedded JDBC driver (memory store; the SQL
 * engine for the aggregate) and through H2 (in memory, its MVStore table with the key as primary
 * key), on the same rows, one thread. Lines {@code <query> cairn=<queries/s> h2=<queries/s> ratio=<cairn/h2>}.
 */
@Command(name = "jdbc", mixinStandardHelpOptions = true, description = "Cairn's JDBC driver vs H2 on the same rows.")
final class JdbcBench implements Callable<Integer> {
    @Option(names = "--keys", description = "rows (default ${DEFAULT-VALUE})")
    int keys = 100_000;

    @Option(names = "--seconds", description = "measured seconds per query (default ${DEFAULT-VALUE})")
    double seconds = 2.0;

    private interface Query {
        void run(Connection c, int i) throws SQLException;
    }

    @Override
    public Integer call() throws Exception {
        try (Connection cairn = DriverManager.getConnection("jdbc:cairn:mem:bench-" + System.nanoTime());
             Connection h2 = DriverManager.getConnection("jdbc:h2:mem:bench;DATABASE_TO_LOWER=TRUE")) {
            try (Statement s = h2.createStatement()) {
                s.execute("create table kv (\"key\" varchar primary key, \"value\" varchar)");
            }
            load(cairn, "INSERT INTO kv (key, value) VALUES (?, ?)");
            load(h2, "insert into kv values (?, ?)");
            System.out.printf(Locale.ROOT, "# jdbc benchmark: %d rows, embedded driver (memory) vs H2 (memory, MVStore), 1 thread, %d cores, java %s%n",
                    keys, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            line("point", cairn, h2,
                    (c, i) -> one(c, c == cairn ? "SELECT value FROM kv WHERE key = ?" : "select \"value\" from kv where \"key\" = ?",
                            key((int) ((i * 7919L) % keys))));
            line("prefix-limit-10", cairn, h2,
                    (c, i) -> count(c, c == cairn ? "SELECT key, value FROM kv WHERE key LIKE ? LIMIT 10"
                            : "select \"key\", \"value\" from kv where \"key\" like ? limit 10", String.format("k00%03d%%", i % 1000)));
            line("count-all", cairn, h2,
                    (c, i) -> one(c, "SELECT COUNT(*) FROM kv", null));
        }
        return 0;
    }

    private String key(int i) {
        return String.format("k%07d", i);
    }

    private void load(Connection c, String insert) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            for (int i = 0; i < keys; i++) {
                ps.setString(1, key(i));
                ps.setString(2, "value of row " + i);
                ps.addBatch();
                if (i % 1000 == 999) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    private static void one(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setString(1, param);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no row for " + sql + " " + param);
                }
            }
        }
    }

    private static void count(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                if (n == 0) {
                    throw new IllegalStateException("no rows for " + param);
                }
            }
        }
    }

    private void line(String name, Connection cairn, Connection h2, Query q) throws SQLException {
        double c = rate(cairn, q);
        double h = rate(h2, q);
        System.out.printf(Locale.ROOT, "%s cairn=%.0f h2=%.0f ratio=%.2f%n", name, c, h, c / h);
    }

    /** Queries per second, after a warm-up of the same length. */
    private double rate(Connection c, Query q) throws SQLException {
        for (int pass = 0; ; pass++) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long n = 0;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                q.run(c, (int) n);
                n++;
            }
            if (pass == 1) {
                return n / ((System.nanoTime() - start) / 1e9);
            }
        }
    }
}
