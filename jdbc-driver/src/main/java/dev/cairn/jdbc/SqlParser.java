package dev.cairn.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLSyntaxErrorException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the statements the driver understands into {@link Sql} commands:
 *
 * <pre>
 * GET k | PUT k v [TTL s] | DELETE k | SCAN [prefix] [LIMIT n] | INCR k [n]
 * SELECT cols FROM t [WHERE key = v | key LIKE 'p%' | key BETWEEN v AND v] [ORDER BY key [ASC]] [LIMIT n]
 * INSERT INTO t [(key, value[, ttl])] VALUES (v, v[, n]) [, (…)]
 * UPDATE t SET value = v [, ttl = n] WHERE key = v
 * DELETE FROM t WHERE key = v
 * SELECT 1                                       (a connection test)
 * </pre>
 *
 * Literals: {@code 'text'} (UTF-8; {@code ''} is a quote), {@code X'0a0b'} (bytes), numbers, and
 * {@code ?} parameters. Identifiers may be quoted ({@code "t"}, {@code `t`}, {@code [t]}) and
 * schema-qualified. A malformed statement raises {@link SQLSyntaxErrorException} with the
 * 1-based position and what was expected; SQL outside this subset (joins, aggregates, …) raises
 * {@link SQLFeatureNotSupportedException} saying what is unsupported.
 */
final class SqlParser {
    private static final Set<String> AGGREGATES = Set.of("COUNT", "SUM", "MIN", "MAX", "AVG");
    private static final Set<String> COLUMNS = Set.of("KEY", "VALUE", "TTL", "VERSION");

    private enum Kind { WORD, QUOTED, STRING, HEX, NUMBER, PARAM, SYMBOL, END }

    private record Token(Kind kind, String text, int position) {
        boolean is(String word) {
            return kind == Kind.WORD && text.equalsIgnoreCase(word);
        }

        boolean symbol(String s) {
            return kind == Kind.SYMBOL && text.equals(s);
        }

        String describe() {
            return kind == Kind.END ? "the end of the statement" : "'" + text + "'";
        }
    }

    private final String sql;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int params;

    private SqlParser(String sql) throws SQLSyntaxErrorException {
        this.sql = sql;
        tokenize();
    }

    static Sql parse(String sql) throws SQLException {
        if (sql == null) {
            throw new SQLSyntaxErrorException("the statement is null", "42000");
        }
        SqlParser p = new SqlParser(sql);
        Sql command = p.statement();
        if (p.peek().symbol(";")) {
            p.pos++;
        }
        if (p.peek().kind != Kind.END) {
            throw p.expected("the end of the statement");
        }
        return command;
    }

    // ------------------------------------------------------------------ tokens

