package dev.cairn.jcache.serialization;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns keys and values into bytes and back. The first byte is a type tag; {@code String}, the
 * boxed primitives and {@code byte[]} have fast paths (no object streams), everything else goes
 * through Java serialization, read back only through the {@link AllowList}.
 *
 * <p>Deserialization resolves classes with the cache manager's class loader, and is bounded by
 * {@link Limits} (depth, references, array lengths) as well as the allow-list. A refused class
 * raises {@link SerializationException} naming it and the setting that would allow it; a value
 * over a limit raises one naming the limit. Stored values and, later, values replicated from other
 * members all come through here.
 */
public final class Codec {
    private static final byte STRING = 1;
    private static final byte LONG = 2;
    private static final byte INTEGER = 3;
    private static final byte SHORT = 4;
    private static final byte BYTE = 5;
    private static final byte BOOLEAN = 6;
    private static final byte CHARACTER = 7;
    private static final byte DOUBLE = 8;
    private static final byte FLOAT = 9;
    private static final byte BYTES = 10;
    private static final byte JAVA = 0x7F;
    /** Java serialization whose class descriptors are numbers in a {@link ClassDictionary}. */
    private static final byte JAVA_NUMBERED = 0x7E;

    private final AllowList allowList;
    private final ClassLoader classLoader;
    private final Limits limits;
    private final ClassDictionary dictionary; // null: descriptors written in full

    public Codec(AllowList allowList, ClassLoader classLoader) {
        this(allowList, classLoader, Limits.DEFAULT);
    }

    public Codec(AllowList allowList, ClassLoader classLoader, Limits limits) {
        this(allowList, classLoader, limits, null);
    }

    private Codec(AllowList allowList, ClassLoader classLoader, Limits limits, ClassDictionary dictionary) {
        this.allowList = allowList;
        this.classLoader = classLoader;
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        this.dictionary = dictionary;
    }

    /**
     * This codec writing Java-serialized objects with their class descriptors numbered in
     * {@code dictionary} (tag {@code 0x7E}) instead of in full (tag {@code 0x7F}); it reads both.
     * Only for a store that keeps {@code dictionary} beside the entries: a value written so is
     * unreadable without it.
     */
    public Codec numberingClassesIn(ClassDictionary dictionary) {
        return new Codec(allowList, classLoader, limits, java.util.Objects.requireNonNull(dictionary, "dictionary"));
    }

    public AllowList allowList() {
        return allowList;
    }

    /** How many keys' serialized forms {@link #encodeKey} remembers before it starts over. */
    static final int REMEMBERED_KEYS = 4096;

