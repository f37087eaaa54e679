package dev.cairn.server.command;

import static dev.cairn.server.command.Args.integer;
import static dev.cairn.server.command.Args.upper;

import dev.cairn.api.Consistency;
import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyValue;
import dev.cairn.api.ReadOptions;
import dev.cairn.api.RemainingTtl;
import dev.cairn.api.Store;
import dev.cairn.api.Version;
import dev.cairn.api.WriteOptions;
import dev.cairn.server.resp.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Cairn's own commands (not Redis's): the whole {@code Store} API over RESP, with what Redis's
 * commands cannot carry — versions (for compare-and-set on a version, as JCache and optimistic
 * clients use), per-call consistency, absolute expiry, expired entries — and errors typed by
 * their first word so that a client can raise the store's own exceptions. Documented with their
 * reply shapes in {@code server/README.md}; {@code RespStore} (tests) is a {@code Store} on them.
 *
 * <p>An entry is answered as {@code [value, epoch, counter, expiresAtMillis]} (-1: no expiry), an
 * absent one as nil. Options, after the fixed arguments, in any order: {@code PX ms} or
 * {@code PXAT ms} (writes), {@code CONSISTENCY ONE|QUORUM|ALL|n}, {@code WITHEXPIRED} (reads).
 */
final class CairnCommands {
    private final ServerContext context;
    private final Store store;

    CairnCommands(ServerContext context, Store store) {
        this.context = context;
        this.store = store;
    }

    void register(CommandTable c) {
        c.add("cairn.get", -2, false, (s, a) -> {
            Options o = options(a, 2, false, true);
            return entry(store.get(a.get(1), o.read()).orElse(null));
        });
        c.add("cairn.put", -3, true, (s, a) -> entry(store.put(a.get(1), a.get(2), options(a, 3, true, false).write())));
        c.add("cairn.cas", -4, true, (s, a) -> {
            int[] at = {2};
            Expected expected = expected(a, at);
            if (at[0] >= a.size()) {
                throw new CommandException(Args.SYNTAX);
            }
            byte[] value = a.get(at[0]);
            return entry(store.compareAndSet(a.get(1), expected, value, options(a, at[0] + 1, true, false).write()).orElse(null));
        });
        c.add("cairn.cad", -3, true, (s, a) -> {
            int[] at = {2};
            Expected expected = expected(a, at);
            return flag(store.compareAndDelete(a.get(1), expected, options(a, at[0], false, false).write()));
        });
        c.add("cairn.del", -2, true, (s, a) -> flag(store.delete(a.get(1), options(a, 2, false, false).write())));
        c.add("cairn.incr", -3, true, (s, a) -> Reply.integer(store.increment(a.get(1), integer(a.get(2)),
                options(a, 3, true, false).write())));
        c.add("cairn.expireat", -3, true, (s, a) -> flag(store.expireAt(a.get(1), integer(a.get(2)),
                options(a, 3, false, false).write())));
        c.add("cairn.persist", -2, true, (s, a) -> flag(store.persist(a.get(1), options(a, 2, false, false).write())));
        c.add("cairn.ttl", -2, false, (s, a) -> {
            RemainingTtl t = store.remainingTtl(a.get(1), options(a, 2, false, false).read());
            return Reply.integer(t.isMissing() ? -2 : t.isPersistent() ? -1 : t.remaining().toMillis());
        });
        c.add("cairn.putall", -2, true, (s, a) -> {
            long n = integer(a.get(1));
            if (n < 0 || 2 + 2 * n > a.size()) {
                throw new CommandException("ERR the count of pairs does not match the arguments");
            }
            List<KeyValue> pairs = new ArrayList<>((int) n);
            for (int i = 0; i < n; i++) {
                pairs.add(new KeyValue(a.get(2 + 2 * i), a.get(3 + 2 * i)));
            }
            store.putAll(pairs, options(a, (int) (2 + 2 * n), true, false).write());
            return Reply.OK;
        });
        c.add("cairn.scan", -4, false, (s, a) -> {
            long limit = integer(a.get(3));
            if (limit < 1 || limit > 100_000) {
                throw new CommandException("ERR limit must be between 1 and 100000");
            }
            byte[] start = a.get(1).length == 0 ? null : a.get(1);
            byte[] end = a.get(2).length == 0 ? null : a.get(2);
            if (start != null && end != null && java.util.Arrays.compareUnsigned(start, end) >= 0) {
                return Reply.array(List.of());
            }
            List<Reply> out = new ArrayList<>();
            for (Entry e : store.scan(KeyRange.between(start, end), (int) limit, options(a, 4, false, true).read())) {
                out.add(Reply.bulk(e.key()));
                out.add(entry(e));
            }
            return Reply.array(out);
        });
        c.add("cairn.databases", 1, false, (s, a) -> {
            List<Reply> out = new ArrayList<>();
            for (int db = 0; db < context.databases; db++) {
                if (context.exists(db)) {
                    out.add(Reply.integer(db));
                }
            }
            return Reply.array(out);
        });
        c.add("cairn.limits", 1, false, (s, a) -> Reply.array(List.of(Reply.integer(store.limits().maxKeyBytes()),
                Reply.integer(store.limits().maxValueBytes()))));
        if (context.testClock() != null) {
            c.add("cairn.clock", -1, false, (s, a) -> clock(a));
        }
    }

