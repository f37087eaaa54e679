/**
 * Cairn's key-value JDBC driver. Start at {@link dev.cairn.jdbc.CairnDriver} (URLs), then
 * {@link dev.cairn.jdbc.SqlParser} (the statements it understands),
 * {@link dev.cairn.jdbc.Executor} (what they do) and {@link dev.cairn.jdbc.Backend} (an embedded
 * store, or servers over RESP). The {@code Unsupported*} and {@code DefaultDatabaseMetaData}
 * classes are generated from the {@code java.sql} interfaces ({@code src/build/GenerateBases.java})
 * so that every method Cairn does not support says so by name.
 */
package dev.cairn.jdbc;
