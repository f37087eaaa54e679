package dev.cairn.jdbc;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a result: materialized when the statement bounds them (a LIMIT, a key), or
 * {@link Paged}, read a page at a time as the result set advances, when it does not.
 *
 * <p>Typing rule for {@code key} and {@code value}: a column is {@code VARCHAR}, and its values
 * {@code String}s, when every value of that column in the result is valid UTF-8 — for a paged
 * result, every value of its first page; otherwise the column is {@code VARBINARY} and its values
 * {@code byte[]}. So a tool sees one type per column, text stays text, and binary data is never
 * mangled by a lossy decode (a later value of a text column that is not UTF-8 stays bytes, and
 * {@code getString} gives its hex). {@code getBytes} always gives the raw bytes.
 */
record ResultData(List<Column> columns, List<Object[]> rows) {
    /** Whether row {@code i} exists (reading the next page of a paged result when it gets there). */
    boolean has(int i) throws java.sql.SQLException {
        return rows instanceof Paged p ? p.has(i) : i < rows.size();
    }

    /** Reads the next page after a key: up to {@code limit} rows in key order after {@code after} (null: from the start). */
    interface PageReader {
        List<Row> read(byte[] after, int limit) throws java.sql.SQLException;
    }

    /**
     * Rows read a page at a time, forward only: only the current page is held, so a result of
     * any size takes the memory of one page. {@link #get} answers for the current page only (the
     * result set reads forward).
     */
    static final class Paged extends java.util.AbstractList<Object[]> {
        static final int PAGE = 1000;
        private final PageReader reader;
        private final java.util.function.Function<Row, Object[]> project;
        private List<Row> page;
        private int base;
        private boolean last;

        Paged(List<Row> first, PageReader reader, java.util.function.Function<Row, Object[]> project) {
            this.page = first;
            this.reader = reader;
            this.project = project;
            this.last = first.size() < PAGE;
        }

        boolean has(int i) throws java.sql.SQLException {
            while (i >= base + page.size() && !last) {
                byte[] after = page.isEmpty() ? null : page.get(page.size() - 1).key();
                base += page.size();
                page = reader.read(after, PAGE);
                last = page.size() < PAGE;
            }
            return i >= base && i < base + page.size();
        }

        @Override
        public Object[] get(int i) {
            if (i < base || i >= base + page.size()) {
                throw new IndexOutOfBoundsException("row " + i + " is not on the current page (results read forward)");
            }
            return project.apply(page.get(i - base));
        }

        /** The rows seen so far plus the current page; the whole size is not known until the end. */
        @Override
        public int size() {
            return base + page.size();
        }

        @Override
        public boolean isEmpty() {
            return base == 0 && page.isEmpty();
        }
    }

    /** A result over {@code first} (the first page) and what {@code reader} reads after it, typed by the first page. */
    static ResultData paged(List<Row> first, PageReader reader, List<String> columns, List<String> labels, int prefixLength) {
        Typing t = typing(first, columns, labels, prefixLength);
        // later pages were not typed: a value of a text column that is not UTF-8 stays bytes
        return new ResultData(t.columns(), new Paged(first, reader, projection(columns, prefixLength, t, true)));
    }

    static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Rows of key/value/ttl/version projected to {@code columns} with {@code labels}; keys shown without the table prefix. */
    static ResultData of(List<Row> rows, List<String> columns, List<String> labels, int prefixLength) {
        Typing t = typing(rows, columns, labels, prefixLength);
        java.util.function.Function<Row, Object[]> project = projection(columns, prefixLength, t, false);
        List<Object[]> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(project.apply(r));
        }
        return new ResultData(t.columns(), out);
    }

    /** The columns of a result, and whether its key and value columns are text (every value of {@code rows} UTF-8). */
    private record Typing(List<Column> columns, boolean keysText, boolean valuesText) {
    }

    private static Typing typing(List<Row> rows, List<String> columns, List<String> labels, int prefixLength) {
        boolean keysText = true;
        boolean valuesText = true;
        for (Row r : rows) {
            keysText &= isUtf8(tail(r.key(), prefixLength));
            valuesText &= isUtf8(r.value());
        }
        List<Column> cols = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            String c = columns.get(i);
            int type = switch (c) {
                case "KEY" -> keysText ? Types.VARCHAR : Types.VARBINARY;
                case "VALUE" -> valuesText ? Types.VARCHAR : Types.VARBINARY;
                default -> Types.BIGINT;
            };
            cols.add(new Column(c, labels.get(i), type));
        }
        return new Typing(cols, keysText, valuesText);
    }

    /**
     * A row's values for {@code columns}. Values of a text column become Strings; {@code recheck}
     * checks each is UTF-8 first (rows the typing did not see), keeping bytes where one is not.
     */
    private static java.util.function.Function<Row, Object[]> projection(List<String> columns, int prefixLength, Typing t,
                                                                         boolean recheck) {
        return r -> {
            Object[] values = new Object[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                values[i] = switch (columns.get(i)) {
                    case "KEY" -> text(tail(r.key(), prefixLength), t.keysText(), recheck);
                    case "VALUE" -> text(r.value(), t.valuesText(), recheck);
                    case "TTL" -> r.ttlSeconds();
                    case "VERSION" -> r.version();
                    default -> throw new IllegalStateException(columns.get(i));
                };
            }
            return values;
        };
    }

    private static Object text(byte[] b, boolean textColumn, boolean recheck) {
        return textColumn && (!recheck || isUtf8(b)) ? new String(b, StandardCharsets.UTF_8) : b;
    }

    static byte[] tail(byte[] b, int from) {
        return from == 0 ? b : java.util.Arrays.copyOfRange(b, from, b.length);
    }

    /** An empty result with the given column names, all VARCHAR (the shape of a metadata answer with no rows). */
    static ResultData empty(String... names) {
        List<Column> cols = new ArrayList<>();
        for (String n : names) {
            cols.add(new Column(n, Types.VARCHAR));
        }
        return new ResultData(cols, new ArrayList<>());
    }
}
