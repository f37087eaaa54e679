package dev.cairn.storage.sstable;

import dev.cairn.storage.format.Record;
import java.util.Arrays;

/**
 * The key stored in SSTable blocks: the user key followed by the 8-byte big-endian sequence
 * number. Compared in {@link Record#compare}'s order (user key ascending, sequence descending),
 * never bytewise as a whole.
 */
final class InternalKey {
    static final int TRAILER = 8;

    private InternalKey() {
    }

    static byte[] encode(byte[] userKey, long sequence) {
        byte[] out = Arrays.copyOf(userKey, userKey.length + TRAILER);
        for (int i = 0; i < 8; i++) {
            out[userKey.length + i] = (byte) (sequence >>> (56 - 8 * i));
        }
        return out;
    }

    static long sequence(byte[] ikey, int length) {
        long s = 0;
        for (int i = length - TRAILER; i < length; i++) {
            s = (s << 8) | (ikey[i] & 0xFF);
        }
        return s;
    }

    static byte[] userKey(byte[] ikey, int length) {
        return Arrays.copyOf(ikey, length - TRAILER);
    }

    /** Compares the internal key in ikey[0, length) with (userKey, sequence). */
    static int compare(byte[] ikey, int length, byte[] userKey, long sequence) {
        return Record.compare(ikey, 0, length - TRAILER, sequence(ikey, length), userKey, sequence);
    }

    static boolean userKeyEquals(byte[] ikey, int length, byte[] userKey) {
        return Arrays.equals(ikey, 0, length - TRAILER, userKey, 0, userKey.length);
    }
}
