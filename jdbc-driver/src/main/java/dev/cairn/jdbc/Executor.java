package dev.cairn.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs parsed statements against a {@link Backend}. A statement's table is resolved by
 * {@link Tables}: {@code KV}, a namespace, or the keys {@code T:…} of the default namespace (the
 * Redis convention, so {@code SET users:1 Ada} over RESP is {@code SELECT value FROM users WHERE key
 * = '1'} over JDBC). Rows show keys without the table's prefix, and writes add it.
 */
final class Executor {
    static final int DEFAULT_SCAN_LIMIT = 10_000;

    /** What a statement produced: rows, or an update count (and the keys it wrote). */
    record Outcome(ResultData rows, long updateCount, List<byte[]> writtenKeys) {
    }

    private final Backend backend;

    Executor(Backend backend) {
        this.backend = backend;
    }

    private Tables.Target target(Sql.Table table) throws SQLException {
        return Tables.resolve(backend, table == null ? null : table.name());
    }

    private static byte[] bytes(Sql.Value v, List<byte[]> params) throws SQLException {
        if (v instanceof Sql.Literal l) {
            return l.bytes();
        }
        int i = ((Sql.Param) v).index();
        if (i > params.size() || params.get(i - 1) == null) {
            throw new SQLDataException("parameter " + i + " is not set", "07001");
        }
        return params.get(i - 1);
    }

    private static Long number(Sql.Value v, List<byte[]> params, String what) throws SQLException {
        if (v == null) {
            return null;
        }
        String s = new String(bytes(v, params), StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new SQLDataException(what + " must be an integer, not '" + s + "'", "22018");
        }
    }

    private static Long ttl(Sql.Value v, List<byte[]> params) throws SQLException {
        Long t = number(v, params, "ttl");
        if (t != null && t <= 0) {
            throw new SQLDataException("ttl must be a positive number of seconds: " + t, "22003");
        }
        return t;
    }

