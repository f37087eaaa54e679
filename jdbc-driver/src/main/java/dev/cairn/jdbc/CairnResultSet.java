package dev.cairn.jdbc;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;

/**
 * A forward-only, read-only result over materialized rows, or rows read a page at a time. Getters convert as JDBC tools expect:
 * {@code getString} of a binary value is its hex, numbers parse from text, {@code getBytes}
 * gives text as UTF-8.
 */
final class CairnResultSet extends UnsupportedResultSet {
    private final Statement statement;
    private final ResultData data;
    private int row = -1;
    private boolean wasNull;
    private boolean closed;
    private int fetchSize;

    CairnResultSet(Statement statement, ResultData data) {
        this.statement = statement;
        this.data = data;
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("result set is closed", "24000");
        }
    }

    private Object value(int column) throws SQLException {
        checkOpen();
        if (row < 0 || !data.has(row)) {
            throw new SQLException("no current row: call next() first", "24000");
        }
        if (column < 1 || column > data.columns().size()) {
            throw new SQLException("column index " + column + " out of range 1.." + data.columns().size(), "42S22");
        }
        Object v = data.rows().get(row)[column - 1];
        wasNull = v == null;
        return v;
    }

    @Override
    public boolean next() throws SQLException {
        checkOpen();
        if (data.has(row + 1)) {
            row++;
            return true;
        }
        if (row >= 0 || data.has(0)) {
            row = Math.max(row + 1, 1); // after the last row
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean wasNull() {
        return wasNull;
    }

    @Override
    public int findColumn(String label) throws SQLException {
        List<Column> cols = data.columns();
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).label().equalsIgnoreCase(label)) {
                return i + 1;
            }
        }
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).name().equalsIgnoreCase(label)) {
                return i + 1;
            }
        }
        throw new SQLException("no column '" + label + "'", "42S22");
    }

    @Override
    public String getString(int column) throws SQLException {
        Object v = value(column);
        if (v == null) {
            return null;
        }
        return v instanceof byte[] b ? HexFormat.of().formatHex(b) : v.toString();
    }

    @Override
    public byte[] getBytes(int column) throws SQLException {
        Object v = value(column);
        if (v == null) {
            return null;
        }
        return v instanceof byte[] b ? b.clone() : v.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Object getObject(int column) throws SQLException {
        Object v = value(column);
        return v instanceof byte[] b ? b.clone() : v;
    }

    @Override
    public <T> T getObject(int column, Class<T> type) throws SQLException {
        if (type == String.class) {
            return type.cast(getString(column));
        }
        if (type == byte[].class) {
            return type.cast(getBytes(column));
        }
        if (type == Long.class) {
            long n = getLong(column);
            return wasNull ? null : type.cast(n);
        }
        if (type == Integer.class) {
            int n = getInt(column);
            return wasNull ? null : type.cast(n);
        }
        if (type == Object.class) {
            return type.cast(getObject(column));
        }
        throw new SQLDataException("cannot convert to " + type.getName(), "22000");
    }

    @Override
    public long getLong(int column) throws SQLException {
        Object v = value(column);
        if (v == null) {
            return 0;
        }
        if (v instanceof Long l) {
            return l;
        }
        String s = v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString();
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new SQLDataException("'" + s + "' is not a number", "22018");
        }
    }

    @Override
    public int getInt(int column) throws SQLException {
        long n = getLong(column);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new SQLDataException(n + " does not fit an int", "22003");
        }
        return (int) n;
    }

    @Override
    public short getShort(int column) throws SQLException {
        return (short) getInt(column);
    }

    @Override
    public byte getByte(int column) throws SQLException {
        return (byte) getInt(column);
    }

    @Override
    public boolean getBoolean(int column) throws SQLException {
        String s = getString(column);
        return s != null && (s.equals("1") || s.equalsIgnoreCase("true"));
    }

    @Override
    public double getDouble(int column) throws SQLException {
        String s = getString(column);
        try {
            return s == null ? 0 : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new SQLDataException("'" + s + "' is not a number", "22018");
        }
    }

    @Override
    public float getFloat(int column) throws SQLException {
        return (float) getDouble(column);
    }

    @Override
    public BigDecimal getBigDecimal(int column) throws SQLException {
        String s = getString(column);
        try {
            return s == null ? null : new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new SQLDataException("'" + s + "' is not a number", "22018");
        }
    }

    @Override
    public String getString(String label) throws SQLException {
        return getString(findColumn(label));
    }

    @Override
    public byte[] getBytes(String label) throws SQLException {
        return getBytes(findColumn(label));
    }

    @Override
    public Object getObject(String label) throws SQLException {
        return getObject(findColumn(label));
    }

    @Override
    public <T> T getObject(String label, Class<T> type) throws SQLException {
        return getObject(findColumn(label), type);
    }

    @Override
    public long getLong(String label) throws SQLException {
        return getLong(findColumn(label));
    }

    @Override
    public int getInt(String label) throws SQLException {
        return getInt(findColumn(label));
    }

    @Override
    public short getShort(String label) throws SQLException {
        return getShort(findColumn(label));
    }

    @Override
    public byte getByte(String label) throws SQLException {
        return getByte(findColumn(label));
    }

    @Override
    public boolean getBoolean(String label) throws SQLException {
        return getBoolean(findColumn(label));
    }

    @Override
    public double getDouble(String label) throws SQLException {
        return getDouble(findColumn(label));
    }

    @Override
    public float getFloat(String label) throws SQLException {
        return getFloat(findColumn(label));
    }

    @Override
    public BigDecimal getBigDecimal(String label) throws SQLException {
        return getBigDecimal(findColumn(label));
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        return new CairnResultSetMetaData(data.columns());
    }

    @Override
    public Statement getStatement() {
        return statement;
    }

    @Override
    public int getType() {
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public int getConcurrency() {
        return ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public int getHoldability() {
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public int getFetchDirection() {
        return ResultSet.FETCH_FORWARD;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        if (direction != ResultSet.FETCH_FORWARD) {
            throw new java.sql.SQLFeatureNotSupportedException("result sets are forward only", "0A000");
        }
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
    public SQLWarning getWarnings() {
        return null;
    }

    @Override
    public void clearWarnings() {
        // no warnings are produced
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        return row < 0 && data.has(0);
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        return row > 0 && !data.has(row) && !data.rows().isEmpty();
    }

    @Override
    public boolean isFirst() throws SQLException {
        return row == 0 && data.has(0);
    }

    @Override
    public boolean isLast() throws SQLException {
        return row >= 0 && data.has(row) && !data.has(row + 1);
    }

    @Override
    public int getRow() throws SQLException {
        return row >= 0 && data.has(row) ? row + 1 : 0;
    }

}
