package dev.cairn.server.command;

import static dev.cairn.server.command.Args.integer;
import static dev.cairn.server.command.Args.upper;

import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.Store;
import dev.cairn.api.WriteOptions;
import dev.cairn.server.resp.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The string commands that read part of a value or rewrite it in place: GETRANGE (SUBSTR),
 * SETRANGE, GETSET, INCRBYFLOAT, SETBIT, GETBIT, BITCOUNT, BITPOS and LCS, with redis-server's
 * argument checks, edge cases and error texts. A rewrite is a compare-and-set on the entry's
 * version, retried if another write came between, and keeps the key's expiry as Redis does.
 */
final class StringEditCommands {
    /** The largest string SETRANGE/SETBIT may make (Redis: proto-max-bulk-len). */
    private final long maxString;
    private final Store store;
    private final int maxLcsTableBytes;

    StringEditCommands(ServerContext context, Store store) {
        this.store = store;
        this.maxString = Math.min(context.maxBulkBytes, store.limits().maxValueBytes());
        // Redis refuses an LCS table over proto-max-bulk-len; a JVM heap shares less happily
        this.maxLcsTableBytes = Math.min(context.maxBulkBytes, 64 * 1024 * 1024);
    }

    void register(CommandTable c) {
        c.add("getrange", 4, false, (s, a) -> getRange(a));
        c.add("substr", 4, false, (s, a) -> getRange(a));
        c.add("setrange", 4, true, (s, a) -> setRange(a));
        c.add("getset", 3, true, (s, a) -> getSet(a));
        c.add("incrbyfloat", 3, true, (s, a) -> incrByFloat(a));
        c.add("setbit", 4, true, (s, a) -> setBit(a));
        c.add("getbit", 3, false, (s, a) -> getBit(a));
        c.add("bitcount", -2, false, (s, a) -> bitCount(a));
        c.add("bitpos", -3, false, (s, a) -> bitPos(a));
        c.add("lcs", -3, false, (s, a) -> lcs(a));
    }

    private static byte[] valueOrEmpty(Optional<Entry> e) {
        return e.map(Entry::value).orElse(new byte[0]);
    }

    /**
     * Replaces the value of {@code key} with {@code change(current)} (current may be absent),
     * keeping its expiry; {@code change} returns null to write nothing. Retried until no other
     * write came between. Returns the entry it read.
     */
    private Optional<Entry> rewrite(byte[] key, Function<Optional<Entry>, byte[]> change) {
        while (true) {
            Optional<Entry> current = store.get(key);
            byte[] next = change.apply(current);
            if (next == null) {
                return current;
            }
            WriteOptions keep = current.isPresent() && current.get().expiresAtMillis() != Entry.NO_EXPIRY
                    ? WriteOptions.DEFAULT.withExpiresAt(current.get().expiresAtMillis()) : WriteOptions.DEFAULT;
            Expected expected = current.isPresent() ? Expected.version(current.get().version()) : Expected.absent();
            if (store.compareAndSet(key, expected, next, keep).isPresent()) {
                return current;
            }
        }
    }

    private Reply getRange(List<byte[]> a) {
        long start = integer(a.get(2));
        long end = integer(a.get(3));
        byte[] v = valueOrEmpty(store.get(a.get(1)));
        long n = v.length;
        if (start < 0 && end < 0 && start > end) {
            return Reply.bulk(new byte[0]);
        }
        long[] r = clamp(start, end, n);
        start = r[0];
        end = r[1];
        if (start > end || n == 0) {
            return Reply.bulk(new byte[0]);
        }
        return Reply.bulk(Arrays.copyOfRange(v, (int) start, (int) end + 1));
    }

