package dev.cairn.jcache.management;

import java.lang.management.ManagementFactory;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers and unregisters a cache's MXBeans on the platform MBeanServer. The manager URI and
 * cache name are made safe for an {@link ObjectName} by replacing {@code , = :} and newlines with
 * {@code .}, the escaping the JCache TCK and tools such as Micrometer's {@code JCacheMetrics}
 * expect.
 */
public final class JmxRegistration {
    /** The two MXBeans of a cache. */
    public enum Kind {
        CacheConfiguration, CacheStatistics
    }

    private JmxRegistration() {
    }

    public static ObjectName name(Cache<?, ?> cache, Kind kind) {
        try {
            return new ObjectName("javax.cache:type=" + kind
                    + ",CacheManager=" + safe(cache.getCacheManager().getURI().toString())
                    + ",Cache=" + safe(cache.getName()));
        } catch (MalformedObjectNameException e) {
            throw new CacheException("cannot name the MBean of cache " + cache.getName(), e);
        }
    }

    static String safe(String s) {
        return s == null ? "" : s.replaceAll("[,=:\n]", ".");
    }

    private static MBeanServer server() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    public static void register(Cache<?, ?> cache, Object bean, Kind kind) {
        ObjectName name = name(cache, kind);
        try {
            if (!server().isRegistered(name)) {
                server().registerMBean(bean, name);
            }
        } catch (InstanceAlreadyExistsException e) {
            // registered concurrently: fine
        } catch (Exception e) {
            throw new CacheException("cannot register MBean " + name, e);
        }
    }

    public static void unregister(Cache<?, ?> cache, Kind kind) {
        ObjectName name = name(cache, kind);
        try {
            if (server().isRegistered(name)) {
                server().unregisterMBean(name);
            }
        } catch (InstanceNotFoundException e) {
            // already gone
        } catch (Exception e) {
            throw new CacheException("cannot unregister MBean " + name, e);
        }
    }
}
