package dev.cairn.jdbc;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement, and when created by {@code prepareStatement} a prepared one: its SQL is parsed
 * once, and each execution binds the {@code ?} parameters. Parameters are bytes: strings as UTF-8,
 * {@code byte[]} as is, numbers as their decimal text.
 */
final class CairnStatement extends UnsupportedPreparedStatement {
    private final CairnConnection connection;
    private final Sql prepared;
    private final String preparedSql;
    private final List<byte[]> params = new ArrayList<>();
    private final List<Object> batch = new ArrayList<>();
    private ResultSet resultSet;
    private long updateCount = -1;
    private List<byte[]> writtenKeys = List.of();
    private boolean closed;
    private int maxRows;
    private int fetchSize;
    private int queryTimeout;
    /** Set by {@link #cancel} from another thread; a streamed result checks it before each page. */
    private volatile boolean cancelled;
    private boolean closeOnCompletion;

    CairnStatement(CairnConnection connection, String sql) throws SQLException {
        this.connection = connection;
        this.preparedSql = sql;
        this.prepared = sql == null ? null : parse(sql);
    }

    /**
     * The statement as the driver runs it: the key-value subset through {@link SqlParser}; a query
     * the parser does not take (an aggregate, a function, a sub-select, ...) through the SQL engine.
     */
    static Sql parse(String sql) throws SQLException {
        try {
            return SqlParser.parse(sql);
        } catch (java.sql.SQLSyntaxErrorException | java.sql.SQLFeatureNotSupportedException e) {
            if (isQuery(sql)) {
                return new Sql.EngineQuery(sql);
            }
            throw e;
        }
    }

