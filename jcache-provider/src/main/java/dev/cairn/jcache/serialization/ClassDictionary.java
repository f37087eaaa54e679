package dev.cairn.jcache.serialization;

import dev.cairn.api.ByteKey;
import dev.cairn.api.Entry;
import dev.cairn.api.KeyRange;
import dev.cairn.api.Store;
import dev.cairn.api.WriteOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The class descriptors of a cache's Java-serialized keys and values, each stored once, so that a
 * value names its classes by number instead of carrying their descriptors. A descriptor (class
 * name, {@code serialVersionUID}, flags, field names and types) is what Java serialization writes
 * before an object's fields; for an ORM's cache entry it is most of the bytes, and parsing it
 * again on every read (reading class names and field names as strings, comparing them with the
 * local class) was most of the time of a cache hit.
 *
 * <p>The dictionary lives in a namespace of the same store as the cache's entries, so it lasts
 * exactly as long as they do: in memory with a memory cache, on disk with a disk cache (the store
 * writes both through one log, in order, so an entry recovered after a crash finds its
 * descriptors). Each entry is a 4-byte number (big-endian) to the descriptor's bytes as Java
 * serialization writes them. A descriptor is the <em>writer's</em>: a value written before a class
 * changed is read against its old layout, exactly as with plain Java serialization (compatible
 * changes read, incompatible ones raise {@link java.io.InvalidClassException}).
 *
 * <p>Numbers are given out by inserts that fail when the number is taken, so managers sharing a
 * store (in this JVM: a disk store is locked against other processes) agree on them. Lookups in
 * both directions are lock-free; a new class takes a lock, a look at the numbers stored since, and
 * one write.
 */
public final class ClassDictionary {
    private final Store store;
    private final ConcurrentHashMap<Integer, ObjectStreamClass> byNumber = new ConcurrentHashMap<>();
    /** Local class descriptors to their numbers, by identity (the JDK keeps one per class). */
    private final ConcurrentHashMap<ObjectStreamClass, Integer> byLocal = new ConcurrentHashMap<>();
    /** Descriptor bytes to numbers, guarded by {@code this}: two class loaders' copies of a class share a number. */
    private final Map<ByteKey, Integer> byBytes = new HashMap<>();
    private int next;

    /** The dictionary kept in {@code store}, with the descriptors it already holds. */
    public ClassDictionary(Store store) {
        this.store = java.util.Objects.requireNonNull(store, "store");
        synchronized (this) {
            readNewEntries();
        }
    }

    /** Learns the numbers stored since this dictionary last looked (by another manager sharing the store). */
    private void readNewEntries() {
        KeyRange range = KeyRange.from(number(next));
        while (true) {
            List<Entry> page = store.scan(range, 256);
            for (Entry e : page) {
                int number = ByteBuffer.wrap(e.key()).getInt();
                byBytes.putIfAbsent(new ByteKey(e.value()), number);
                next = Math.max(next, number + 1);
            }
            if (page.size() < 256) {
                return;
            }
            range = range.startingAfter(page.get(page.size() - 1).key());
        }
    }

    private static byte[] number(int n) {
        return ByteBuffer.allocate(4).putInt(n).array();
    }

    /** The number of a local class's descriptor, stored first if it is new. */
    int numberOf(ObjectStreamClass local) throws IOException {
        Integer known = byLocal.get(local);
        if (known != null) {
            return known;
        }
        byte[] bytes = DescriptorOutput.bytes(local);
        ByteKey key = new ByteKey(bytes);
        synchronized (this) {
            Integer number = byBytes.get(key);
            // Another manager in this JVM may share the store (and number classes too): a
            // descriptor gets a number only through an insert that fails if the number is taken,
            // after looking for it among the numbers stored so far. So equal descriptors share one
            // number, and equal keys one serialized form, whoever wrote them.
            while (number == null) {
                readNewEntries();
                number = byBytes.get(key);
                if (number == null && store.putIfAbsent(number(next), bytes, WriteOptions.DEFAULT).isPresent()) {
                    number = next;
                    byBytes.put(key, number);
                    next++;
                }
            }
            byLocal.put(local, number);
            return number;
        }
    }

    /**
     * The descriptor stored as {@code number}, as the writer's class had it (not yet bound to a
     * local class: the reading stream resolves and checks it, as for any descriptor it reads).
     */
    ObjectStreamClass descriptor(int number) throws IOException {
        ObjectStreamClass d = byNumber.get(number);
        if (d != null) {
            return d;
        }
        byte[] bytes = store.get(number(number)).map(Entry::value).orElse(null);
        if (bytes == null) {
            throw new SerializationException("the value refers to class descriptor #" + number
                    + ", which the cache's class dictionary does not hold", null);
        }
        d = DescriptorInput.parse(bytes);
        byNumber.putIfAbsent(number, d);
        return d;
    }

    /** How many descriptors the dictionary holds. */
    public synchronized int size() {
        return byBytes.size();
    }

    /** Writes one descriptor as {@code ObjectOutputStream} does inside a stream. */
    private static final class DescriptorOutput extends ObjectOutputStream {
        DescriptorOutput(OutputStream out) throws IOException {
            super(out);
        }

        static byte[] bytes(ObjectStreamClass desc) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            try (DescriptorOutput out = new DescriptorOutput(bytes)) {
                out.writeClassDescriptor(desc);
            }
            return bytes.toByteArray();
        }
    }

    /** Reads one descriptor written by {@link DescriptorOutput}: names and types only, no class is loaded. */
    private static final class DescriptorInput extends ObjectInputStream {
        DescriptorInput(InputStream in) throws IOException {
            super(in);
        }

        static ObjectStreamClass parse(byte[] bytes) throws IOException {
            try (DescriptorInput in = new DescriptorInput(new ByteArrayInputStream(bytes))) {
                return in.readClassDescriptor();
            } catch (ClassNotFoundException e) {
                throw new IOException("cannot read a class descriptor: " + e, e);
            }
        }
    }
}
