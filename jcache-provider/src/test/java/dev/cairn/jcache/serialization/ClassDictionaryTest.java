package dev.cairn.jcache.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Namespaces;
import dev.cairn.api.Stores;
import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectInputStream;
import java.io.ObjectOutput;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values whose class descriptors are numbers in a {@link ClassDictionary}: they read back as
 * plain Java serialization reads them (every kind of serializable class), each descriptor is
 * stored once, the dictionary outlives a restart of a disk store, the allow-list and the limits
 * still apply, and a value cut off from its dictionary fails with a clear error instead of
 * misreading.
 */
class ClassDictionaryTest {
    enum Colour { RED, GREEN }

    record Point(int x, int y, String label) implements Serializable {
    }

    static class Base implements Serializable {
        protected long id = 7;
    }

    /** A subclass with fields of its own, a custom writeObject and a transient field. */
    static final class Custom extends Base {
        String name = "custom";
        transient int cached = 42;
        int written;

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.writeInt(99);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            written = in.readInt();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Custom c && c.id == id && c.name.equals(name) && c.written == written;
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, name, written);
        }
    }

    public static final class Ext implements Externalizable {
        String text = "";

        public Ext() {
        }

        Ext(String text) {
            this.text = text;
        }

        @Override
        public void writeExternal(ObjectOutput out) throws IOException {
            out.writeUTF(text);
        }

        @Override
        public void readExternal(ObjectInput in) throws IOException {
            text = in.readUTF();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ext e && e.text.equals(text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }
    }

    private static final AllowList ALLOW = new AllowList(AllowList.JDK_VALUES)
            .with(List.of(Point.class.getName(), Colour.class.getName(), Base.class.getName(), Custom.class.getName(),
                    Ext.class.getName()));

    private final Codec plain = new Codec(ALLOW, getClass().getClassLoader());
    private Namespaces memory = Stores.open("mem:class-dictionary-test-" + System.nanoTime());

    @AfterEach
    void close() {
        memory.close();
    }

    private Codec numbered(Namespaces store) {
        return plain.numberingClassesIn(new ClassDictionary(store.namespace("c\u0000classes")));
    }

    private static List<Object> samples() {
        Map<String, Object> map = new HashMap<>();
        map.put("point", new Point(1, 2, "p"));
        map.put("colour", Colour.GREEN);
        List<Object> nested = new ArrayList<>(List.of(map, new Point(3, 4, null)));
        return List.of(
                new Point(1, 2, "a"),
                Colour.RED,
                new Custom(),
                new Ext("external"),
                new int[][] {{1, 2}, {3}},
                new String[] {"x", null, "z"},
                new Object[] {Colour.GREEN, new Point(5, 6, "o"), LocalDate.of(2026, 11, 22), new BigDecimal("12.50")},
                nested);
    }

    @Test
    void valuesReadBackAsPlainJavaSerializationReadsThemAndAreSmaller() {
        Codec numbered = numbered(memory);
        for (Object sample : samples()) {
            byte[] full = plain.encode(sample);
            byte[] compact = numbered.encode(sample);
            Object expected = plain.decode(full);
            Object actual = numbered.decode(compact);
            if (expected instanceof Object[] e) {
                assertArrayEquals(e, (Object[]) actual, "read back: " + sample);
            } else if (expected instanceof int[][] e) {
                assertArrayEquals(e, (int[][]) actual);
            } else {
                assertEquals(expected, actual, "read back: " + sample);
            }
            assertTrue(compact.length < full.length, sample.getClass() + ": " + compact.length + " bytes numbered, "
                    + full.length + " in full");
        }
        Custom custom = (Custom) numbered.decode(numbered.encode(new Custom()));
        assertEquals(99, custom.written, "the custom writeObject's data");
        assertEquals(0, custom.cached, "transient fields are not written");
    }

    @Test
    void eachDescriptorIsStoredOnce() {
        ClassDictionary dictionary = new ClassDictionary(memory.namespace("c\u0000classes"));
        Codec numbered = plain.numberingClassesIn(dictionary);
        numbered.encode(new Point(0, 0, "first"));
        int afterOne = dictionary.size();
        assertEquals(1, afterOne, "a record of primitives and a String has one descriptor of its own");
        for (int i = 0; i < 1000; i++) {
            numbered.encode(new Point(i, -i, "p" + i));
        }
        assertEquals(afterOne, dictionary.size());
        assertEquals(1, memory.namespace("c\u0000classes").scan(dev.cairn.api.KeyRange.all(), 100).size());
    }

    @Test
    void theDictionaryOutlivesARestartOfADiskStore(@TempDir Path dir) {
        byte[] point;
        byte[] custom;
        try (Namespaces disk = Stores.open("file:" + dir)) {
            Codec numbered = numbered(disk);
            point = numbered.encode(new Point(8, 9, "kept"));
            custom = numbered.encode(new Custom());
        }
        try (Namespaces disk = Stores.open("file:" + dir)) {
            Codec numbered = numbered(disk);
            assertEquals(new Point(8, 9, "kept"), numbered.decode(point));
            assertEquals(99, ((Custom) numbered.decode(custom)).written, "the custom writeObject's data");
            // a class seen before the restart keeps its number: the same bytes again
            assertArrayEquals(point, numbered.encode(new Point(8, 9, "kept")));
        }
    }

    @Test
    void valuesWrittenWithFullDescriptorsStillRead() {
        assertEquals(new Point(1, 1, "old"), numbered(memory).decode(plain.encode(new Point(1, 1, "old"))));
    }

    @Test
    void theAllowListStillDecides() {
        Codec writer = numbered(memory);
        byte[] value = writer.encode(new Point(1, 2, "x"));
        Codec strict = new Codec(new AllowList(AllowList.JDK_VALUES), getClass().getClassLoader())
                .numberingClassesIn(new ClassDictionary(memory.namespace("c\u0000classes")));
        SerializationException e = assertThrows(SerializationException.class, () -> strict.decode(value));
        assertTrue(e.getMessage().contains(Point.class.getName()) && e.getMessage().contains("allow-list"), e.getMessage());
    }

    @Test
    void aValueWithoutItsDictionaryFailsClearly() {
        byte[] value = numbered(memory).encode(new Point(1, 2, "x"));
        SerializationException noDictionary = assertThrows(SerializationException.class, () -> plain.decode(value));
        assertTrue(noDictionary.getMessage().contains("keeps no class dictionary"), noDictionary.getMessage());
        Codec elsewhere = plain.numberingClassesIn(new ClassDictionary(memory.namespace("other\u0000classes")));
        SerializationException wrongDictionary = assertThrows(SerializationException.class, () -> elsewhere.decode(value));
        assertTrue(wrongDictionary.getMessage().contains("class descriptor #0"), wrongDictionary.getMessage());
    }

    @Test
    void twoManagersSharingAStoreShareNumbersAndOverwriteNone() {
        Codec a = numbered(memory);
        Codec b = numbered(memory); // a second manager on the same store: its own dictionary object
        byte[] pointByA = a.encode(new Point(1, 2, "a"));
        byte[] colourByB = b.encode(Colour.GREEN); // B takes the next number, which A has not seen
        byte[] customByA = a.encode(new Custom()); // A must not reuse it
        assertArrayEquals(pointByA, b.encode(new Point(1, 2, "a")), "equal values, and keys, get one form");
        for (Codec reader : List.of(a, b, numbered(memory))) {
            assertEquals(new Point(1, 2, "a"), reader.decode(pointByA));
            assertEquals(Colour.GREEN, reader.decode(colourByB));
            assertEquals(99, ((Custom) reader.decode(customByA)).written);
        }
    }

    @Test
    void threadsMeetingNewClassesAtOnceAgreeOnTheirNumbers() throws Exception {
        Codec numbered = numbered(memory);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<byte[]>>> written = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                written.add(pool.submit(() -> {
                    List<byte[]> out = new ArrayList<>();
                    for (Object sample : samples()) {
                        out.add(numbered.encode(sample));
                    }
                    return out;
                }));
            }
            List<byte[]> first = written.get(0).get();
            for (Future<List<byte[]>> f : written) {
                List<byte[]> values = f.get();
                for (int i = 0; i < values.size(); i++) {
                    assertArrayEquals(first.get(i), values.get(i), "every thread wrote sample " + i + " alike");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
