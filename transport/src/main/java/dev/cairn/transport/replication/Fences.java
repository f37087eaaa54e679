package dev.cairn.transport.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A member's fences on disk: {@code "CFN1"}, the segment count (int), one epoch (long) per
 * segment, and a CRC32C of everything before it; big-endian. Written whole to a temporary file,
 * fsynced, and renamed over the old one, so a crash leaves the old fences or the new, never a mix.
 */
final class Fences {
    private static final int MAGIC = 0x43464E31; // "CFN1"

    private Fences() {
    }

    /** The fences in {@code file}, or all zero when there is none; a corrupt file is an error naming it. */
    static long[] read(Path file, int segments) {
        long[] fenced = new long[segments];
        if (!Files.exists(file)) {
            return fenced;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
            int expected = 8 + 8 * segments + 4;
            if (b.remaining() != expected || b.getInt(0) != MAGIC || b.getInt(4) != segments) {
                throw new IllegalStateException("fence file " + file + " is not a fence file of " + segments + " segments ("
                        + b.remaining() + " bytes)");
            }
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, expected - 4);
            if ((int) crc.getValue() != b.getInt(expected - 4)) {
                throw new IllegalStateException("fence file " + file + " is corrupt: checksum mismatch at offset " + (expected - 4));
            }
            b.position(8);
            for (int i = 0; i < segments; i++) {
                fenced[i] = b.getLong();
            }
            return fenced;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fence file " + file, e);
        }
    }

    static void write(Path file, long[] fenced) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * fenced.length + 4);
        b.putInt(MAGIC).putInt(fenced.length);
        for (long e : fenced) {
            b.putLong(e);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the fence file " + file, e);
        }
    }
}
