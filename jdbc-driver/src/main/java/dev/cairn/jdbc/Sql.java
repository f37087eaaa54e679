package dev.cairn.jdbc;

import java.util.List;

/** The parsed statements and their parts (see {@link SqlParser}). */
interface Sql {
    /** A key, value or number: a literal or a {@code ?} parameter. */
    sealed interface Value permits Literal, Param {
    }

    record Literal(byte[] bytes) implements Value {
    }

    /** The {@code index}-th {@code ?} (1-based). */
    record Param(int index) implements Value {
    }

    /** A table, optionally qualified by a schema (accepted and not interpreted). */
    record Table(String schema, String name) {
    }

    sealed interface Condition permits KeyEquals, KeyLike, KeyBetween {
    }

    record KeyEquals(Value key) implements Condition {
    }

    record KeyLike(Value pattern) implements Condition {
    }

    record KeyBetween(Value low, Value high) implements Condition {
    }

    record Get(Value key) implements Sql {
    }

    record Put(Value key, Value value, Value ttl) implements Sql {
    }

    record Delete(Value key) implements Sql {
    }

    record Scan(Value prefix, Value limit) implements Sql {
    }

    record Incr(Value key, Value by) implements Sql {
    }

    record Select(List<String> columns, List<String> labels, Table table, Condition where, Value limit) implements Sql {
    }

    /** A query beyond the key-value subset, for the SQL engine ({@link QueryEngine}). */
    record EngineQuery(String text) implements Sql {
    }

    record SelectConstant(long value) implements Sql {
    }

    record Insert(Table table, List<String> columns, List<List<Value>> rows) implements Sql {
    }

    record Update(Table table, Value value, Value ttl, KeyEquals key) implements Sql {
    }

    record DeleteFrom(Table table, KeyEquals key) implements Sql {
    }
}