    /** Whether {@code sql}, after leading blanks and comments, starts a query: SELECT, WITH, VALUES or a parenthesis. */
    static boolean isQuery(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (sql.startsWith("--", i)) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        String rest = sql.substring(i).toLowerCase(java.util.Locale.ROOT);
        return rest.startsWith("select") || rest.startsWith("with") || rest.startsWith("values") || rest.startsWith("(");
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("statement is closed", "HY010");
        }
        connection.checkOpen();
    }

    private boolean run(Sql sql, List<byte[]> bound) throws SQLException {
        checkOpen();
        if (resultSet != null) {
            resultSet.close();
            resultSet = null;
        }
        if (sql instanceof Sql.EngineQuery q) {
            List<Object> args = new ArrayList<>(bound.size());
            for (int i = 0; i < bound.size(); i++) {
                if (bound.get(i) == null) {
                    throw new SQLException("parameter " + (i + 1) + " is not set", "07001");
                }
                args.add(bound.get(i));
            }
            resultSet = connection.queryEngine().query(q.text(), args, maxRows, queryTimeout);
            writtenKeys = List.of();
            updateCount = -1;
            return true;
        }
        boolean writes = !(sql instanceof Sql.Get || sql instanceof Sql.Scan || sql instanceof Sql.Select
                || sql instanceof Sql.SelectConstant);
        if (writes) {
            connection.beforeWrite();
        }
        cancelled = false;
        long deadline = queryTimeout > 0 ? System.nanoTime() + queryTimeout * 1_000_000_000L : Long.MAX_VALUE;
        Executor.Outcome outcome = connection.executor().run(sql, bound, maxRows, () -> {
            if (cancelled) {
                throw new SQLException("the statement was cancelled", "57014");
            }
            if (System.nanoTime() > deadline) {
                throw new java.sql.SQLTimeoutException("the query ran past its timeout of " + queryTimeout + " s", "57014");
            }
        });
        writtenKeys = outcome.writtenKeys();
        if (outcome.rows() != null) {
            resultSet = new CairnResultSet(this, outcome.rows());
            updateCount = -1;
            return true;
        }
        updateCount = outcome.updateCount();
        return false;
    }

    // ---- Statement

    /**
     * Stops the running query: a streamed result fails at its next page with SQLState 57014; a
     * query on the SQL engine is cancelled there. Writes are single steps and are not cancelled.
     */
    @Override
    public void cancel() throws SQLException {
        cancelled = true;
        ResultSet rs = resultSet;
        if (rs != null && !(rs instanceof CairnResultSet)) {
            Statement engine = rs.getStatement();
            if (engine != null) {
                engine.cancel();
            }
        }
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        if (!run(parse(sql), List.of())) {
            throw new SQLException("the statement returned no rows: " + sql, "07000");
        }
        return resultSet;
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        if (run(parse(sql), List.of())) {
            throw new SQLException("the statement returned rows; use executeQuery: " + sql, "07000");
        }
        return (int) updateCount;
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        return run(parse(sql), List.of());
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return executeUpdate(sql);
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return executeUpdate(sql);
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return executeUpdate(sql);
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return execute(sql);
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return execute(sql);
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return execute(sql);
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        return executeUpdate(sql);
    }

    /** The keys the last INSERT, PUT or UPDATE wrote (without the table prefix), in column KEY. */
    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        checkOpen();
        List<Row> rows = new ArrayList<>();
        for (byte[] k : writtenKeys) {
            rows.add(new Row(k, new byte[0], null, null));
        }
        return new CairnResultSet(this, ResultData.of(rows, List.of("KEY"), List.of("KEY"), 0));
    }

    @Override
    public ResultSet getResultSet() {
        return resultSet;
    }

    @Override
    public int getUpdateCount() {
        return (int) updateCount;
    }

    @Override
    public long getLargeUpdateCount() {
        return updateCount;
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        if (resultSet != null) {
            resultSet.close();
            resultSet = null;
        }
        updateCount = -1;
        return false;
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        return getMoreResults();
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        checkOpen();
        batch.add(parse(sql));
    }

    @Override
    public void clearBatch() {
        batch.clear();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        checkOpen();
        int[] counts = new int[batch.size()];
        int failed = 0;
        try {
            for (int i = 0; i < batch.size(); i++) {
                failed = i;
                Object item = batch.get(i);
                boolean rows = item instanceof Sql s ? run(s, List.of()) : run(prepared, castParams(item));
                if (rows) {
                    throw new BatchUpdateException("batch entry " + (i + 1) + " returned rows", "07000",
                            java.util.Arrays.copyOf(counts, i));
                }
                counts[i] = (int) updateCount;
            }
            return counts;
        } catch (BatchUpdateException e) {
            throw e;
        } catch (SQLException e) {
            // the counts of the entries that ran before the failing one, zeros included
            throw new BatchUpdateException(e.getMessage(), e.getSQLState(), e.getErrorCode(),
                    java.util.Arrays.copyOf(counts, failed), e);
        } finally {
            batch.clear();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<byte[]> castParams(Object item) {
        return (List<byte[]>) item;
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        closed = true;
        if (resultSet != null) {
            resultSet.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public int getMaxRows() {
        return maxRows;
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        if (max < 0) {
            throw new SQLException("max rows must not be negative", "HY024");
        }
        maxRows = max;
    }

    @Override
    public long getLargeMaxRows() {
        return maxRows;
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        setMaxRows((int) Math.min(max, Integer.MAX_VALUE));
    }

    @Override
    public int getFetchSize() {
        return fetchSize;
    }

    @Override
    public void setFetchSize(int rows) {
        fetchSize = rows;
    }

    @Override
    public int getFetchDirection() {
        return ResultSet.FETCH_FORWARD;
    }

    @Override
    public void setFetchDirection(int direction) {
        // results are always read forward
    }

    @Override
    public int getQueryTimeout() {
        return queryTimeout;
    }

    @Override
    public void setQueryTimeout(int seconds) {
        queryTimeout = seconds;
    }

    @Override
    public int getMaxFieldSize() {
        return 0;
    }

    @Override
    public void setMaxFieldSize(int max) {
        // values are returned whole
    }

    @Override
    public void setEscapeProcessing(boolean enable) {
        // no JDBC escapes are used by the supported statements
    }

    @Override
    public SQLWarning getWarnings() {
        return null;
    }

    @Override
    public void clearWarnings() {
        // no warnings are produced
    }

    @Override
    public int getResultSetType() {
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public int getResultSetConcurrency() {
        return ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public int getResultSetHoldability() {
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public boolean isPoolable() {
        return false;
    }

    @Override
    public void setPoolable(boolean poolable) {
        // nothing to pool
    }

    @Override
    public void closeOnCompletion() {
        closeOnCompletion = true;
    }

    @Override
    public boolean isCloseOnCompletion() {
        return closeOnCompletion;
    }


    // ---- PreparedStatement

    private Sql preparedSql() throws SQLException {
        if (prepared == null) {
            throw new SQLException("not a prepared statement", "HY010");
        }
        return prepared;
    }

    private void set(int index, byte[] value) throws SQLException {
        checkOpen();
        if (index < 1) {
            throw new SQLException("parameter index " + index + " out of range", "07009");
        }
        while (params.size() < index) {
            params.add(null);
        }
        params.set(index - 1, value);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        if (!run(preparedSql(), boundParameters())) {
            throw new SQLException("the statement returned no rows: " + preparedSql, "07000");
        }
        return resultSet;
    }

    /** A copy of the parameters set so far; an unset one is null and fails the statement with 07001. */
    private List<byte[]> boundParameters() {
        return new ArrayList<>(params);
    }

    @Override
    public int executeUpdate() throws SQLException {
        if (run(preparedSql(), boundParameters())) {
            throw new SQLException("the statement returned rows; use executeQuery: " + preparedSql, "07000");
        }
        return (int) updateCount;
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return executeUpdate();
    }

    @Override
    public boolean execute() throws SQLException {
        return run(preparedSql(), boundParameters());
    }

    @Override
    public void addBatch() throws SQLException {
        preparedSql();
        batch.add(boundParameters());
    }

    @Override
    public void clearParameters() {
        params.clear();
    }

    @Override
    public void setString(int i, String x) throws SQLException {
        set(i, x == null ? null : x.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void setNString(int i, String x) throws SQLException {
        setString(i, x);
    }

    @Override
    public void setBytes(int i, byte[] x) throws SQLException {
        set(i, x == null ? null : x.clone());
    }

    @Override
    public void setLong(int i, long x) throws SQLException {
        set(i, Long.toString(x).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void setInt(int i, int x) throws SQLException {
        setLong(i, x);
    }

    @Override
    public void setShort(int i, short x) throws SQLException {
        setLong(i, x);
    }

    @Override
    public void setByte(int i, byte x) throws SQLException {
        setLong(i, x);
    }

    @Override
    public void setBoolean(int i, boolean x) throws SQLException {
        setString(i, Boolean.toString(x));
    }

    @Override
    public void setDouble(int i, double x) throws SQLException {
        setString(i, Double.toString(x));
    }

    @Override
    public void setFloat(int i, float x) throws SQLException {
        setString(i, Float.toString(x));
    }

    @Override
    public void setBigDecimal(int i, BigDecimal x) throws SQLException {
        setString(i, x == null ? null : x.toPlainString());
    }

    @Override
    public void setNull(int i, int sqlType) throws SQLException {
        set(i, null);
    }

    @Override
    public void setNull(int i, int sqlType, String typeName) throws SQLException {
        set(i, null);
    }

    @Override
    public void setObject(int i, Object x) throws SQLException {
        if (x == null) {
            set(i, null);
        } else if (x instanceof byte[] b) {
            setBytes(i, b);
        } else if (x instanceof Long || x instanceof Integer || x instanceof Short || x instanceof Byte) {
            setLong(i, ((Number) x).longValue());
        } else if (x instanceof BigDecimal d) {
            setBigDecimal(i, d);
        } else {
            setString(i, x.toString());
        }
    }

    @Override
    public void setObject(int i, Object x, int targetSqlType) throws SQLException {
        if (targetSqlType == Types.VARBINARY || targetSqlType == Types.BINARY || targetSqlType == Types.LONGVARBINARY) {
            if (!(x instanceof byte[]) && x != null) {
                throw new java.sql.SQLDataException("a VARBINARY parameter takes a byte[]", "22000");
            }
        }
        setObject(i, x);
    }

    @Override
    public void setObject(int i, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        setObject(i, x, targetSqlType);
    }

    @Override
    public ResultSetMetaData getMetaData() {
        return null; // known only after execution
    }
}