    private void tokenize() throws SQLSyntaxErrorException {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if ((c == 'x' || c == 'X') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                int end = sql.indexOf('\'', i + 2);
                if (end < 0) {
                    throw syntax(i, "unterminated hex literal");
                }
                tokens.add(new Token(Kind.HEX, sql.substring(i + 2, end), i + 1));
                i = end + 1;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                tokens.add(new Token(Kind.WORD, sql.substring(start, i), start + 1));
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                int start = i++;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++;
                }
                tokens.add(new Token(Kind.NUMBER, sql.substring(start, i), start + 1));
            } else if (c == '\'') {
                StringBuilder sb = new StringBuilder();
                int start = i++;
                while (true) {
                    if (i >= n) {
                        throw syntax(start, "unterminated string literal");
                    }
                    char d = sql.charAt(i++);
                    if (d == '\'') {
                        if (i < n && sql.charAt(i) == '\'') {
                            sb.append('\'');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        sb.append(d);
                    }
                }
                tokens.add(new Token(Kind.STRING, sb.toString(), start + 1));
            } else if (c == '"' || c == '`' || c == '[') {
                char close = c == '[' ? ']' : c;
                int end = sql.indexOf(close, i + 1);
                if (end < 0) {
                    throw syntax(i, "unterminated quoted identifier");
                }
                tokens.add(new Token(Kind.QUOTED, sql.substring(i + 1, end), i + 1));
                i = end + 1;
            } else if (c == '?') {
                tokens.add(new Token(Kind.PARAM, "?", i + 1));
                i++;
            } else if ("(),.*=;<>!".indexOf(c) >= 0) {
                tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), i + 1));
                i++;
            } else {
                throw syntax(i, "unexpected character '" + c + "'");
            }
        }
        tokens.add(new Token(Kind.END, "", n + 1));
    }

    private SQLSyntaxErrorException syntax(int index, String message) {
        return new SQLSyntaxErrorException("syntax error at position " + (index + 1) + ": " + message, "42000");
    }

    private SQLSyntaxErrorException expected(String what) {
        Token t = peek();
        return new SQLSyntaxErrorException("syntax error at position " + t.position + ": expected " + what
                + " but found " + t.describe() + " in: " + sql, "42000");
    }

    private static SQLFeatureNotSupportedException unsupported(String what) {
        return new SQLFeatureNotSupportedException(what + " not supported: Cairn's driver runs single-table key-value statements", "0A000");
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        return tokens.get(pos++);
    }

    private void expectWord(String word) throws SQLException {
        if (!peek().is(word)) {
            throw expected(word.toUpperCase(Locale.ROOT));
        }
        pos++;
    }

    private void expectSymbol(String s) throws SQLException {
        if (!peek().symbol(s)) {
            throw expected("'" + s + "'");
        }
        pos++;
    }

    // ------------------------------------------------------------------ grammar

    private Sql statement() throws SQLException {
        Token first = peek();
        if (first.kind != Kind.WORD) {
            throw expected("a statement (GET, PUT, DELETE, SCAN, INCR, SELECT, INSERT, UPDATE)");
        }
        String word = first.text.toUpperCase(Locale.ROOT);
        pos++;
        switch (word) {
            case "GET":
                return new Sql.Get(value());
            case "PUT": {
                Sql.Value key = value();
                Sql.Value v = value();
                Sql.Value ttl = null;
                if (peek().is("TTL")) {
                    pos++;
                    ttl = number("a TTL in seconds");
                }
                return new Sql.Put(key, v, ttl);
            }
            case "DELETE":
                if (peek().is("FROM")) {
                    pos++;
                    Sql.Table t = table();
                    return new Sql.DeleteFrom(t, keyEquals());
                }
                return new Sql.Delete(value());
            case "SCAN": {
                Sql.Value prefix = null;
                if (!peek().is("LIMIT") && peek().kind != Kind.END && !peek().symbol(";")) {
                    prefix = value();
                }
                return new Sql.Scan(prefix, limit());
            }
            case "INCR": {
                Sql.Value key = value();
                Sql.Value by = peek().kind == Kind.NUMBER || peek().kind == Kind.PARAM ? number("an increment") : null;
                return new Sql.Incr(key, by);
            }
            case "SELECT":
                return select();
            case "INSERT":
                return insert();
            case "UPDATE":
                return update();
            case "CREATE", "DROP", "ALTER", "MERGE", "WITH", "CALL":
                throw unsupported(word + " statements are");
            default:
                pos--;
                throw expected("a statement (GET, PUT, DELETE, SCAN, INCR, SELECT, INSERT, UPDATE)");
        }
    }

    private Sql.Value value() throws SQLException {
        Token t = next();
        return switch (t.kind) {
            case STRING -> new Sql.Literal(t.text.getBytes(StandardCharsets.UTF_8));
            case NUMBER -> new Sql.Literal(t.text.getBytes(StandardCharsets.US_ASCII));
            case HEX -> {
                try {
                    yield new Sql.Literal(HexFormat.of().parseHex(t.text));
                } catch (IllegalArgumentException e) {
                    throw new SQLSyntaxErrorException("syntax error at position " + t.position + ": bad hex literal X'" + t.text + "'", "42000");
                }
            }
            case PARAM -> new Sql.Param(++params);
            case WORD -> {
                if (t.is("NULL")) {
                    throw new SQLSyntaxErrorException("syntax error at position " + t.position + ": NULL is not a key or value", "42000");
                }
                pos--;
                throw expected("a literal ('text', X'hex', a number) or ?");
            }
            default -> {
                pos--;
                throw expected("a literal ('text', X'hex', a number) or ?");
            }
        };
    }

    private Sql.Value number(String what) throws SQLException {
        Token t = peek();
        if (t.kind == Kind.NUMBER) {
            pos++;
            return new Sql.Literal(t.text.getBytes(StandardCharsets.US_ASCII));
        }
        if (t.kind == Kind.PARAM) {
            pos++;
            return new Sql.Param(++params);
        }
        throw expected(what);
    }

    private Sql.Value limit() throws SQLException {
        if (peek().is("LIMIT")) {
            pos++;
            return number("a row limit");
        }
        return null;
    }

    private String identifier(String what) throws SQLException {
        Token t = peek();
        if (t.kind == Kind.WORD || t.kind == Kind.QUOTED) {
            pos++;
            return t.text;
        }
        throw expected(what);
    }

    private Sql.Table table() throws SQLException {
        String first = identifier("a table name");
        if (peek().symbol(".")) {
            pos++;
            String second = identifier("a table name after the schema");
            if (peek().symbol(".")) {
                pos++;
                return new Sql.Table(second, identifier("a table name after the schema"));
            }
            return new Sql.Table(first, second);
        }
        if (peek().symbol(",") || peek().is("JOIN") || peek().is("INNER") || peek().is("LEFT") || peek().is("RIGHT")
                || peek().is("CROSS") || peek().is("FULL")) {
            throw unsupported("joins are");
        }
        return new Sql.Table(null, first);
    }

    /** A column: KEY, VALUE, TTL or VERSION, optionally qualified by a table name. */
    private String column() throws SQLException {
        Token t = peek();
        String name = identifier("a column (key, value, ttl, version)");
        if (peek().symbol(".")) {
            pos++;
            t = peek();
            name = identifier("a column (key, value, ttl, version)");
        }
        if (peek().symbol("(")) {
            throw unsupported(AGGREGATES.contains(name.toUpperCase(Locale.ROOT)) ? "aggregate functions (" + name + ") are" : "functions (" + name + ") are");
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if (!COLUMNS.contains(upper)) {
            throw new SQLSyntaxErrorException("syntax error at position " + t.position + ": unknown column '" + name
                    + "'; the columns are key, value, ttl, version", "42S22");
        }
        return upper;
    }

    private Sql select() throws SQLException {
        if (peek().is("DISTINCT")) {
            throw unsupported("DISTINCT is");
        }
        if (peek().kind == Kind.NUMBER) { // SELECT 1: a connection test
            Token t = next();
            if (peek().kind == Kind.END || peek().symbol(";")) {
                return new Sql.SelectConstant(Long.parseLong(t.text));
            }
            pos--;
        }
        List<String> columns = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        if (peek().symbol("*")) {
            pos++;
            columns.addAll(List.of("KEY", "VALUE", "TTL", "VERSION"));
            labels.addAll(columns);
        } else {
            do {
                if (peek().symbol(",")) {
                    pos++;
                }
                if (peek().symbol("(")) {
                    throw unsupported("subqueries are");
                }
                String c = column();
                String label = c;
                if (peek().is("AS")) {
                    pos++;
                    label = identifier("a column alias");
                } else if (peek().kind == Kind.QUOTED || (peek().kind == Kind.WORD && !peek().is("FROM"))) {
                    label = identifier("a column alias");
                }
                columns.add(c);
                labels.add(label);
            } while (peek().symbol(","));
        }
        expectWord("FROM");
        if (peek().symbol("(")) {
            throw unsupported("subqueries are");
        }
        Sql.Table table = table();
        if (peek().kind == Kind.WORD && !peek().is("WHERE") && !peek().is("ORDER") && !peek().is("LIMIT")
                && !peek().is("GROUP") && !peek().is("UNION") && !peek().is("JOIN") && !peek().is("INNER")
                && !peek().is("LEFT") && !peek().is("HAVING")) {
            pos++; // a table alias
        }
        if (peek().is("JOIN") || peek().is("INNER") || peek().is("LEFT")) {
            throw unsupported("joins are");
        }
        Sql.Condition where = null;
        if (peek().is("WHERE")) {
            pos++;
            where = condition();
        }
        if (peek().is("GROUP") || peek().is("HAVING")) {
            throw unsupported("GROUP BY and HAVING are");
        }
        if (peek().is("ORDER")) {
            pos++;
            expectWord("BY");
            String c = column();
            if (!c.equals("KEY")) {
                throw unsupported("ordering by " + c.toLowerCase(Locale.ROOT) + " is");
            }
            if (peek().is("DESC")) {
                throw unsupported("descending order is");
            }
            if (peek().is("ASC")) {
                pos++;
            }
        }
        if (peek().is("UNION")) {
            throw unsupported("UNION is");
        }
        return new Sql.Select(columns, labels, table, where, limit());
    }

    private Sql.Condition condition() throws SQLException {
        String c = column();
        if (!c.equals("KEY")) {
            throw unsupported("conditions on " + c.toLowerCase(Locale.ROOT) + " are");
        }
        Sql.Condition result;
        if (peek().symbol("=")) {
            pos++;
            result = new Sql.KeyEquals(value());
        } else if (peek().is("LIKE")) {
            pos++;
            result = new Sql.KeyLike(value());
        } else if (peek().is("BETWEEN")) {
            pos++;
            Sql.Value low = value();
            expectWord("AND");
            result = new Sql.KeyBetween(low, value());
        } else if (peek().is("IN")) {
            throw unsupported("IN lists are");
        } else {
            throw expected("=, LIKE or BETWEEN");
        }
        if (peek().is("AND") || peek().is("OR")) {
            throw unsupported("compound conditions (AND, OR) are");
        }
        return result;
    }

    private Sql.KeyEquals keyEquals() throws SQLException {
        expectWord("WHERE");
        Token at = peek();
        String c = column();
        if (!c.equals("KEY")) {
            throw new SQLSyntaxErrorException("syntax error at position " + at.position + ": expected key = …", "42000");
        }
        expectSymbol("=");
        Sql.KeyEquals k = new Sql.KeyEquals(value());
        if (peek().is("AND") || peek().is("OR")) {
            throw unsupported("compound conditions (AND, OR) are");
        }
        return k;
    }

    private Sql insert() throws SQLException {
        expectWord("INTO");
        Sql.Table table = table();
        List<String> columns = new ArrayList<>(List.of("KEY", "VALUE"));
        if (peek().symbol("(")) {
            pos++;
            columns.clear();
            do {
                if (peek().symbol(",")) {
                    pos++;
                }
                columns.add(column());
            } while (peek().symbol(","));
            expectSymbol(")");
            if (!columns.contains("KEY") || !columns.contains("VALUE") || columns.contains("VERSION")
                    || columns.size() != new java.util.HashSet<>(columns).size()) {
                throw new SQLSyntaxErrorException("INSERT names key and value, and optionally ttl, each once", "42000");
            }
        }
        expectWord("VALUES");
        List<List<Sql.Value>> rows = new ArrayList<>();
        do {
            if (peek().symbol(",")) {
                pos++;
            }
            expectSymbol("(");
            List<Sql.Value> row = new ArrayList<>();
            do {
                if (peek().symbol(",")) {
                    pos++;
                }
                row.add(value());
            } while (peek().symbol(","));
            expectSymbol(")");
            if (row.size() != columns.size()) {
                throw new SQLSyntaxErrorException("INSERT lists " + columns.size() + " columns but a row has " + row.size() + " values", "21S01");
            }
            rows.add(row);
        } while (peek().symbol(","));
        return new Sql.Insert(table, columns, rows);
    }

    private Sql update() throws SQLException {
        Sql.Table table = table();
        expectWord("SET");
        Sql.Value value = null;
        Sql.Value ttl = null;
        do {
            if (peek().symbol(",")) {
                pos++;
            }
            String c = column();
            expectSymbol("=");
            switch (c) {
                case "VALUE" -> value = value();
                case "TTL" -> ttl = number("a TTL in seconds");
                default -> throw unsupported("updating " + c.toLowerCase(Locale.ROOT) + " is");
            }
        } while (peek().symbol(","));
        if (value == null) {
            throw new SQLSyntaxErrorException("UPDATE must set value", "42000");
        }
        return new Sql.Update(table, value, ttl, keyEquals());
    }

}
