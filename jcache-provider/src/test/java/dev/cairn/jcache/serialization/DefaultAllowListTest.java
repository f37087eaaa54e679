package dev.cairn.jcache.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ObjectInputFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a manager with no {@code serialization.allow} lets Java deserialization load: the JDK's
 * value types, enums, and what Hibernate itself caches — and not the classes of the known
 * Hibernate and JDK gadget chains.
 */
class DefaultAllowListTest {
    private final AllowList defaults = new AllowList(AllowList.JDK_VALUES).with(AllowList.HIBERNATE);

    private ObjectInputFilter.Status decide(Class<?> c) {
        return defaults.checkInput(new ObjectInputFilter.FilterInfo() {
            @Override
            public Class<?> serialClass() {
                return c;
            }

            @Override
            public long arrayLength() {
                return -1;
            }

            @Override
            public long depth() {
                return 1;
            }

            @Override
            public long references() {
                return 1;
            }

            @Override
            public long streamBytes() {
                return 100;
            }
        });
    }

    enum Colour {
        RED, GREEN { }
    }

    @Test
    void hibernatesOwnCacheClassesAndAnyEnumAreAllowed() throws Exception {
        for (String name : List.of("org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl",
                "org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
                "org.hibernate.cache.spi.entry.StandardCacheEntryImpl",
                "org.hibernate.cache.spi.entry.CollectionCacheEntry",
                "org.hibernate.cache.internal.BasicCacheKeyImplementation",
                "org.hibernate.cache.spi.QueryKey")) {
            assertEquals(ObjectInputFilter.Status.ALLOWED, decide(Class.forName(name, false, getClass().getClassLoader())), name);
        }
        assertEquals(ObjectInputFilter.Status.ALLOWED, decide(Colour.class));
        assertEquals(ObjectInputFilter.Status.ALLOWED, decide(Colour.GREEN.getClass()), "a constant with a body");
        assertEquals(ObjectInputFilter.Status.ALLOWED, decide(Colour[].class));
        assertEquals(ObjectInputFilter.Status.ALLOWED, decide(java.time.LocalDate.class));
        assertEquals(ObjectInputFilter.Status.ALLOWED, decide(java.math.BigDecimal.class));
    }

    @Test
    void gadgetChainClassesStayOut() throws Exception {
        for (String name : List.of(
                // ysoserial Hibernate1/Hibernate2
                "org.hibernate.engine.spi.TypedValue", "org.hibernate.type.ComponentType",
                "org.hibernate.tuple.component.PojoComponentTuplizer",
                // JDK: URLDNS, and a class that reads arbitrary objects
                "java.net.URL", "javax.management.BadAttributeValueExpException",
                "java.rmi.server.UnicastRemoteObject")) {
            Class<?> c;
            try {
                c = Class.forName(name, false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                continue; // not on this class path, so not loadable at all
            }
            assertEquals(ObjectInputFilter.Status.REJECTED, decide(c), name);
        }
    }
}
