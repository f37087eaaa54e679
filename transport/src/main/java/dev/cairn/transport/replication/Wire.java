package dev.cairn.transport.replication;

import dev.cairn.api.Expected;
import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The binary form of replication messages: fixed-width numbers, length-prefixed byte strings whose
 * lengths are checked before anything is allocated, UTF names. No Java serialization: nothing
 * read off the network names a class. A malformed frame raises {@link IOException}.
 */
final class Wire {
    /** Largest byte string a frame may carry: a key or a value at the default limits, with room. */
    static final int MAX_BYTES = 2 * 1024 * 1024;

    private Wire() {
    }

    /** Writing a frame. */
    static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        private final DataOutputStream out = new DataOutputStream(bytes);

        Out b(int v) {
            try {
                out.writeByte(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out i(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out l(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out bool(boolean v) {
            return b(v ? 1 : 0);
        }

        Out s(String v) {
            try {
                out.writeUTF(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** A byte string, or null (length -1). */
        Out bytes(byte[] v) {
            if (v == null) {
                return i(-1);
            }
            i(v.length);
            try {
                out.write(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out version(Version v) {
            return l(v.epoch()).l(v.counter());
        }

        Out record(ReplicaRecord r) {
            bytes(r.key()).bool(r.isTombstone());
            if (!r.isTombstone()) {
                bytes(r.value());
            }
            return version(r.version()).l(r.isTombstone() ? r.deletedAtMillis() : r.expiresAtMillis());
        }

        Out expected(Expected e) {
            if (e.isAbsent()) {
                return b(0);
            }
            if (e.expectedValue() != null) {
                return b(2).bytes(e.expectedValue());
            }
            return b(e.expectsExpired() ? 3 : 1).version(e.expectedVersion());
        }

        byte[] done() {
            return bytes.toByteArray();
        }
    }

    /** Reading a frame. */
    static final class In {
        private final DataInputStream in;

        In(byte[] frame, int offset, int length) {
            in = new DataInputStream(new ByteArrayInputStream(frame, offset, length));
        }

        int b() throws IOException {
            return in.readUnsignedByte();
        }

        int i() throws IOException {
            return in.readInt();
        }

        long l() throws IOException {
            return in.readLong();
        }

        boolean bool() throws IOException {
            return in.readByte() != 0;
        }

        String s() throws IOException {
            return in.readUTF();
        }

        byte[] bytes() throws IOException {
            int n = in.readInt();
            if (n == -1) {
                return null;
            }
            if (n < 0 || n > MAX_BYTES || n > in.available()) {
                throw new IOException("a byte string of " + n + " bytes in a frame of " + in.available() + " left");
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        byte[] nonNullBytes() throws IOException {
            byte[] b = bytes();
            if (b == null) {
                throw new IOException("a missing byte string");
            }
            return b;
        }

        Version version() throws IOException {
            long epoch = l();
            long counter = l();
            if (epoch < 0 || counter <= 0) {
                throw new IOException("not a version: " + epoch + "." + counter);
            }
            return Version.of(epoch, counter);
        }

        ReplicaRecord record() throws IOException {
            byte[] key = nonNullBytes();
            boolean tombstone = bool();
            byte[] value = tombstone ? null : nonNullBytes();
            Version v = version();
            long millis = l();
            if (millis < 0) {
                throw new IOException("negative instant " + millis);
            }
            return tombstone ? ReplicaRecord.tombstone(key, v, millis) : ReplicaRecord.value(key, value, v, millis);
        }

        Expected expected() throws IOException {
            return switch (b()) {
                case 0 -> Expected.absent();
                case 1 -> Expected.version(version());
                case 2 -> Expected.value(nonNullBytes());
                case 3 -> Expected.expiredVersion(version());
                default -> throw new IOException("unknown expectation");
            };
        }

        void end() throws IOException {
            if (in.available() != 0) {
                throw new IOException(in.available() + " trailing bytes in a frame");
            }
        }
    }
}
