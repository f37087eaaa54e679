package dev.cairn.storage.sstable;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases a file mapping when its table is closed. Java 17 has no public call for it: without
 * one, a mapping lives until the collector finds its buffer unreachable, and a table that a
 * compaction deleted keeps its disk space until then. {@code sun.misc.Unsafe.invokeCleaner}
 * (module {@code jdk.unsupported}) unmaps at once; where it cannot be reached, the mapping is
 * left to the collector, as before.
 *
 * <p>The caller must make sure nothing reads the buffer afterwards: a read of unmapped memory
 * crashes the JVM. Tables are closed only when their reference count drops to zero.
 */
final class Unmapper {
    private static final Logger log = LoggerFactory.getLogger(Unmapper.class);
    private static final MethodHandle INVOKE_CLEANER = find();

    private Unmapper() {
    }

    private static MethodHandle find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.info("cannot unmap table files explicitly ({}); the collector will", e.toString());
            return null;
        }
    }

    static void unmap(MappedByteBuffer map) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) map);
        } catch (Throwable e) {
            log.warn("cannot unmap a table file; the collector will", e);
        }
    }
}
