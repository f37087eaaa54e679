package dev.cairn.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a table name denotes, decided from names alone (no data is read):
 * <ul>
 *   <li>{@code KV} (any case): the default namespace, keys as stored;</li>
 *   <li>the name of a namespace ({@link Backend#namespace}): that namespace, keys as stored. Embedded,
 *       a JCache cache or any other namespace of the store; over RESP, database {@code n} is the
 *       table named {@code n};</li>
 *   <li>any other name {@code T}: the keys {@code T:…} of the default namespace (the Redis
 *       convention), shown without the prefix. Such tables are not listed by the metadata: finding
 *       them would mean reading every key.</li>
 * </ul>
 */
final class Tables {
    static final String DEFAULT_TABLE = "KV";

    private static final byte[] NO_PREFIX = new byte[0];

    /** A table's rows: the keys starting with {@code prefix} in {@code backend}'s namespace. */
    record Target(Backend backend, byte[] prefix) {
        /** The prefix to scan with: null for a whole namespace. */
        byte[] scanPrefix() {
            return prefix.length == 0 ? null : prefix;
        }

        /** The store key of the row key {@code key}. */
        byte[] storeKey(byte[] key) {
            if (prefix.length == 0) {
                return key;
            }
            byte[] out = java.util.Arrays.copyOf(prefix, prefix.length + key.length);
            System.arraycopy(key, 0, out, prefix.length, key.length);
            return out;
        }
    }

    private Tables() {
    }

    static Target resolve(Backend root, String name) throws SQLException {
        if (name == null || name.equalsIgnoreCase(DEFAULT_TABLE)) {
            return new Target(root, NO_PREFIX);
        }
        Backend namespace = root.namespace(name);
        return namespace != null ? new Target(namespace, NO_PREFIX)
                : new Target(root, (name + ":").getBytes(StandardCharsets.UTF_8));
    }

    /** The tables the metadata lists: KV, then each namespace. */
    static List<String> listed(Backend root) throws SQLException {
        List<String> out = new ArrayList<>();
        out.add(DEFAULT_TABLE);
        for (String n : root.namespaces()) {
            if (!n.equalsIgnoreCase(DEFAULT_TABLE)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Whether a namespace is the driver's to show: not an internal one (a control character in its name). */
    static boolean shown(String namespace) {
        return namespace.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** The one name among {@code names} that {@code name} denotes: equal, else the only one equal ignoring case. */
    static String match(List<String> names, String name) {
        String found = null;
        for (String n : names) {
            if (n.equals(name)) {
                return n;
            }
            if (n.equalsIgnoreCase(name)) {
                if (found != null) {
                    return null; // ambiguous: only the exact spelling names it
                }
                found = n;
            }
        }
        return found;
    }
}
