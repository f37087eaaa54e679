package dev.cairn.storage;

import dev.cairn.api.KeyRange;
import dev.cairn.storage.format.Varint;
import java.util.Arrays;

/**
 * One namespace's place in the engine's single key order: its keys are stored behind a prefix,
 * the varint of its id. A varint is self-delimiting, so no prefix is a prefix of another, and
 * every namespace's keys form one contiguous range in which the user keys keep their order.
 * Clearing a namespace gives its name a new id: the old id's records become garbage that
 * compaction drops, and ids are never reused.
 */
record Keyspace(String name, int id, byte[] prefix) {
    static Keyspace of(String name, int id) {
        byte[] p = new byte[Varint.size(id)];
        Varint.write(p, 0, id);
        return new Keyspace(name, id, p);
    }

    /** The id of the namespace an engine key belongs to. */
    static int idOf(byte[] engineKey) {
        int id = 0;
        for (int i = 0, shift = 0; i < engineKey.length && shift < 32; i++, shift += 7) {
            id |= (engineKey[i] & 0x7F) << shift;
            if ((engineKey[i] & 0x80) == 0) {
                return id;
            }
        }
        return -1; // not an engine key of any namespace
    }

    /** The engine key of {@code userKey}: a fresh array. */
    byte[] wrap(byte[] userKey) {
        byte[] k = Arrays.copyOf(prefix, prefix.length + userKey.length);
        System.arraycopy(userKey, 0, k, prefix.length, userKey.length);
        return k;
    }

    /** The user key of an engine key of this namespace: a fresh array. */
    byte[] unwrap(byte[] engineKey) {
        return Arrays.copyOfRange(engineKey, prefix.length, engineKey.length);
    }

    /** The engine-key range of a user-key range. The prefix's last byte is below 0x80, so its successor needs no carry. */
    KeyRange wrap(KeyRange range) {
        byte[] start = range.start() == null ? prefix : wrap(range.start());
        byte[] end;
        if (range.end() != null) {
            end = wrap(range.end());
        } else {
            end = prefix.clone();
            end[end.length - 1]++;
        }
        return KeyRange.between(start, end);
    }
}
