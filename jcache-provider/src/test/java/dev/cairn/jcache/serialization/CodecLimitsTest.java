package dev.cairn.jcache.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.net.URL;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile stored values, the shapes an audit used against the codec: each is refused with a
 * {@link SerializationException} that says why, instead of running the JVM out of memory, burning
 * CPU for seconds or touching the network. (The timeouts only stop a hang; no test measures time.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CodecLimitsTest {
    private final Codec codec = new Codec(new AllowList(AllowList.JDK_VALUES), getClass().getClassLoader());

    /** A value as the codec stores Java-serialized objects: the JAVA tag, then the stream. */
    private static byte[] stored(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(0x7F);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    @Test
    void aFewBytesDeclaringAHugeArrayAreRefusedWithoutAllocatingIt() throws IOException {
        byte[] oneLong = stored(new long[] {7});
        // the stream ends with the array's length (4 bytes) and its one element (8 bytes)
        byte[] hostile = java.util.Arrays.copyOf(oneLong, oneLong.length - 8);
        ByteBuffer.wrap(hostile).putInt(hostile.length - 4, 0x7ffffff0);
        assertTrue(hostile.length < 64, "a few dozen bytes: " + hostile.length);
        SerializationException e = assertThrows(SerializationException.class, () -> codec.decode(hostile));
        assertTrue(e.getMessage().contains("array declares 2147483632 elements"), e.getMessage());
    }

    @Test
    void nestedHashSetsThatWouldHashForeverAreRefusedByDepth() throws IOException {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("foo"); // unlike t2
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        byte[] hostile = stored(root);
        assertTrue(hostile.length < 4096, "a small value: " + hostile.length);
        SerializationException e = assertThrows(SerializationException.class, () -> codec.decode(hostile));
        assertTrue(e.getMessage().contains("nests deeper than 20 levels"), e.getMessage());
    }

    @Test
    void urlsAreNotOnTheDefaultAllowListSoNoDnsLookupHappens() throws IOException {
        Map<URL, String> map = new HashMap<>();
        map.put(new URL("http", "cairn-test.invalid", 80, "/"), "x"); // built without resolving
        byte[] hostile = stored(map);
        SerializationException e = assertThrows(SerializationException.class, () -> codec.decode(hostile));
        assertTrue(e.getMessage().contains("java.net.URL"), e.getMessage());
    }

    @Test
    void tooManyReferencesAreRefused() throws IOException {
        Codec strict = new Codec(new AllowList(AllowList.JDK_VALUES), getClass().getClassLoader(), new Codec.Limits(20, 1000));
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            list.add(Integer.valueOf(i));
        }
        SerializationException e = assertThrows(SerializationException.class, () -> strict.decode(stored(list)));
        assertTrue(e.getMessage().contains("more than 1000 references"), e.getMessage());
    }

    @Test
    void ordinaryValuesWithinTheLimitsStillDecode() throws IOException {
        Map<String, List<Map<String, Long>>> value = new HashMap<>();
        List<Map<String, Long>> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(new HashMap<>(Map.of("id", (long) i, "n", (long) i * 2)));
        }
        value.put("rows", rows);
        value.put("empty", new ArrayList<>());
        assertEquals(value, codec.decode(stored(value)));
        assertEquals(List.of(0), codec.decode(stored(List.of(0))));
    }
}
