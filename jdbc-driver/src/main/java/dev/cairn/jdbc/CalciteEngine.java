package dev.cairn.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;
import org.apache.calcite.DataContext;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ProjectableFilterableTable;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.Sarg;

/**
 * SELECTs through Apache Calcite, over Cairn tables that read the store the cheap way: the
 * table ({@link KeyTable}) sees the query's conditions on {@code key} and turns them into point
 * reads ({@code key = ?}, {@code key IN (…)}) or one bounded, lazily paged scan (prefix
 * {@code LIKE 'p%'}, ranges, {@code BETWEEN}), so {@code WHERE key = ?} reads one entry and
 * {@code LIKE 'p%' LIMIT 10} about one page, while Calcite evaluates everything else (it
 * re-checks every condition, so narrowing the read is all the table has to get right).
 *
 * <p>One Calcite connection per Cairn connection, made on its first such SELECT. Identifiers are
 * matched as the driver's own statements match them: unquoted ones in any case ({@code KV},
 * {@code kv}), quoted ones exactly.
 */
final class CalciteEngine implements QueryEngine {
    private final Backend backend;
    private final Connection calcite;

    CalciteEngine(Backend backend) throws SQLException {
        this.backend = backend;
        Properties info = new Properties();
        info.setProperty("lex", "JAVA");
        info.setProperty("unquotedCasing", "TO_LOWER");
        info.setProperty("quoting", "DOUBLE_QUOTE");
        info.setProperty("caseSensitive", "true");
        info.setProperty("conformance", "LENIENT");
        info.setProperty("fun", "standard,postgresql,mysql");
        calcite = new org.apache.calcite.jdbc.Driver().connect("jdbc:calcite:", info);
        CalciteConnection cc = calcite.unwrap(CalciteConnection.class);
        // the driver's schema is CAIRN; unquoted, that is "cairn" here
        schemas = List.of(cc.getRootSchema().add("cairn", new KeySchema()), cc.getRootSchema().add("CAIRN", new KeySchema()));
        cc.setSchema("cairn");
    }

    private final List<org.apache.calcite.schema.SchemaPlus> schemas;
    private final java.util.Set<String> registered = new java.util.HashSet<>();

    /**
     * Any name is a table ({@link Tables}: a namespace, or the keys {@code name:…}), but Calcite resolves a name only among the
     * tables a schema lists. So the tables a statement names are added before it runs: the
     * statement is parsed with the same settings, and every name in a FROM or JOIN (of the
     * statement and of its sub-queries) becomes a table of the schema. No data is read for it.
     */
    private void registerTables(String sql) {
        org.apache.calcite.sql.SqlNode root;
        try {
            root = org.apache.calcite.sql.parser.SqlParser.create(sql, org.apache.calcite.sql.parser.SqlParser.config()
                    .withUnquotedCasing(org.apache.calcite.avatica.util.Casing.TO_LOWER)
                    .withQuotedCasing(org.apache.calcite.avatica.util.Casing.UNCHANGED)
                    .withQuoting(org.apache.calcite.avatica.util.Quoting.DOUBLE_QUOTE)
                    .withCaseSensitive(true)
                    .withConformance(org.apache.calcite.sql.validate.SqlConformanceEnum.LENIENT)).parseQuery();
        } catch (org.apache.calcite.sql.parser.SqlParseException e) {
            return; // Calcite reports it when the statement runs
        }
        List<String> names = new ArrayList<>();
        root.accept(new org.apache.calcite.sql.util.SqlBasicVisitor<Void>() {
            @Override
            public Void visit(org.apache.calcite.sql.SqlCall call) {
                if (call instanceof org.apache.calcite.sql.SqlSelect select && select.getFrom() != null) {
                    from(select.getFrom(), names);
                }
                return super.visit(call);
            }
        });
        for (String name : names) {
            if (registered.add(name)) {
                for (org.apache.calcite.schema.SchemaPlus schema : schemas) {
                    schema.add(name, tableFor(name));
                }
            }
        }
    }

