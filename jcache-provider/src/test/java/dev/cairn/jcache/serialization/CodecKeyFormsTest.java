package dev.cairn.jcache.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keys' serialized forms: a key that goes through Java serialization is serialized once and its
 * form reused for every equal key after it (a lookup no longer serializes the key object), the
 * form is the one {@link Codec#encode} gives, and the memory of forms is bounded.
 */
class CodecKeyFormsTest {
    /** A composite key as an ORM builds one: a new object for every lookup, equal by its fields. */
    record EntityKey(String entity, long id) implements java.io.Serializable {
    }

    private final Codec codec = new Codec(new AllowList(List.of(EntityKey.class.getName())), getClass().getClassLoader());

    @Test
    void equalKeysShareTheFormJavaSerializationGives() {
        byte[] first = codec.encodeKey(new EntityKey("Product", 7));
        byte[] again = codec.encodeKey(new EntityKey("Product", 7));
        assertSame(first, again, "an equal key's form is remembered, not serialized again");
        assertArrayEquals(codec.encode(new EntityKey("Product", 7)), first);
        assertEquals(new EntityKey("Product", 7), codec.decode(first));
        byte[] other = codec.encodeKey(new EntityKey("Product", 8));
        assertEquals(new EntityKey("Product", 8), codec.decode(other));
    }

    @Test
    void fastPathKeysAreNotRemembered() {
        assertNotSame(codec.encodeKey("user:1"), codec.encodeKey("user:1"));
        assertArrayEquals(codec.encode(42L), codec.encodeKey(42L));
    }

    @Test
    void theMemoryOfFormsIsBounded() {
        byte[] first = codec.encodeKey(new EntityKey("Product", -1));
        for (int i = 0; i < Codec.REMEMBERED_KEYS + 10; i++) {
            codec.encodeKey(new EntityKey("Product", i));
        }
        byte[] later = codec.encodeKey(new EntityKey("Product", -1));
        assertNotSame(first, later, "the memory started over once it held " + Codec.REMEMBERED_KEYS + " keys");
        assertArrayEquals(first, later);
    }
}