    private final java.util.concurrent.ConcurrentHashMap<Object, byte[]> keyForms = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A key's serialized form, as {@link #encode}, remembering it for keys that go through Java
     * serialization: looking an entry up needs the key's form, and serializing a key object (an
     * ORM's cache key: its class descriptors, its fields) took a large share of a cache hit, where
     * a heap cache such as Ehcache looks the key object up as it is. Keys equal by {@code equals}
     * get one form — which is also what JCache asks of keys; the forms are shared, never changed.
     * At most {@value #REMEMBERED_KEYS} are kept (then the memory starts over).
     */
    public byte[] encodeKey(Object key) {
        if (key instanceof String || key instanceof Number || key instanceof byte[] || key instanceof Boolean
                || key instanceof Character) {
            return encode(key); // fast paths: as cheap as a lookup
        }
        byte[] known = keyForms.get(key);
        if (known != null) {
            return known;
        }
        byte[] form = encode(key);
        if (keyForms.size() >= REMEMBERED_KEYS) {
            keyForms.clear();
        }
        keyForms.put(key, form);
        return form;
    }

    public byte[] encode(Object o) {
        if (o instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[utf8.length + 1];
            out[0] = STRING;
            System.arraycopy(utf8, 0, out, 1, utf8.length);
            return out;
        }
        if (o instanceof Long l) {
            return ByteBuffer.allocate(9).put(LONG).putLong(l).array();
        }
        if (o instanceof Integer i) {
            return ByteBuffer.allocate(5).put(INTEGER).putInt(i).array();
        }
        if (o instanceof byte[] b) {
            byte[] out = new byte[b.length + 1];
            out[0] = BYTES;
            System.arraycopy(b, 0, out, 1, b.length);
            return out;
        }
        if (o instanceof Short s) {
            return ByteBuffer.allocate(3).put(SHORT).putShort(s).array();
        }
        if (o instanceof Byte b) {
            return new byte[] {BYTE, b};
        }
        if (o instanceof Boolean b) {
            return new byte[] {BOOLEAN, (byte) (b ? 1 : 0)};
        }
        if (o instanceof Character c) {
            return ByteBuffer.allocate(3).put(CHARACTER).putChar(c).array();
        }
        if (o instanceof Double d) {
            return ByteBuffer.allocate(9).put(DOUBLE).putDouble(d).array();
        }
        if (o instanceof Float f) {
            return ByteBuffer.allocate(5).put(FLOAT).putFloat(f).array();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        bytes.write(dictionary == null ? JAVA : JAVA_NUMBERED);
        try (ObjectOutputStream out = dictionary == null ? new ObjectOutputStream(bytes) : new NumberedOutputStream(bytes, dictionary)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new SerializationException("cannot serialize a " + o.getClass().getName()
                    + " (store-by-value caches need Serializable keys and values, or a fast-path type)", e);
        }
        return bytes.toByteArray();
    }

    public Object decode(byte[] b) {
        if (b.length == 0) {
            throw new SerializationException("empty serialized form", null);
        }
        ByteBuffer in = ByteBuffer.wrap(b, 1, b.length - 1);
        switch (b[0]) {
            case STRING:
                return new String(b, 1, b.length - 1, StandardCharsets.UTF_8);
            case LONG:
                return in.getLong();
            case INTEGER:
                return in.getInt();
            case BYTES:
                return Arrays.copyOfRange(b, 1, b.length);
            case SHORT:
                return in.getShort();
            case BYTE:
                return b[1];
            case BOOLEAN:
                return b[1] != 0;
            case CHARACTER:
                return in.getChar();
            case DOUBLE:
                return in.getDouble();
            case FLOAT:
                return in.getFloat();
            case JAVA:
            case JAVA_NUMBERED:
                return deserialize(b);
            default:
                throw new SerializationException("unknown type tag " + b[0], null);
        }
    }

    /**
     * Graph limits checked while Java serialization reads, beside the allow-list: how deep the
     * object graph nests, and how many back-references it makes. Arrays may not declare more
     * elements than the value has bytes (every element takes at least one), so a few bytes cannot
     * make the reader allocate gigabytes. Depth bounds the work of nested hashed collections,
     * whose hashing doubles with every level (the "SerialDOS" shape).
     */
    public record Limits(int maxDepth, long maxReferences) {
        public static final Limits DEFAULT = new Limits(20, 100_000);

        public Limits {
            if (maxDepth < 1 || maxReferences < 1) {
                throw new IllegalArgumentException("deserialization limits must be positive: depth " + maxDepth
                        + ", references " + maxReferences);
            }
        }
    }

    private Object deserialize(byte[] b) {
        RecordingFilter filter = new RecordingFilter(allowList, limits, b.length);
        if (b[0] == JAVA_NUMBERED && dictionary == null) {
            throw new SerializationException("the value's class descriptors are numbered, and this cache keeps no class dictionary", null);
        }
        ByteArrayInputStream bytes = new ByteArrayInputStream(b, 1, b.length - 1);
        try (ObjectInputStream in = b[0] == JAVA_NUMBERED ? new NumberedInputStream(bytes, classLoader)
                : new LoaderObjectInputStream(bytes, classLoader)) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException e) {
            if (filter.overLimit != null) {
                throw new SerializationException("deserialization refused: " + filter.overLimit, e);
            }
            if (filter.refused != null) {
                throw new SerializationException("deserialization of class " + filter.refused
                        + " refused: it is not on the allow-list (add it, or its package as 'com.example.*' or 'com.example.**', "
                        + "with the 'serialization.allow' setting of the Cairn configuration)", e);
            }
            throw new SerializationException("cannot deserialize: " + e.getMessage(), e);
        } catch (IOException | ClassNotFoundException e) {
            throw new SerializationException("cannot deserialize: " + e, e);
        }
    }

    /**
     * Checks the limits, then delegates to the allow-list; remembers the first refusal, for the
     * error message.
     */
    private static final class RecordingFilter implements java.io.ObjectInputFilter {
        private final AllowList allowList;
        private final Limits limits;
        private final long valueBytes;
        private String refused;
        private String overLimit;

        RecordingFilter(AllowList allowList, Limits limits, long valueBytes) {
            this.allowList = allowList;
            this.limits = limits;
            this.valueBytes = valueBytes;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            if (info.depth() > limits.maxDepth()) {
                return over("the object graph nests deeper than " + limits.maxDepth() + " levels");
            }
            if (info.references() > limits.maxReferences()) {
                return over("the object graph has more than " + limits.maxReferences() + " references");
            }
            if (info.arrayLength() > valueBytes) {
                return over("an array declares " + info.arrayLength() + " elements in a value of " + valueBytes + " bytes");
            }
            Status s = allowList.checkInput(info);
            if (s == Status.REJECTED && refused == null) {
                Class<?> c = info.serialClass();
                while (c.isArray()) {
                    c = c.getComponentType();
                }
                refused = c.getName();
            }
            return s;
        }

        private Status over(String what) {
            if (overLimit == null) {
                overLimit = what;
            }
            return Status.REJECTED;
        }
    }

    /**
     * Classes this codec's loader resolved, by name: every value read names its classes again,
     * and {@code Class.forName} for each took a noticeable share of a Hibernate cache hit. The
     * codec lives as long as its cache, whose loader it serves anyway.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Class<?>> resolved = new java.util.concurrent.ConcurrentHashMap<>();

    /** Resolves classes with a given loader (the cache manager's), as JCache requires. */
    private class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(java.io.InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            Class<?> known = resolved.get(desc.getName());
            if (known != null) {
                return known;
            }
            Class<?> c;
            try {
                c = Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                c = super.resolveClass(desc);
            }
            resolved.put(desc.getName(), c);
            return c;
        }
    }

    /** Reads what {@link NumberedOutputStream} writes: no stream header, descriptors by number. */
    private final class NumberedInputStream extends LoaderObjectInputStream {
        NumberedInputStream(java.io.InputStream in, ClassLoader loader) throws IOException {
            super(in, loader);
        }

        @Override
        protected void readStreamHeader() {
            // none written
        }

        @Override
        protected ObjectStreamClass readClassDescriptor() throws IOException {
            return dictionary.descriptor(readInt());
        }
    }

    /** Writes each class descriptor as its number in a {@link ClassDictionary}, and no stream header. */
    private static final class NumberedOutputStream extends ObjectOutputStream {
        private final ClassDictionary dictionary;

        NumberedOutputStream(java.io.OutputStream out, ClassDictionary dictionary) throws IOException {
            super(out);
            this.dictionary = dictionary;
        }

        @Override
        protected void writeStreamHeader() {
            // none: the reader supplies it
        }

        @Override
        protected void writeClassDescriptor(ObjectStreamClass desc) throws IOException {
            writeInt(dictionary.numberOf(desc));
        }
    }
}
