package dev.cairn.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Runs the SELECTs beyond the key-value subset {@link SqlParser} takes (aggregates, grouping,
 * functions, sub-selects, any ORDER BY, OFFSET/FETCH, ...): {@link CalciteEngine}, which is only
 * loaded, with Apache Calcite, when such a statement comes. Without calcite-core on the class path
 * those statements fail with SQLState 0A000 saying so; everything else works.
 */
interface QueryEngine extends AutoCloseable {
    /** The rows of {@code sql}, its {@code ?} bound to {@code params} (Strings, Longs or byte[]s) in order. */
    ResultSet query(String sql, List<Object> params, int maxRows, int timeoutSeconds) throws SQLException;

    @Override
    void close();

    /** The engine for {@code backend}, or an error saying what is missing. */
    static QueryEngine load(Backend backend) throws SQLException {
        try {
            Class.forName("org.apache.calcite.jdbc.Driver", false, QueryEngine.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new java.sql.SQLFeatureNotSupportedException("this SELECT needs the SQL engine: add "
                    + "org.apache.calcite:calcite-core to the class path (the key-value statements and simple SELECTs "
                    + "work without it)", "0A000");
        }
        return new CalciteEngine(backend);
    }
}
