package dev.cairn.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Byte-string operations the contract is defined in terms of: the key order, the successor used to
 * page through scans, and a readable rendering for error messages.
 */
public final class ByteStrings {
    /** Unsigned lexicographic order; a proper prefix sorts before every extension of it. */
    public static final Comparator<byte[]> ORDER = ByteStrings::compare;

    private ByteStrings() {
    }

    /** Compares two byte strings as unsigned bytes, lexicographically. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** The smallest byte string strictly greater than {@code key}: {@code key} followed by 0x00. */
    public static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    /**
     * The smallest byte string greater than every string that starts with {@code prefix}, or
     * {@code null} when there is none (the prefix is empty or all 0xFF bytes).
     */
    public static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }

    /** True when {@code key} starts with {@code prefix}. */
    public static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length
                && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** UTF-8 bytes of {@code s}; a convenience for callers and tests. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A short, printable rendering for messages: printable ASCII as is, other bytes as
     * {@code \xNN}, cut after 64 bytes.
     */
    public static String describe(byte[] bytes) {
        StringBuilder out = new StringBuilder("\"");
        int shown = Math.min(bytes.length, 64);
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
                out.append((char) b);
            } else {
                out.append(String.format("\\x%02x", b));
            }
        }
        out.append('"');
        if (shown < bytes.length) {
            out.append("... (").append(bytes.length).append(" bytes)");
        }
        return out.toString();
    }
}