    /** {@code CAIRN.CLOCK} answers the store clock's time; {@code CAIRN.CLOCK SET ms} sets it (a node started with --test-clock only). */
    private Reply clock(List<byte[]> a) {
        SettableClock clock = context.testClock();
        if (a.size() == 1) {
            return Reply.integer(clock.millis());
        }
        if (a.size() == 3 && upper(a.get(1)).equals("SET")) {
            clock.set(integer(a.get(2)));
            return Reply.OK;
        }
        throw new CommandException(Args.SYNTAX);
    }

    private static Reply flag(boolean b) {
        return Reply.integer(b ? 1 : 0);
    }

    /** An entry as {@code [value, epoch, counter, expiresAtMillis]}, or nil. */
    static Reply entry(Entry e) {
        if (e == null) {
            return Reply.NULL;
        }
        Version v = e.version();
        return Reply.array(List.of(Reply.bulk(e.value()), Reply.integer(v.epoch()), Reply.integer(v.counter()),
                Reply.integer(e.expiresAtMillis() == Entry.NO_EXPIRY ? -1 : e.expiresAtMillis())));
    }

    /** {@code ABSENT | VERSION epoch counter | EXPIREDVERSION epoch counter | VALUE v} from {@code a[at]}, moving {@code at} past it. */
    private static Expected expected(List<byte[]> a, int[] at) {
        int i = at[0];
        String kind = upper(a.get(i));
        switch (kind) {
            case "ABSENT" -> {
                at[0] = i + 1;
                return Expected.absent();
            }
            case "VALUE" -> {
                need(a, i + 2);
                at[0] = i + 2;
                return Expected.value(a.get(i + 1));
            }
            case "VERSION", "EXPIREDVERSION" -> {
                need(a, i + 3);
                at[0] = i + 3;
                Version v = Version.of(integer(a.get(i + 1)), integer(a.get(i + 2)));
                return kind.equals("VERSION") ? Expected.version(v) : Expected.expiredVersion(v);
            }
            default -> throw new CommandException("ERR expected ABSENT, VERSION, EXPIREDVERSION or VALUE, not '"
                    + Commands.cut(a.get(i), 64) + "'");
        }
    }

    private static void need(List<byte[]> a, int size) {
        if (a.size() < size) {
            throw new CommandException(Args.SYNTAX);
        }
    }

    /** The options from {@code a[from]} on. */
    private static Options options(List<byte[]> a, int from, boolean expiry, boolean withExpired) {
        Consistency consistency = Consistency.QUORUM;
        long expiresAt = Entry.NO_EXPIRY;
        Duration ttl = null;
        boolean includeExpired = false;
        for (int i = from; i < a.size(); i++) {
            String opt = upper(a.get(i));
            if (opt.equals("CONSISTENCY") && i + 1 < a.size()) {
                String c = upper(a.get(++i));
                consistency = switch (c) {
                    case "ONE" -> Consistency.ONE;
                    case "QUORUM" -> Consistency.QUORUM;
                    case "ALL" -> Consistency.ALL;
                    default -> {
                        long n = integer(a.get(i));
                        if (n < 1 || n > 1_000) {
                            throw new CommandException("ERR a consistency is ONE, QUORUM, ALL or a replica count from 1");
                        }
                        yield Consistency.replicas((int) n);
                    }
                };
            } else if (expiry && (opt.equals("PX") || opt.equals("PXAT")) && i + 1 < a.size() && ttl == null
                    && expiresAt == Entry.NO_EXPIRY) {
                long ms = integer(a.get(++i));
                if (ms <= 0) {
                    throw new CommandException("ERR invalid expire time in '" + opt.toLowerCase(java.util.Locale.ROOT) + "'");
                }
                if (opt.equals("PX")) {
                    ttl = Duration.ofMillis(ms);
                } else {
                    expiresAt = ms;
                }
            } else if (withExpired && opt.equals("WITHEXPIRED")) {
                includeExpired = true;
            } else {
                throw new CommandException(Args.SYNTAX);
            }
        }
        return new Options(consistency, ttl, expiresAt, includeExpired);
    }

    private record Options(Consistency consistency, Duration ttl, long expiresAt, boolean includeExpired) {
        WriteOptions write() {
            WriteOptions w = WriteOptions.consistency(consistency);
            if (ttl != null) {
                w = w.withTtl(ttl);
            }
            return expiresAt == Entry.NO_EXPIRY ? w : w.withExpiresAt(expiresAt);
        }

        ReadOptions read() {
            ReadOptions r = ReadOptions.consistency(consistency);
            return includeExpired ? r.includingExpired() : r;
        }
    }
}
