/**
 * Cairn's key-value JDBC driver. Start at {@link dev.cairn.jdbc.CairnDriver} (URLs), then
 * {@link dev.cairn.jdbc.SqlParser} (the statements it understands),
 * {@link dev.cairn.jdbc.Executor} (what they do) and {@link dev.cairn.jdbc.Backend} (an embedded
 * store, or servers over RESP); {@link dev.cairn.jdbc.CalciteEngine} runs the queries beyond the
 * key-value subset. The {@code Unsupported*} and {@code DefaultDatabaseMetaData} classes implement
 * every {@code java.sql} method Cairn does not support by saying so by name; they are ordinary
 * source, edited by hand (they were first generated; the generator is gone, so there is one
 * source of truth).
 */
package dev.cairn.jdbc;