    /** The table names in a FROM clause: plain, aliased ({@code t AS x}), or joined. */
    private static void from(org.apache.calcite.sql.SqlNode node, List<String> names) {
        if (node instanceof org.apache.calcite.sql.SqlIdentifier id) {
            names.add(id.names.get(id.names.size() - 1));
        } else if (node instanceof org.apache.calcite.sql.SqlJoin join) {
            from(join.getLeft(), names);
            from(join.getRight(), names);
        } else if (node instanceof org.apache.calcite.sql.SqlBasicCall call && call.getKind() == SqlKind.AS) {
            from(call.operand(0), names);
        }
    }

    private Table tableFor(String name) {
        return new KeyTable(name);
    }

    @Override
    public ResultSet query(String sql, List<Object> params, int maxRows, int timeoutSeconds) throws SQLException {
        try {
            return run(sql, params, maxRows, timeoutSeconds);
        } catch (SQLException | RuntimeException e) {
            throw translate(sql, e);
        }
    }

    /**
     * Calcite's errors as the driver's: a statement it cannot parse or whose names do not resolve
     * is {@code 42000} (SQLSyntaxErrorException, with Calcite's line and column), something it
     * does not implement {@code 0A000}, and a failure of the store underneath keeps its own class.
     */
    private static SQLException translate(String sql, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException own && !(own.getCause() == null && own.getSQLState() == null)
                    && own.getClass() != SQLException.class) {
                return own; // the store's own error, already classified
            }
            if (t instanceof org.apache.calcite.sql.parser.SqlParseException p) {
                return new java.sql.SQLSyntaxErrorException("syntax error: " + p.getMessage() + " in: " + sql, "42000", e);
            }
            if (t instanceof org.apache.calcite.runtime.CalciteContextException c) {
                return new java.sql.SQLSyntaxErrorException(c.getMessage() + " in: " + sql, "42000", e);
            }
            if (t instanceof UnsupportedOperationException u) {
                return new java.sql.SQLFeatureNotSupportedException("not supported: " + u.getMessage() + " in: " + sql, "0A000", e);
            }
        }
        return e instanceof SQLException s ? s : new SQLException(e.getMessage() + " in: " + sql, "HY000", e);
    }

    private ResultSet run(String sql, List<Object> params, int maxRows, int timeoutSeconds) throws SQLException {
        String text = quoteColumnWords(sql);
        registerTables(text);
        PreparedStatement ps = calcite.prepareStatement(text);
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            ps.setObject(i + 1, p instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : p);
        }
        if (maxRows > 0) {
            ps.setMaxRows(maxRows);
        }
        if (timeoutSeconds > 0) {
            ps.setQueryTimeout(timeoutSeconds);
        }
        ps.closeOnCompletion();
        return ps.executeQuery();
    }

    /**
     * {@code VALUE} is a reserved word of Calcite's SQL (as of the standard), while {@code value}
     * is a column of every Cairn table and the word tools and users write. Outside strings,
     * quoted identifiers and comments, each bare {@code value} becomes the quoted identifier
     * {@code "value"} before Calcite parses the statement (the standard constructs that use the
     * keyword, such as {@code NEXT VALUE FOR}, are not Cairn's). A bare word before a parenthesis
     * (a function) is upper-cased: identifiers are matched case-sensitively after unquoted ones are
     * lower-cased, and Calcite names its functions in upper case.
     */
    /** Words a parenthesis may follow that are syntax, not functions. */
    private static final java.util.Set<String> KEYWORDS_BEFORE_PARENTHESIS = java.util.Set.of("IN", "AS", "FROM", "SELECT",
            "WHERE", "AND", "OR", "NOT", "EXISTS", "VALUES", "ON", "JOIN", "USING", "OVER", "FILTER", "WITHIN", "ROW",
            "ALL", "ANY", "SOME", "UNION", "INTERSECT", "EXCEPT", "MINUS", "LATERAL", "UNNEST", "TABLE", "WITH",
            "BY", "THEN", "ELSE", "WHEN", "CASE", "END", "IS", "LIKE", "BETWEEN", "HAVING", "LIMIT", "OFFSET", "FETCH",
            "CAST", "COUNT", "SUM", "MIN", "MAX", "AVG", "EXTRACT", "SUBSTRING", "TRIM", "POSITION", "OVERLAY",
            "UPPER", "LOWER", "COALESCE", "NULLIF", "CONVERT", "TRANSLATE", "CHAR_LENGTH", "CHARACTER_LENGTH",
            "FLOOR", "CEIL", "CEILING", "INTERVAL", "DATE", "TIME", "TIMESTAMP", "GROUPING", "DISTINCT", "RECURSIVE");

    static String quoteColumnWords(String sql) {
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n) {
                    if (sql.charAt(j) == c) {
                        if (j + 1 < n && sql.charAt(j + 1) == c) {
                            j += 2; // a doubled quote inside
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                j = Math.min(j + 1, n);
                out.append(sql, i, j);
                i = j;
            } else if (sql.startsWith("--", i)) {
                int eol = sql.indexOf('\n', i);
                int j = eol < 0 ? n : eol;
                out.append(sql, i, j);
                i = j;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                int j = end < 0 ? n : end + 2;
                out.append(sql, i, j);
                i = j;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_' || sql.charAt(j) == '$')) {
                    j++;
                }
                String word = sql.substring(i, j);
                int next = j;
                while (next < n && Character.isWhitespace(sql.charAt(next))) {
                    next++;
                }
                if (word.equalsIgnoreCase("value")) {
                    out.append("\"value\"");
                } else if (next < n && sql.charAt(next) == '(' && !KEYWORDS_BEFORE_PARENTHESIS.contains(word.toUpperCase(java.util.Locale.ROOT))) {
                    // a function: Calcite's are named in upper case and looked up case-sensitively,
                    // after unquoted names are lower-cased; quoted, the name keeps its case
                    out.append('"').append(word.toUpperCase(java.util.Locale.ROOT)).append('"');
                } else {
                    out.append(word);
                }
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        try {
            calcite.close();
        } catch (SQLException e) {
            // nothing to give back
        }
    }

    /**
     * Every table name is a table ({@link Tables}: {@code kv}, a namespace, or the keys
     * {@code t:…}). Names are looked up as written (lower case unless quoted), so nothing is
     * listed up front and no data is read to find tables.
     */
    private final class KeySchema implements org.apache.calcite.schema.Schema {
        @Override
        public Table getTable(String name) {
            return name.equals("kv") || name.equals("KV") ? tableFor(name) : null;
        }

        @Override
        public java.util.Set<String> getTableNames() {
            return java.util.Set.of("kv", "KV");
        }

        @Override
        public org.apache.calcite.rel.type.RelProtoDataType getType(String name) {
            return null;
        }

        @Override
        public java.util.Set<String> getTypeNames() {
            return java.util.Set.of();
        }

        @Override
        public java.util.Collection<org.apache.calcite.schema.Function> getFunctions(String name) {
            return List.of();
        }

        @Override
        public java.util.Set<String> getFunctionNames() {
            return java.util.Set.of();
        }

        @Override
        public org.apache.calcite.schema.Schema getSubSchema(String name) {
            return null;
        }

        @Override
        public java.util.Set<String> getSubSchemaNames() {
            return java.util.Set.of();
        }

        @Override
        public org.apache.calcite.linq4j.tree.Expression getExpression(org.apache.calcite.schema.SchemaPlus parent, String name) {
            return org.apache.calcite.schema.Schemas.subSchemaExpression(parent, name, getClass());
        }

        @Override
        public boolean isMutable() {
            return false;
        }

        @Override
        public org.apache.calcite.schema.Schema snapshot(org.apache.calcite.schema.SchemaVersion version) {
            return this;
        }
    }

    /** The columns: key, value, ttl (seconds left, null: none), version. */
    final class KeyTable extends AbstractTable implements ProjectableFilterableTable {
        private final String name;

        KeyTable(String name) {
            this.name = name;
        }

        @Override
        public RelDataType getRowType(RelDataTypeFactory f) {
            return f.builder()
                    .add("key", f.createTypeWithNullability(f.createSqlType(SqlTypeName.VARCHAR), false))
                    .add("value", f.createTypeWithNullability(f.createSqlType(SqlTypeName.VARCHAR), true))
                    .add("ttl", f.createTypeWithNullability(f.createSqlType(SqlTypeName.BIGINT), true))
                    .add("version", f.createTypeWithNullability(f.createSqlType(SqlTypeName.VARCHAR), true))
                    .build();
        }

        @Override
        public Enumerable<Object[]> scan(DataContext root, List<RexNode> filters, int[] projects) {
            Reads reads = new Reads();
            for (RexNode f : filters) {
                reads.narrow(f, root);
            }
            int[] columns = projects == null ? new int[] {0, 1, 2, 3} : projects;
            return new AbstractEnumerable<>() {
                @Override
                public Enumerator<Object[]> enumerator() {
                    try {
                        // resolved as the rows are read: a namespace made since the statement was
                        // first seen is the table from then on
                        return new RowEnumerator(reads, columns, Tables.resolve(backend, name));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                }
            };
        }

        /** Which entries to read: some keys, or one range (with a prefix), narrowed by each condition. */
        private final class Reads {
            List<String> points; // null: a scan
            String low; // inclusive
            String high; // exclusive
            String likePrefix;

            void narrow(RexNode f, DataContext root) {
                if (!(f instanceof RexCall call) || call.getOperands().isEmpty()
                        || !(call.getOperands().get(0) instanceof RexInputRef ref) || ref.getIndex() != 0) {
                    return;
                }
                SqlKind kind = call.getKind();
                if (kind == SqlKind.SEARCH && call.getOperands().get(1) instanceof RexLiteral lit) {
                    Sarg<?> sarg = lit.getValueAs(Sarg.class);
                    if (sarg == null || sarg.nullAs == org.apache.calcite.rex.RexUnknownAs.TRUE) {
                        return;
                    }
                    if (sarg.isPoints()) {
                        List<String> keys = new ArrayList<>();
                        for (Object r : sarg.rangeSet.asRanges()) {
                            com.google.common.collect.Range<?> range = (com.google.common.collect.Range<?>) r;
                            keys.add(text(range.lowerEndpoint()));
                        }
                        points(keys);
                    } else if (!sarg.rangeSet.isEmpty()) {
                        com.google.common.collect.Range<?> span = sarg.rangeSet.span();
                        if (span.hasLowerBound()) {
                            above(text(span.lowerEndpoint()));
                        }
                        if (span.hasUpperBound()) {
                            String h = text(span.upperEndpoint());
                            below(span.upperBoundType() == com.google.common.collect.BoundType.CLOSED ? h + '\0' : h);
                        }
                    }
                    return;
                }
                if (call.getOperands().size() != 2) {
                    return;
                }
                String v = value(call.getOperands().get(1), root);
                if (v == null) {
                    return;
                }
                switch (kind) {
                    case EQUALS -> points(List.of(v));
                    case GREATER_THAN, GREATER_THAN_OR_EQUAL -> above(v);
                    case LESS_THAN -> below(v);
                    case LESS_THAN_OR_EQUAL -> below(v + '\0');
                    case LIKE -> {
                        int wild = firstWildcard(v);
                        if (wild > 0) {
                            String p = v.substring(0, wild);
                            likePrefix = likePrefix == null || p.startsWith(likePrefix) ? p : likePrefix;
                        } else if (wild < 0) {
                            points(List.of(v));
                        }
                    }
                    default -> {
                    }
                }
            }

            private void points(List<String> keys) {
                if (points == null) {
                    points = new ArrayList<>(keys);
                } else {
                    points.retainAll(keys);
                }
            }

            private void above(String v) {
                low = low == null || v.compareTo(low) > 0 ? v : low;
            }

            private void below(String v) {
                high = high == null || v.compareTo(high) < 0 ? v : high;
            }

            private String value(RexNode n, DataContext root) {
                if (n instanceof RexLiteral lit) {
                    return text(lit.getValue());
                }
                if (n instanceof RexDynamicParam p) {
                    Object v = root.get("?" + p.getIndex());
                    return v == null ? null : v.toString();
                }
                return null;
            }
        }

        private static String text(Object v) {
            if (v instanceof NlsString s) {
                return s.getValue();
            }
            return v == null ? null : v.toString();
        }

        private static int firstWildcard(String p) {
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c == '%' || c == '_') {
                    return i;
                }
                if (c == '\\') {
                    return i; // an escape: take the prefix before it
                }
            }
            return -1;
        }

        /** The rows, read as the conditions allow: point reads, or scan pages that grow from 16 entries. */
        private final class RowEnumerator implements Enumerator<Object[]> {
            private final Reads reads;
            private final int[] columns;
            private final Tables.Target target;
            private final byte[] prefix;
            private List<Row> page = List.of();
            private int index = -1;
            private int pointIndex;
            private byte[] after;
            private boolean done;
            private int pageSize = 16;
            private Object[] current;

            RowEnumerator(Reads reads, int[] columns, Tables.Target target) {
                this.reads = reads;
                this.columns = columns;
                this.target = target;
                this.prefix = target.prefix();
            }

            @Override
            public Object[] current() {
                if (current == null) {
                    throw new NoSuchElementException();
                }
                return current;
            }

            @Override
            public boolean moveNext() {
                try {
                    while (true) {
                        if (index + 1 < page.size()) {
                            index++;
                            current = project(page.get(index));
                            return true;
                        }
                        if (done || !fetch()) {
                            current = null;
                            return false;
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }

            /** The next batch of rows; false when there are no more. */
            private boolean fetch() throws SQLException {
                index = -1;
                if (reads.points != null) {
                    List<Row> rows = new ArrayList<>();
                    java.util.TreeSet<String> distinct = new java.util.TreeSet<>(reads.points);
                    for (String k : distinct) {
                        if (reads.likePrefix != null && !k.startsWith(reads.likePrefix)) {
                            continue;
                        }
                        Row r = target.backend().get(storeKey(k));
                        if (r != null) {
                            rows.add(r);
                        }
                    }
                    page = rows;
                    done = true;
                    return !rows.isEmpty();
                }
                byte[] start = after != null ? dev.cairn.api.ByteStrings.successor(after) : reads.low == null ? null : storeKey(reads.low);
                byte[] end = reads.high == null ? null : storeKey(reads.high);
                byte[] scanPrefix = reads.likePrefix == null ? (prefix.length == 0 ? null : prefix) : storeKey(reads.likePrefix);
                if (start == null && prefix.length > 0) {
                    start = prefix;
                }
                page = target.backend().scan(start, end, scanPrefix, pageSize);
                if (page.size() < pageSize) {
                    done = true;
                }
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).key();
                }
                pageSize = Math.min(pageSize * 4, 4096);
                return !page.isEmpty();
            }

            private Object[] project(Row r) {
                Object[] out = new Object[columns.length];
                for (int i = 0; i < columns.length; i++) {
                    out[i] = switch (columns[i]) {
                        case 0 -> new String(r.key(), prefix.length, r.key().length - prefix.length, StandardCharsets.UTF_8);
                        case 1 -> r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
                        case 2 -> r.ttlSeconds();
                        default -> r.version();
                    };
                }
                return out;
            }

            @Override
            public void reset() {
                page = List.of();
                index = -1;
                after = null;
                done = false;
                pageSize = 16;
            }

            @Override
            public void close() {
            }

            private byte[] storeKey(String k) {
                return target.storeKey(k.getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
