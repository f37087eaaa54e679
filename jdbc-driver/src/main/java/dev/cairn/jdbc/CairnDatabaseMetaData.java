package dev.cairn.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * What tools ask on connect. The tables are {@code KV} (the default namespace) and the store's other
 * namespaces (over RESP: its databases), listed from their names: no data is read to answer. Prefix
 * tables ({@code users} for keys written {@code users:…}) answer queries but are not listed
 * (see {@link Tables}). Every table has the columns {@code key} (the primary key),
 * {@code value}, {@code ttl} and {@code version}. Keys, indexes, procedures and the like answer
 * with empty result sets that have the columns the JDBC specification lists.
 */
final class CairnDatabaseMetaData extends DefaultDatabaseMetaData {
    static final String SCHEMA = "CAIRN";

    private final CairnConnection connection;

    CairnDatabaseMetaData(CairnConnection connection) {
        this.connection = connection;
    }

    private ResultSet result(ResultData data) {
        return new CairnResultSet(null, data);
    }

    private static ResultData table(String[] names, int[] types, List<Object[]> rows) {
        List<Column> cols = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            cols.add(new Column(names[i], types == null ? Types.VARCHAR : types[i]));
        }
        return new ResultData(cols, rows);
    }

    private ResultSet empty(String... names) {
        return result(ResultData.empty(names));
    }

    /**
     * The tables a name pattern matches, each to its remarks: KV and the namespaces, from their
     * names alone (no data is read); and a pattern with no wildcard names a table of its own even
     * when no namespace has that name (the prefix table: sqlline's {@code !columns city}, a tool
     * checking the table of a query before it runs it).
     */
    private java.util.Map<String, String> tables(String pattern) throws SQLException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String name : Tables.listed(connection.backend())) {
            if (matches(pattern, name)) {
                out.put(name, name.equals(Tables.DEFAULT_TABLE) ? "the default namespace" : "namespace " + name);
            }
        }
        String exact = exactName(pattern);
        if (exact != null && out.keySet().stream().noneMatch(exact::equalsIgnoreCase)) {
            out.put(exact, "the keys " + exact + ":… of the default namespace");
        }
        return out;
    }

    /** The name a pattern stands for when it has no wildcard ({@code \_} and {@code \%} are escaped ones), else null. */
    static String exactName(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                b.append(pattern.charAt(++i));
            } else if (c == '%' || c == '_') {
                return null;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean matches(String pattern, String name) {
        return pattern == null || pattern.equals("%") || Executor.likeMatches(pattern, name)
                || Executor.likeMatches(pattern.toUpperCase(), name.toUpperCase());
    }

    private static boolean schemaMatches(String pattern) {
        return pattern == null || pattern.isEmpty() || matches(pattern, SCHEMA);
    }

    @Override
    public ResultSet getTables(String catalog, String schemaPattern, String tableNamePattern, String[] types) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        boolean tables = types == null || List.of(types).stream().anyMatch(t -> t.equalsIgnoreCase("TABLE"));
        if (tables && schemaMatches(schemaPattern) && (catalog == null || catalog.isEmpty())) {
            tables(tableNamePattern).forEach((name, remarks) ->
                    rows.add(new Object[] {null, SCHEMA, name, "TABLE", remarks, null, null, null, null, null}));
        }
        return result(table(new String[] {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS",
                "TYPE_CAT", "TYPE_SCHEM", "TYPE_NAME", "SELF_REFERENCING_COL_NAME", "REF_GENERATION"}, null, rows));
    }

    private static final Object[][] COLUMNS = {
        {"KEY", Types.VARCHAR, "VARCHAR", 65536, DatabaseMetaData.columnNoNulls, "NO"},
        {"VALUE", Types.VARCHAR, "VARCHAR", 1048576, DatabaseMetaData.columnNoNulls, "NO"},
        {"TTL", Types.BIGINT, "BIGINT", 19, DatabaseMetaData.columnNullable, "YES"},
        {"VERSION", Types.VARCHAR, "VARCHAR", 41, DatabaseMetaData.columnNullable, "YES"},
    };

    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        if (schemaMatches(schemaPattern) && (catalog == null || catalog.isEmpty())) {
            for (String table : tables(tableNamePattern).keySet()) {
                for (int i = 0; i < COLUMNS.length; i++) {
                    Object[] c = COLUMNS[i];
                    if (!matches(columnNamePattern, (String) c[0])) {
                        continue;
                    }
                    rows.add(new Object[] {null, SCHEMA, table, c[0], c[1], c[2], c[3], null, 0, 10, c[4], null, null,
                            null, null, c[1].equals(Types.VARCHAR) ? c[3] : null, i + 1, c[5], null, null, null, null, "NO", "NO"});
                }
            }
        }
        int v = Types.VARCHAR;
        int n = Types.INTEGER;
        return result(table(new String[] {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE",
                "TYPE_NAME", "COLUMN_SIZE", "BUFFER_LENGTH", "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE", "REMARKS",
                "COLUMN_DEF", "SQL_DATA_TYPE", "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE",
                "SCOPE_CATALOG", "SCOPE_SCHEMA", "SCOPE_TABLE", "SOURCE_DATA_TYPE", "IS_AUTOINCREMENT", "IS_GENERATEDCOLUMN"},
                new int[] {v, v, v, v, n, v, n, n, n, n, n, v, v, n, n, n, n, v, v, v, v, Types.SMALLINT, v, v}, rows));
    }

    @Override
    public ResultSet getPrimaryKeys(String catalog, String schema, String table) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        if (schemaMatches(schema) && table != null && !table.isEmpty()) {
            rows.add(new Object[] {null, SCHEMA, table, "KEY", 1, "PK_" + table});
        }
        int v = Types.VARCHAR;
        return result(table(new String[] {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"},
                new int[] {v, v, v, v, Types.SMALLINT, v}, rows));
    }

    @Override
    public ResultSet getBestRowIdentifier(String catalog, String schema, String table, int scope, boolean nullable) {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {DatabaseMetaData.bestRowSession, "KEY", Types.VARCHAR, "VARCHAR", 65536, null, 0,
                DatabaseMetaData.bestRowNotPseudo});
        int n = Types.SMALLINT;
        return result(table(new String[] {"SCOPE", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "BUFFER_LENGTH",
                "DECIMAL_DIGITS", "PSEUDO_COLUMN"}, new int[] {n, Types.VARCHAR, Types.INTEGER, Types.VARCHAR, Types.INTEGER,
                Types.INTEGER, n, n}, rows));
    }

    @Override
    public ResultSet getTypeInfo() {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {"BIGINT", Types.BIGINT, 19, null, null, null, typeNullable, false, typePredBasic, false, true,
                false, "BIGINT", 0, 0, null, null, 10});
        rows.add(new Object[] {"VARBINARY", Types.VARBINARY, 1048576, "X'", "'", null, typeNoNulls, true, typePredBasic,
                true, false, false, "VARBINARY", 0, 0, null, null, null});
        rows.add(new Object[] {"VARCHAR", Types.VARCHAR, 1048576, "'", "'", null, typeNoNulls, true, typeSearchable, true,
                false, false, "VARCHAR", 0, 0, null, null, null});
        int v = Types.VARCHAR;
        int n = Types.INTEGER;
        int s = Types.SMALLINT;
        int b = Types.BOOLEAN;
        return result(table(new String[] {"TYPE_NAME", "DATA_TYPE", "PRECISION", "LITERAL_PREFIX", "LITERAL_SUFFIX",
                "CREATE_PARAMS", "NULLABLE", "CASE_SENSITIVE", "SEARCHABLE", "UNSIGNED_ATTRIBUTE", "FIXED_PREC_SCALE",
                "AUTO_INCREMENT", "LOCAL_TYPE_NAME", "MINIMUM_SCALE", "MAXIMUM_SCALE", "SQL_DATA_TYPE", "SQL_DATETIME_SUB",
                "NUM_PREC_RADIX"}, new int[] {v, n, n, v, v, v, s, b, s, b, b, b, v, s, s, n, n, n}, rows));
    }

    @Override
    public ResultSet getSchemas() {
        return getSchemas(null, null);
    }

    @Override
    public ResultSet getSchemas(String catalog, String schemaPattern) {
        List<Object[]> rows = new ArrayList<>();
        if (schemaMatches(schemaPattern)) {
            rows.add(new Object[] {SCHEMA, null});
        }
        return result(table(new String[] {"TABLE_SCHEM", "TABLE_CATALOG"}, null, rows));
    }

    @Override
    public ResultSet getCatalogs() {
        return empty("TABLE_CAT");
    }

    @Override
    public ResultSet getTableTypes() {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {"TABLE"});
        return result(table(new String[] {"TABLE_TYPE"}, null, rows));
    }

    private static final String[] KEYS = {"PKTABLE_CAT", "PKTABLE_SCHEM", "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_CAT",
        "FKTABLE_SCHEM", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "UPDATE_RULE", "DELETE_RULE", "FK_NAME", "PK_NAME",
        "DEFERRABILITY"};

    @Override
    public ResultSet getImportedKeys(String catalog, String schema, String table) {
        return empty(KEYS);
    }

    @Override
    public ResultSet getExportedKeys(String catalog, String schema, String table) {
        return empty(KEYS);
    }

    @Override
    public ResultSet getCrossReference(String pc, String ps, String pt, String fc, String fs, String ft) {
        return empty(KEYS);
    }

    @Override
    public ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique, boolean approximate) {
        // the one index: the key, unique and ordered (the store's ordered scan); its cardinality
        // would take a count of the data, so it is left NULL
        List<Object[]> rows = new ArrayList<>();
        if (schemaMatches(schema) && table != null && !table.isEmpty() && (catalog == null || catalog.isEmpty())) {
            rows.add(new Object[] {null, SCHEMA, table, false, null, "PK_" + table, (int) DatabaseMetaData.tableIndexOther, 1,
                    "KEY", "A", null, null, null});
        }
        int v = Types.VARCHAR;
        int sm = Types.SMALLINT;
        return result(table(new String[] {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "NON_UNIQUE", "INDEX_QUALIFIER", "INDEX_NAME",
                "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC", "CARDINALITY", "PAGES", "FILTER_CONDITION"},
                new int[] {v, v, v, Types.BOOLEAN, v, v, sm, sm, v, v, Types.BIGINT, Types.BIGINT, v}, rows));
    }

    @Override
    public ResultSet getProcedures(String catalog, String schemaPattern, String procedureNamePattern) {
        return empty("PROCEDURE_CAT", "PROCEDURE_SCHEM", "PROCEDURE_NAME", "RESERVED4", "RESERVED5", "RESERVED6",
                "REMARKS", "PROCEDURE_TYPE", "SPECIFIC_NAME");
    }

    @Override
    public ResultSet getProcedureColumns(String c, String s, String p, String col) {
        return empty("PROCEDURE_CAT", "PROCEDURE_SCHEM", "PROCEDURE_NAME", "COLUMN_NAME", "COLUMN_TYPE", "DATA_TYPE",
                "TYPE_NAME", "PRECISION", "LENGTH", "SCALE", "RADIX", "NULLABLE", "REMARKS", "COLUMN_DEF", "SQL_DATA_TYPE",
                "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE", "SPECIFIC_NAME");
    }

    @Override
    public ResultSet getFunctions(String catalog, String schemaPattern, String functionNamePattern) {
        return empty("FUNCTION_CAT", "FUNCTION_SCHEM", "FUNCTION_NAME", "REMARKS", "FUNCTION_TYPE", "SPECIFIC_NAME");
    }

    @Override
    public ResultSet getFunctionColumns(String c, String s, String f, String col) {
        return empty("FUNCTION_CAT", "FUNCTION_SCHEM", "FUNCTION_NAME", "COLUMN_NAME", "COLUMN_TYPE", "DATA_TYPE",
                "TYPE_NAME", "PRECISION", "LENGTH", "SCALE", "RADIX", "NULLABLE", "REMARKS", "CHAR_OCTET_LENGTH",
                "ORDINAL_POSITION", "IS_NULLABLE", "SPECIFIC_NAME");
    }

    @Override
    public ResultSet getUDTs(String catalog, String schemaPattern, String typeNamePattern, int[] types) {
        return empty("TYPE_CAT", "TYPE_SCHEM", "TYPE_NAME", "CLASS_NAME", "DATA_TYPE", "REMARKS", "BASE_TYPE");
    }

    @Override
    public ResultSet getSuperTypes(String catalog, String schemaPattern, String typeNamePattern) {
        return empty("TYPE_CAT", "TYPE_SCHEM", "TYPE_NAME", "SUPERTYPE_CAT", "SUPERTYPE_SCHEM", "SUPERTYPE_NAME");
    }

    @Override
    public ResultSet getSuperTables(String catalog, String schemaPattern, String tableNamePattern) {
        return empty("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "SUPERTABLE_NAME");
    }

    @Override
    public ResultSet getAttributes(String c, String s, String t, String a) {
        return empty("TYPE_CAT", "TYPE_SCHEM", "TYPE_NAME", "ATTR_NAME", "DATA_TYPE", "ATTR_TYPE_NAME", "ATTR_SIZE",
                "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE", "REMARKS", "ATTR_DEF", "SQL_DATA_TYPE", "SQL_DATETIME_SUB",
                "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE", "SCOPE_CATALOG", "SCOPE_SCHEMA", "SCOPE_TABLE",
                "SOURCE_DATA_TYPE");
    }

    @Override
    public ResultSet getColumnPrivileges(String c, String s, String t, String col) {
        return empty("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "GRANTOR", "GRANTEE", "PRIVILEGE", "IS_GRANTABLE");
    }

    @Override
    public ResultSet getTablePrivileges(String c, String s, String t) {
        return empty("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "GRANTOR", "GRANTEE", "PRIVILEGE", "IS_GRANTABLE");
    }

    @Override
    public ResultSet getVersionColumns(String catalog, String schema, String table) {
        return empty("SCOPE", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "BUFFER_LENGTH", "DECIMAL_DIGITS",
                "PSEUDO_COLUMN");
    }

    @Override
    public ResultSet getPseudoColumns(String c, String s, String t, String col) {
        return empty("TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "COLUMN_SIZE", "DECIMAL_DIGITS",
                "NUM_PREC_RADIX", "COLUMN_USAGE", "REMARKS", "CHAR_OCTET_LENGTH", "IS_NULLABLE");
    }

    @Override
    public ResultSet getClientInfoProperties() {
        return empty("NAME", "MAX_LEN", "DEFAULT_VALUE", "DESCRIPTION");
    }

    // ---- identity and capabilities

    @Override
    public String getDatabaseProductName() {
        return "Cairn";
    }

    @Override
    public String getDatabaseProductVersion() {
        return CairnDriver.VERSION + " (" + connection.backend().describe() + ")";
    }

    @Override
    public String getDriverName() {
        return "Cairn JDBC driver";
    }

    @Override
    public String getDriverVersion() {
        return CairnDriver.VERSION;
    }

    @Override
    public int getDriverMajorVersion() {
        return CairnDriver.MAJOR;
    }

    @Override
    public int getDriverMinorVersion() {
        return CairnDriver.MINOR;
    }

    @Override
    public int getDatabaseMajorVersion() {
        return CairnDriver.MAJOR;
    }

    @Override
    public int getDatabaseMinorVersion() {
        return CairnDriver.MINOR;
    }

    @Override
    public int getJDBCMajorVersion() {
        return 4;
    }

    @Override
    public int getJDBCMinorVersion() {
        return 2;
    }

    @Override
    public String getURL() {
        return connection.url();
    }

    @Override
    public String getUserName() {
        return connection.user();
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    @Override
    public String getIdentifierQuoteString() {
        return "\"";
    }

    @Override
    public String getSQLKeywords() {
        return "";
    }

    @Override
    public String getNumericFunctions() {
        return "";
    }

    @Override
    public String getStringFunctions() {
        return "";
    }

    @Override
    public String getSystemFunctions() {
        return "";
    }

    @Override
    public String getTimeDateFunctions() {
        return "";
    }

    @Override
    public String getSearchStringEscape() {
        return "\\";
    }

    @Override
    public String getExtraNameCharacters() {
        return "";
    }

    @Override
    public String getSchemaTerm() {
        return "schema";
    }

    @Override
    public String getProcedureTerm() {
        return "procedure";
    }

    @Override
    public String getCatalogTerm() {
        return "catalog";
    }

    @Override
    public String getCatalogSeparator() {
        return ".";
    }

    @Override
    public boolean allTablesAreSelectable() {
        return true;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return connection.isReadOnly();
    }

    @Override
    public boolean supportsSchemasInDataManipulation() {
        return true;
    }

    @Override
    public boolean supportsSchemasInTableDefinitions() {
        return true;
    }

    @Override
    public boolean supportsMixedCaseIdentifiers() {
        return true;
    }

    @Override
    public boolean storesMixedCaseIdentifiers() {
        return true;
    }

    @Override
    public boolean supportsMixedCaseQuotedIdentifiers() {
        return true;
    }

    @Override
    public boolean storesMixedCaseQuotedIdentifiers() {
        return true;
    }

    @Override
    public boolean supportsColumnAliasing() {
        return true;
    }

    @Override
    public boolean supportsLikeEscapeClause() {
        return false;
    }

    @Override
    public boolean supportsBatchUpdates() {
        return true;
    }

    @Override
    public boolean supportsGetGeneratedKeys() {
        return true;
    }

    @Override
    public boolean supportsResultSetType(int type) {
        return type == ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public boolean supportsResultSetConcurrency(int type, int concurrency) {
        return type == ResultSet.TYPE_FORWARD_ONLY && concurrency == ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public boolean supportsResultSetHoldability(int holdability) {
        return holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public int getResultSetHoldability() {
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public boolean supportsTransactions() {
        return false;
    }

    @Override
    public boolean supportsTransactionIsolationLevel(int level) {
        return level == Connection.TRANSACTION_NONE;
    }

    @Override
    public int getDefaultTransactionIsolation() {
        return Connection.TRANSACTION_NONE;
    }

    @Override
    public int getSQLStateType() {
        return DatabaseMetaData.sqlStateSQL;
    }

    @Override
    public boolean nullsAreSortedLow() {
        return true;
    }

    @Override
    public boolean nullPlusNonNullIsNull() {
        return true;
    }

    @Override
    public boolean supportsMinimumSQLGrammar() {
        return false;
    }

    @Override
    public RowIdLifetime getRowIdLifetime() {
        return RowIdLifetime.ROWID_UNSUPPORTED;
    }

    @Override
    public boolean supportsStoredFunctionsUsingCallSyntax() {
        return false;
    }

    @Override
    public boolean generatedKeyAlwaysReturned() {
        return true;
    }

}