    private Reply setRange(List<byte[]> a) {
        long offset = integer(a.get(2));
        byte[] patch = a.get(3);
        if (offset < 0) {
            throw new CommandException("ERR offset is out of range");
        }
        long[] length = new long[1];
        rewrite(a.get(1), current -> {
            byte[] old = valueOrEmpty(current);
            if (patch.length == 0) {
                length[0] = old.length;
                return null;
            }
            if (offset > maxString - patch.length) { // also where offset + length would overflow
                throw new CommandException("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            }
            byte[] out = Arrays.copyOf(old, (int) Math.max(old.length, offset + patch.length));
            System.arraycopy(patch, 0, out, (int) offset, patch.length);
            length[0] = out.length;
            return out;
        });
        return Reply.integer(length[0]);
    }

    /**
     * Redis's rule for a range of {@code total} positions (bytes or bits), as GETRANGE, BITCOUNT
     * and BITPOS share it: negative indexes count from the end, then both are clamped to
     * {@code [0, total - 1]} (an empty value gives end -1, so start > end).
     */
    private static long[] clamp(long start, long end, long total) {
        if (start < 0) {
            start = total + start;
        }
        if (end < 0) {
            end = total + end;
        }
        start = Math.max(start, 0);
        end = Math.max(end, 0);
        if (end >= total) {
            end = total - 1;
        }
        return new long[] {start, end};
    }

    /** GETSET: SET that answers the old value, and drops the expiry (it is a plain SET). */
    private Reply getSet(List<byte[]> a) {
        while (true) {
            Optional<Entry> current = store.get(a.get(1));
            Expected expected = current.isPresent() ? Expected.version(current.get().version()) : Expected.absent();
            if (store.compareAndSet(a.get(1), expected, a.get(2), WriteOptions.DEFAULT).isPresent()) {
                return Reply.bulk(StringCommands.value(current));
            }
        }
    }

    private Reply incrByFloat(List<byte[]> a) {
        LongDouble by = LongDouble.parse(a.get(2));
        if (by == null) {
            throw new CommandException("ERR value is not a valid float");
        }
        byte[][] result = new byte[1][];
        rewrite(a.get(1), current -> {
            LongDouble base = current.isPresent() ? LongDouble.parse(current.get().value()) : LongDouble.round(java.math.BigDecimal.ZERO);
            if (base == null) {
                throw new CommandException("ERR value is not a valid float");
            }
            LongDouble sum = base.plus(by);
            if (sum.isInfinite()) {
                throw new CommandException("ERR increment would produce NaN or Infinity");
            }
            result[0] = Args.bytes(sum.human());
            return result[0];
        });
        return Reply.bulk(result[0]);
    }

    /** A bit offset as Redis takes it: 0 to 2^32-1, and within proto-max-bulk-len bytes. */
    private long bitOffset(byte[] arg) {
        long offset;
        try {
            offset = integer(arg);
        } catch (CommandException e) {
            throw new CommandException("ERR bit offset is not an integer or out of range");
        }
        if (offset < 0 || (offset >>> 3) >= maxString) {
            throw new CommandException("ERR bit offset is not an integer or out of range");
        }
        return offset;
    }

    private Reply setBit(List<byte[]> a) {
        long offset = bitOffset(a.get(2));
        long bit;
        try {
            bit = integer(a.get(3));
        } catch (CommandException e) {
            throw new CommandException("ERR bit is not an integer or out of range");
        }
        if (bit != 0 && bit != 1) {
            throw new CommandException("ERR bit is not an integer or out of range");
        }
        int byteIndex = (int) (offset >>> 3);
        int mask = 1 << (7 - (int) (offset & 7));
        int[] old = new int[1];
        rewrite(a.get(1), current -> {
            byte[] v = valueOrEmpty(current);
            byte[] out = Arrays.copyOf(v, Math.max(v.length, byteIndex + 1));
            old[0] = (out[byteIndex] & mask) != 0 ? 1 : 0;
            out[byteIndex] = (byte) (bit == 1 ? out[byteIndex] | mask : out[byteIndex] & ~mask);
            return current.isPresent() && old[0] == bit && out.length == v.length ? null : out;
        });
        return Reply.integer(old[0]);
    }

    private Reply getBit(List<byte[]> a) {
        long offset = bitOffset(a.get(2));
        byte[] v = valueOrEmpty(store.get(a.get(1)));
        long byteIndex = offset >>> 3;
        if (byteIndex >= v.length) {
            return Reply.integer(0);
        }
        return Reply.integer((v[(int) byteIndex] >> (7 - (int) (offset & 7))) & 1);
    }

    /** Whether the range is in bits: the optional BYTE | BIT argument at {@code index}. */
    private static boolean bitUnit(List<byte[]> a, int index) {
        if (a.size() <= index) {
            return false;
        }
        return switch (upper(a.get(index))) {
            case "BIT" -> true;
            case "BYTE" -> false;
            default -> throw new CommandException(Args.SYNTAX);
        };
    }

    private static int bitAt(byte[] v, long bit) {
        return (v[(int) (bit >>> 3)] >> (7 - (int) (bit & 7))) & 1;
    }

    private Reply bitCount(List<byte[]> a) {
        Optional<Entry> e = store.get(a.get(1));
        if (e.isEmpty()) {
            return Reply.integer(0);
        }
        byte[] v = e.get().value();
        long start;
        long end;
        boolean bits = false;
        if (a.size() == 4 || a.size() == 5) {
            start = integer(a.get(2));
            end = integer(a.get(3));
            if (start < 0 && end < 0 && start > end) {
                return Reply.integer(0); // before the unit is looked at, as in Redis
            }
            bits = bitUnit(a, 4);
            long[] r = clamp(start, end, bits ? (long) v.length << 3 : v.length);
            start = r[0];
            end = r[1];
        } else if (a.size() == 2) {
            start = 0;
            end = v.length - 1;
        } else {
            throw new CommandException(Args.SYNTAX);
        }
        if (start > end) {
            return Reply.integer(0);
        }
        long count = 0;
        if (bits) {
            for (long b = start; b <= end; b++) {
                count += bitAt(v, b);
            }
        } else {
            for (long i = start; i <= end; i++) {
                count += Integer.bitCount(v[(int) i] & 0xFF);
            }
        }
        return Reply.integer(count);
    }

    private Reply bitPos(List<byte[]> a) {
        long bit;
        bit = integer(a.get(2));
        if (bit != 0 && bit != 1) {
            throw new CommandException("ERR The bit argument must be 1 or 0.");
        }
        Optional<Entry> e = store.get(a.get(1));
        if (e.isEmpty()) {
            return Reply.integer(bit == 1 ? -1 : 0);
        }
        byte[] v = e.get().value();
        long start;
        long end;
        boolean bits = false;
        boolean endGiven = false;
        if (a.size() >= 4 && a.size() <= 6) {
            long total = v.length;
            start = integer(a.get(3));
            bits = bitUnit(a, 5);
            if (a.size() >= 5) {
                end = integer(a.get(4));
                endGiven = true;
            } else {
                end = bits ? (total << 3) + 7 : total - 1;
            }
            long[] r = clamp(start, end, bits ? total << 3 : total);
            start = r[0];
            end = r[1];
        } else if (a.size() == 3) {
            start = 0;
            end = v.length - 1;
        } else {
            throw new CommandException(Args.SYNTAX);
        }
        if (start > end) {
            return Reply.integer(-1);
        }
        long firstBit = bits ? start : start << 3;
        long lastBit = bits ? end : (end << 3) + 7;
        for (long b = firstBit; b <= lastBit; b++) {
            if (bitAt(v, b) == bit) {
                return Reply.integer(b);
            }
        }
        if (bit == 1 || endGiven) {
            return Reply.integer(-1);
        }
        // looking for a clear bit with no end given: the string goes on with zeros
        return Reply.integer(bits ? lastBit + 1 : (end + 1) << 3);
    }

    /** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], with Redis's walk back through the table. */
    private Reply lcs(List<byte[]> a) {
        byte[] x = valueOrEmpty(store.get(a.get(1)));
        byte[] y = valueOrEmpty(store.get(a.get(2)));
        boolean getLen = false;
        boolean getIdx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < a.size(); j++) {
            String opt = upper(a.get(j));
            int more = a.size() - 1 - j;
            switch (opt) {
                case "IDX" -> getIdx = true;
                case "LEN" -> getLen = true;
                case "WITHMATCHLEN" -> withMatchLen = true;
                default -> {
                    if (opt.equals("MINMATCHLEN") && more > 0) {
                        minMatchLen = Math.max(0, integer(a.get(++j)));
                    } else {
                        throw new CommandException(Args.SYNTAX);
                    }
                }
            }
        }
        if (getIdx && getLen) {
            throw new CommandException("ERR If you want both the length and indexes, please just use IDX.");
        }
        int alen = x.length;
        int blen = y.length;
        long cells = (long) (alen + 1) * (blen + 1);
        if (cells * 4 > maxLcsTableBytes) {
            throw new CommandException("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        }
        int w = blen + 1;
        int[] t = new int[(int) cells];
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                t[i * w + j] = x[i - 1] == y[j - 1] ? t[(i - 1) * w + j - 1] + 1 : Math.max(t[(i - 1) * w + j], t[i * w + j - 1]);
            }
        }
        int idx = t[alen * w + blen];
        if (getLen && !getIdx) {
            return Reply.integer(idx);
        }
        byte[] result = new byte[idx];
        List<Reply> matches = new ArrayList<>();
        int aStart = alen;
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        int i = alen;
        int j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (x[i - 1] == y[j - 1]) {
                result[idx - 1] = x[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                idx--;
                i--;
                j--;
            } else {
                if (t[(i - 1) * w + j] > t[i * w + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != alen) {
                    emit = true;
                }
            }
            int matchLen = aEnd - aStart + 1;
            if (emit) {
                if (minMatchLen == 0 || matchLen >= minMatchLen) {
                    List<Reply> m = new ArrayList<>();
                    m.add(Reply.array(List.of(Reply.integer(aStart), Reply.integer(aEnd))));
                    m.add(Reply.array(List.of(Reply.integer(bStart), Reply.integer(bEnd))));
                    if (withMatchLen) {
                        m.add(Reply.integer(matchLen));
                    }
                    matches.add(Reply.array(m));
                }
                aStart = alen;
            }
        }
        if (getIdx) {
            return Reply.array(List.of(Reply.bulk("matches"), Reply.array(matches), Reply.bulk("len"),
                    Reply.integer(t[alen * w + blen])));
        }
        return Reply.bulk(result);
    }
}