    private static int limit(Sql.Value v, List<byte[]> params, int otherwise) throws SQLException {
        Long n = number(v, params, "LIMIT");
        if (n == null) {
            return otherwise;
        }
        if (n < 0) {
            throw new SQLDataException("LIMIT must not be negative: " + n, "22003");
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    private static final List<String> ALL = List.of("KEY", "VALUE", "TTL", "VERSION");

    /** Checked before each page a streamed result reads: throws when the statement was cancelled or timed out. */
    interface Interruption {
        void check() throws SQLException;
    }

    private Interruption interruption = () -> { };

    Outcome run(Sql sql, List<byte[]> params, int maxRows) throws SQLException {
        return run(sql, params, maxRows, () -> { });
    }

    Outcome run(Sql sql, List<byte[]> params, int maxRows, Interruption interruption) throws SQLException {
        this.interruption = interruption;
        return runChecked(sql, params, maxRows);
    }

    private Outcome runChecked(Sql sql, List<byte[]> params, int maxRows) throws SQLException {
        int cap = maxRows > 0 ? maxRows : Integer.MAX_VALUE;
        if (sql instanceof Sql.Get g) {
            Row r = backend.get(bytes(g.key(), params));
            return rows(ResultData.of(r == null ? List.of() : List.of(r), ALL, ALL, 0));
        }
        if (sql instanceof Sql.Put p) {
            byte[] key = bytes(p.key(), params);
            backend.put(key, bytes(p.value(), params), ttl(p.ttl(), params));
            return new Outcome(null, 1, List.of(key));
        }
        if (sql instanceof Sql.Delete d) {
            return new Outcome(null, backend.delete(bytes(d.key(), params)) ? 1 : 0, List.of());
        }
        if (sql instanceof Sql.Scan s) {
            byte[] prefix = s.prefix() == null ? null : bytes(s.prefix(), params);
            int n = Math.min(limit(s.limit(), params, DEFAULT_SCAN_LIMIT), cap);
            return rows(ResultData.of(n == 0 ? List.of() : backend.scan(null, null, prefix, n), ALL, ALL, 0));
        }
        if (sql instanceof Sql.Incr i) {
            Long by = number(i.by(), params, "increment");
            long value = backend.increment(bytes(i.key(), params), by == null ? 1 : by);
            List<Object[]> row = new ArrayList<>();
            row.add(new Object[] {value});
            return rows(new ResultData(List.of(new Column("VALUE", Types.BIGINT)), row));
        }
        if (sql instanceof Sql.SelectConstant c) {
            List<Object[]> row = new ArrayList<>();
            row.add(new Object[] {c.value()});
            return rows(new ResultData(List.of(new Column("1", Types.BIGINT)), row));
        }
        if (sql instanceof Sql.Select s) {
            return rows(select(s, params, cap));
        }
        if (sql instanceof Sql.Insert ins) {
            Tables.Target t = target(ins.table());
            List<byte[]> written = new ArrayList<>();
            for (List<Sql.Value> row : ins.rows()) {
                byte[] key = bytes(row.get(ins.columns().indexOf("KEY")), params);
                byte[] value = bytes(row.get(ins.columns().indexOf("VALUE")), params);
                int ttlColumn = ins.columns().indexOf("TTL");
                Long ttl = ttlColumn < 0 ? null : ttl(row.get(ttlColumn), params);
                if (!t.backend().insert(t.storeKey(key), value, ttl)) {
                    throw new SQLIntegrityConstraintViolationException("duplicate key '" + display(key) + "' in table "
                            + ins.table().name() + " (INSERT does not overwrite; PUT does)", "23505");
                }
                written.add(key);
            }
            return new Outcome(null, written.size(), written);
        }
        if (sql instanceof Sql.Update u) {
            byte[] key = bytes(u.key().key(), params);
            Tables.Target t = target(u.table());
            boolean updated = t.backend().update(t.storeKey(key), bytes(u.value(), params), ttl(u.ttl(), params));
            return new Outcome(null, updated ? 1 : 0, updated ? List.of(key) : List.of());
        }
        if (sql instanceof Sql.DeleteFrom d) {
            Tables.Target t = target(d.table());
            return new Outcome(null, t.backend().delete(t.storeKey(bytes(d.key().key(), params))) ? 1 : 0, List.of());
        }
        throw new SQLSyntaxErrorException("cannot run " + sql, "42000");
    }

    /**
     * The keys starting with {@code scanPrefix} (null: all), read a page at a time as the result
     * set advances; the statement's interruption (cancel, timeout) is checked before each page.
     */
    private ResultData streamed(Backend in, byte[] scanPrefix, Sql.Select s, int prefixLength) throws SQLException {
        Interruption check = interruption;
        ResultData.PageReader reader = (after, limit) -> {
            check.check();
            return in.scan(after == null ? null : dev.cairn.api.ByteStrings.successor(after), null, scanPrefix, limit);
        };
        return ResultData.paged(reader.read(null, ResultData.Paged.PAGE), reader, s.columns(), s.labels(), prefixLength);
    }

    private static Outcome rows(ResultData data) {
        return new Outcome(data, -1, List.of());
    }

    private static String display(byte[] b) {
        return ResultData.isUtf8(b) ? new String(b, StandardCharsets.UTF_8) : "X'" + java.util.HexFormat.of().formatHex(b) + "'";
    }

    private ResultData select(Sql.Select s, List<byte[]> params, int cap) throws SQLException {
        Tables.Target t = target(s.table());
        Backend in = t.backend();
        int prefixLength = t.prefix().length;
        int n = Math.min(limit(s.limit(), params, Integer.MAX_VALUE), cap);
        List<Row> rows;
        if (n == 0) {
            rows = List.of();
        } else if (s.where() instanceof Sql.KeyEquals eq) {
            Row r = in.get(t.storeKey(bytes(eq.key(), params)));
            rows = r == null ? List.of() : List.of(r);
        } else if (s.where() instanceof Sql.KeyBetween b) {
            byte[] low = t.storeKey(bytes(b.low(), params));
            byte[] high = t.storeKey(bytes(b.high(), params));
            rows = in.scan(low, java.util.Arrays.copyOf(high, high.length + 1), t.scanPrefix(), n);
        } else if (s.where() instanceof Sql.KeyLike like) {
            String pattern = new String(bytes(like.pattern(), params), StandardCharsets.UTF_8);
            int wild = firstWildcard(pattern);
            byte[] literal = pattern.substring(0, wild).getBytes(StandardCharsets.UTF_8);
            boolean prefixOnly = wild == pattern.length() - 1 && pattern.charAt(wild) == '%' || wild == pattern.length();
            byte[] scanPrefix = t.storeKey(literal);
            if (prefixOnly && wild == pattern.length()) {
                Row r = in.get(scanPrefix);
                rows = r == null ? List.of() : List.of(r);
            } else if (prefixOnly) {
                if (n == Integer.MAX_VALUE) {
                    return streamed(in, scanPrefix, s, prefixLength);
                }
                rows = in.scan(null, null, scanPrefix, n);
            } else {
                rows = new ArrayList<>();
                for (Row r : in.scan(null, null, scanPrefix, Integer.MAX_VALUE)) {
                    if (likeMatches(pattern, new String(ResultData.tail(r.key(), prefixLength), StandardCharsets.UTF_8))) {
                        rows.add(r);
                        if (rows.size() == n) {
                            break;
                        }
                    }
                }
            }
        } else {
            if (n == Integer.MAX_VALUE) {
                // no bound at all: stream the table a page at a time instead of loading it
                return streamed(in, t.scanPrefix(), s, prefixLength);
            }
            rows = in.scan(null, null, t.scanPrefix(), n);
        }
        return ResultData.of(rows, s.columns(), s.labels(), prefixLength);
    }

    private static int firstWildcard(String p) {
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) == '%' || p.charAt(i) == '_') {
                return i;
            }
        }
        return p.length();
    }

    /** SQL LIKE: % any run, _ any one character. */
    static boolean likeMatches(String pattern, String s) {
        return like(pattern, 0, s, 0);
    }

    private static boolean like(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '%') {
                for (int k = si; k <= s.length(); k++) {
                    if (like(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || (c != '_' && c != s.charAt(si))) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
