package dev.cairn.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/** Column descriptions of a result (see {@link ResultData} for the typing rule). */
final class CairnResultSetMetaData extends UnsupportedResultSetMetaData {
    private final List<Column> columns;

    CairnResultSetMetaData(List<Column> columns) {
        this.columns = columns;
    }

    private Column column(int i) throws SQLException {
        if (i < 1 || i > columns.size()) {
            throw new SQLException("column index " + i + " out of range 1.." + columns.size(), "42S22");
        }
        return columns.get(i - 1);
    }

    @Override
    public int getColumnCount() {
        return columns.size();
    }

    @Override
    public String getColumnName(int i) throws SQLException {
        return column(i).name();
    }

    @Override
    public String getColumnLabel(int i) throws SQLException {
        return column(i).label();
    }

    @Override
    public int getColumnType(int i) throws SQLException {
        return column(i).type();
    }

    @Override
    public String getColumnTypeName(int i) throws SQLException {
        return switch (column(i).type()) {
            case Types.VARBINARY -> "VARBINARY";
            case Types.BIGINT -> "BIGINT";
            case Types.INTEGER -> "INTEGER";
            case Types.SMALLINT -> "SMALLINT";
            case Types.BOOLEAN -> "BOOLEAN";
            default -> "VARCHAR";
        };
    }

    @Override
    public String getColumnClassName(int i) throws SQLException {
        return switch (column(i).type()) {
            case Types.VARBINARY -> byte[].class.getName();
            case Types.BIGINT -> Long.class.getName();
            case Types.INTEGER, Types.SMALLINT -> Integer.class.getName();
            case Types.BOOLEAN -> Boolean.class.getName();
            default -> String.class.getName();
        };
    }

    @Override
    public int isNullable(int i) throws SQLException {
        String name = column(i).name();
        return name.equals("KEY") || name.equals("VALUE") ? ResultSetMetaData.columnNoNulls : ResultSetMetaData.columnNullable;
    }

    @Override
    public int getPrecision(int i) throws SQLException {
        return switch (column(i).type()) {
            case Types.BIGINT -> 19;
            case Types.INTEGER -> 10;
            case Types.SMALLINT -> 5;
            case Types.BOOLEAN -> 1;
            default -> 1024 * 1024;
        };
    }

    @Override
    public int getScale(int i) {
        return 0;
    }

    @Override
    public int getColumnDisplaySize(int i) throws SQLException {
        return switch (column(i).type()) {
            case Types.BIGINT -> 20;
            case Types.INTEGER -> 11;
            case Types.SMALLINT -> 6;
            case Types.BOOLEAN -> 5;
            default -> 64;
        };
    }

    @Override
    public boolean isSigned(int i) throws SQLException {
        int t = column(i).type();
        return t == Types.BIGINT || t == Types.INTEGER || t == Types.SMALLINT;
    }

    @Override
    public boolean isCaseSensitive(int i) throws SQLException {
        int t = column(i).type();
        return t == Types.VARCHAR || t == Types.VARBINARY;
    }

    @Override
    public boolean isSearchable(int i) throws SQLException {
        return column(i).name().equals("KEY");
    }

    @Override
    public boolean isAutoIncrement(int i) {
        return false;
    }

    @Override
    public boolean isCurrency(int i) {
        return false;
    }

    @Override
    public boolean isReadOnly(int i) throws SQLException {
        return column(i).name().equals("VERSION");
    }

    @Override
    public boolean isWritable(int i) throws SQLException {
        return !isReadOnly(i);
    }

    @Override
    public boolean isDefinitelyWritable(int i) {
        return false;
    }

    @Override
    public String getTableName(int i) {
        return "";
    }

    @Override
    public String getSchemaName(int i) {
        return "";
    }

    @Override
    public String getCatalogName(int i) {
        return "";
    }

}
