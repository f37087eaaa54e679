package dev.cairn.storage.sstable;

import java.util.Arrays;

/**
 * The key stored in SSTable blocks: the user key followed by the 8-byte big-endian sequence
 * number. Compared as (user key ascending, sequence descending), never bytewise as a whole.
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
        int c = Arrays.compareUnsigned(ikey, 0, length - TRAILER, userKey, 0, userKey.length);
        return c != 0 ? c : Long.compare(sequence, sequence(ikey, length));
    }

    static boolean userKeyEquals(byte[] ikey, int length, byte[] userKey) {
        return Arrays.equals(ikey, 0, length - TRAILER, userKey, 0, userKey.length);
    }
}
