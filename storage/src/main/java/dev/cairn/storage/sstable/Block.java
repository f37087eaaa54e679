package dev.cairn.storage.sstable;

import dev.cairn.storage.format.Varint;
import java.nio.ByteBuffer;

/**
 * A decoded (checksum-verified, decompressed) block, immutable and shareable through the cache.
 * {@link Cursor} walks it; a malformed entry raises {@link IllegalArgumentException}, which the
 * table reader turns into a corruption error naming the file and block.
 */
final class Block {
    final byte[] data;
    /** The block occupies data[0, length); bytes after it (a trailer) are ignored. */
    final int length;
    private final int restartsOffset;
    private final int restartCount;

    Block(byte[] data) {
        this(data, data.length);
    }

    Block(byte[] data, int length) {
        this.data = data;
        this.length = length;
        if (length < 4) {
            throw new IllegalArgumentException("block of " + length + " bytes has no restart count");
        }
        restartCount = ByteBuffer.wrap(data).getInt(length - 4);
        long offset = length - 4 - 4L * restartCount;
        if (restartCount < 1 || offset < 0) {
            throw new IllegalArgumentException("bad restart count " + restartCount);
        }
        restartsOffset = (int) offset;
    }

    int restartPoint(int i) {
        int p = restartsOffset + 4 * i;
        return ((data[p] & 0xFF) << 24) | ((data[p + 1] & 0xFF) << 16) | ((data[p + 2] & 0xFF) << 8) | (data[p + 3] & 0xFF);
    }

    /** A forward cursor over the entries of one block. */
    final class Cursor {
        private final ByteBuffer in = ByteBuffer.wrap(data);
        byte[] key = new byte[32];
        int keyLength;
        int valueOffset;
        int valueLength;
        private int nextOffset;
        private boolean valid;

        boolean valid() {
            return valid;
        }

        void seekToFirst() {
            nextOffset = 0;
            keyLength = 0;
            next();
        }

        /** Positions at the first entry whose key is >= (userKey, sequence). */
        void seek(byte[] userKey, long sequence) {
            int lo = 0;
            int hi = restartCount - 1;
            while (lo < hi) { // last restart point whose key is < target
                int mid = (lo + hi + 1) >>> 1;
                nextOffset = restartPoint(mid);
                keyLength = 0;
                next();
                if (InternalKey.compare(key, keyLength, userKey, sequence) < 0) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            nextOffset = restartPoint(lo);
            keyLength = 0;
            next();
            while (valid && InternalKey.compare(key, keyLength, userKey, sequence) < 0) {
                next();
            }
        }

        void next() {
            if (nextOffset >= restartsOffset) {
                valid = false;
                return;
            }
            in.position(nextOffset);
            int shared = Varint.readLength(in, keyLength);
            int unshared = Varint.readLength(in, restartsOffset);
            int vlen = Varint.readLength(in, restartsOffset);
            int keyStart = in.position();
            if (keyStart + unshared + vlen > restartsOffset || shared + unshared < InternalKey.TRAILER) {
                throw new IllegalArgumentException("entry at " + nextOffset + " overruns the block");
            }
            if (key.length < shared + unshared) {
                key = java.util.Arrays.copyOf(key, Math.max(shared + unshared, key.length * 2));
            }
            System.arraycopy(data, keyStart, key, shared, unshared);
            keyLength = shared + unshared;
            valueOffset = keyStart + unshared;
            valueLength = vlen;
            nextOffset = valueOffset + vlen;
            valid = true;
        }
    }
}
