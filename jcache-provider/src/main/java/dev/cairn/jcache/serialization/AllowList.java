package dev.cairn.jcache.serialization;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The classes Java deserialization may instantiate. A pattern is a class name ({@code com.x.Y}),
 * a package ({@code com.x.*}) or a package and its sub-packages ({@code com.x.**}). Everything
 * else is refused, whatever the bytes say: no class named in stored or received data is loaded
 * unless it is listed here. Arrays are judged by their element type; primitive types and
 * interfaces (which cannot be instantiated) are allowed.
 *
 * <p>{@link #JDK_VALUES} lists the JDK's value types (strings, numbers, dates, collections),
 * {@link #HIBERNATE} what Hibernate stores in its regions, and every enum is allowed (a constant is
 * read back by name); a cache adds its configured key and value types and the patterns from its
 * configuration. It
 * leaves out every class whose {@code hashCode} or {@code equals} reaches the network:
 * {@code java.net.URL} (which resolves its host: the "URLDNS" gadget) and {@code InetAddress}.
 */
public final class AllowList implements ObjectInputFilter {
    public static final List<String> JDK_VALUES = List.of(
            "java.lang.Object", "java.lang.String", "java.lang.Number", "java.lang.Long", "java.lang.Integer",
            "java.lang.Short", "java.lang.Byte", "java.lang.Double", "java.lang.Float",
            "java.lang.Boolean", "java.lang.Character", "java.lang.Enum",
            "java.math.*", "java.time.*", "java.util.*", "java.sql.Date", "java.sql.Timestamp",
            "java.sql.Time", "java.net.URI", "java.util.concurrent.*",
            "java.util.concurrent.atomic.*");

    /**
     * What Hibernate ORM itself puts in its second-level cache regions — entries, keys, natural-id
     * and query-cache items, the soft locks of read-write regions — all in {@code org.hibernate.cache}.
     * Hibernate's gadget-capable classes (the {@code org.hibernate.type}, {@code engine},
     * {@code tuple} and {@code property} ones of the known deserialization chains) stay out.
     */
    public static final List<String> HIBERNATE = List.of("org.hibernate.cache.**");

    private final List<String> patterns;

    public AllowList(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** This list plus more patterns. */
    public AllowList with(List<String> more) {
        List<String> all = new ArrayList<>(patterns);
        all.addAll(more);
        return new AllowList(all);
    }

    public List<String> patterns() {
        return patterns;
    }

    /** Whether {@code className} (not an array) matches a pattern. */
    public boolean allows(String className) {
        Objects.requireNonNull(className);
        for (String p : patterns) {
            if (p.endsWith(".**")) {
                if (className.startsWith(p.substring(0, p.length() - 2))) {
                    return true;
                }
            } else if (p.endsWith(".*")) {
                String pkg = p.substring(0, p.length() - 1);
                if (className.startsWith(pkg) && className.indexOf('.', pkg.length()) < 0) {
                    return true;
                }
            } else if (p.equals(className)) {
                return true;
            }
        }
        return false;
    }

    /**
     * This list's decision per class, remembered: the filter is asked for every class descriptor
     * of every value read, and matching the patterns each time cost a few percent of a
     * Hibernate cache hit. A {@link ClassValue} holds the decision without keeping the class
     * (or its class loader) alive.
     */
    private final ClassValue<Boolean> decisions = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            // Interfaces cannot be instantiated, so naming one (say, as Serializable[]) is harmless.
            // An enum constant is read back by name through Enum.valueOf: no readObject, no fields set.
            return c.isPrimitive() || c.isInterface() || isEnum(c) || allows(c.getName());
        }
    };

    @Override
    public Status checkInput(FilterInfo info) {
        Class<?> c = info.serialClass();
        if (c == null) {
            return Status.UNDECIDED;
        }
        return decisions.get(c) ? Status.ALLOWED : Status.REJECTED;
    }

    /** An enum type, or the class of a constant with a body of its own. */
    private static boolean isEnum(Class<?> c) {
        return c.isEnum() || (c.getSuperclass() != null && c.getSuperclass().isEnum());
    }
}
