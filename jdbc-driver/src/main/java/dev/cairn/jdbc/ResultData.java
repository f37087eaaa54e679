package dev.cairn.jdbc;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a result, materialized (results are bounded by their LIMIT).
 *
 * <p>Typing rule for {@code key} and {@code value}: a column is {@code VARCHAR}, and its values
 * {@code String}s, when every value of that column in the result is valid UTF-8; otherwise the
 * column is {@code VARBINARY} and its values {@code byte[]}. So a tool sees one type per column,
 * text stays text, and binary data is never mangled by a lossy decode. {@code getBytes} always
 * gives the raw bytes.
 */
record ResultData(List<Column> columns, List<Object[]> rows) {

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
        List<Object[]> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Object[] values = new Object[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                values[i] = switch (columns.get(i)) {
                    case "KEY" -> text(tail(r.key(), prefixLength), keysText);
                    case "VALUE" -> text(r.value(), valuesText);
                    case "TTL" -> r.ttlSeconds();
                    case "VERSION" -> r.version();
                    default -> throw new IllegalStateException(columns.get(i));
                };
            }
            out.add(values);
        }
        return new ResultData(cols, out);
    }

    private static Object text(byte[] b, boolean asText) {
        return asText ? new String(b, StandardCharsets.UTF_8) : b;
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
