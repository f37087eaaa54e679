package dev.cairn.jdbc;

/** A result column: its name, the label it is selected as, and its {@link java.sql.Types} type. */
record Column(String name, String label, int type) {
    Column(String name, int type) {
        this(name, name, type);
    }
}
