package dev.cairn.jdbc;

/**
 * Generated from {@link java.sql.ResultSetMetaData}: every method throws {@link java.sql.SQLFeatureNotSupportedException} naming itself.
 * Subclasses override what Cairn supports; what they leave is what is not supported.
 */
abstract class UnsupportedResultSetMetaData implements java.sql.ResultSetMetaData {
    @Override
    public java.lang.String getCatalogName(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getCatalogName is not supported by Cairn");
    }

    @Override
    public java.lang.String getColumnClassName(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getColumnClassName is not supported by Cairn");
    }

    @Override
    public int getColumnCount() throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getColumnCount is not supported by Cairn");
    }

    @Override
    public int getColumnDisplaySize(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getColumnDisplaySize is not supported by Cairn");
    }

    @Override
    public java.lang.String getColumnLabel(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getColumnLabel is not supported by Cairn");
    }

    @Override
    public java.lang.String getColumnName(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getColumnName is not supported by Cairn");
    }

    @Override
    public java.lang.String getColumnTypeName(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getColumnTypeName is not supported by Cairn");
    }

    @Override
    public int getColumnType(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getColumnType is not supported by Cairn");
    }

    @Override
    public int getPrecision(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getPrecision is not supported by Cairn");
    }

    @Override
    public int getScale(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getScale is not supported by Cairn");
    }

    @Override
    public java.lang.String getSchemaName(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getSchemaName is not supported by Cairn");
    }

    @Override
    public java.lang.String getTableName(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.getTableName is not supported by Cairn");
    }

    @Override
    public boolean isAutoIncrement(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isAutoIncrement is not supported by Cairn");
    }

    @Override
    public boolean isCaseSensitive(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isCaseSensitive is not supported by Cairn");
    }

    @Override
    public boolean isCurrency(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isCurrency is not supported by Cairn");
    }

    @Override
    public boolean isDefinitelyWritable(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isDefinitelyWritable is not supported by Cairn");
    }

    @Override
    public int isNullable(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isNullable is not supported by Cairn");
    }

    @Override
    public boolean isReadOnly(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isReadOnly is not supported by Cairn");
    }

    @Override
    public boolean isSearchable(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isSearchable is not supported by Cairn");
    }

    @Override
    public boolean isSigned(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isSigned is not supported by Cairn");
    }

    @Override
    public boolean isWrapperFor(java.lang.Class<?> a0) throws java.sql.SQLException {
        return a0.isInstance(this);
    }

    @Override
    public boolean isWritable(int a0) throws java.sql.SQLException {
        throw new java.sql.SQLFeatureNotSupportedException("ResultSetMetaData.isWritable is not supported by Cairn");
    }

    @Override
    public <T> T unwrap(java.lang.Class<T> a0) throws java.sql.SQLException {
        if (a0.isInstance(this)) {
            return a0.cast(this);
        }
        throw new java.sql.SQLException("not a wrapper for " + a0.getName());
    }
}
