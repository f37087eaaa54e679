package dev.cairn.server.command;

import static dev.cairn.server.command.Args.integer;
import static dev.cairn.server.command.Args.upper;

import dev.cairn.api.Entry;
import dev.cairn.api.KeyRange;
import dev.cairn.api.RemainingTtl;
import dev.cairn.api.Store;
import dev.cairn.api.WriteOptions;
import dev.cairn.server.resp.Reply;
import java.util.ArrayList;
import java.util.List;

/** Commands on keys regardless of their value: DEL, EXISTS, the expiry family, SCAN, KEYS, DBSIZE, TYPE. */
final class KeyCommands {
    private static final int SCAN_PAGE = 1000;

    private final ServerContext context;
    private final Store store;
    private final int db;

    KeyCommands(ServerContext context, Store store, int db) {
        this.context = context;
        this.store = store;
        this.db = db;
    }

    void register(CommandTable c) {
        c.addMultiKey("del", -2, 1, (s, a) -> Reply.integer(deleteEach(a)));
        c.addMultiKey("unlink", -2, 1, (s, a) -> Reply.integer(deleteEach(a)));
        c.add("exists", -2, false, (s, a) -> {
            long n = 0;
            for (byte[] key : Args.tail(a, 1)) {
                n += store.exists(key) ? 1 : 0;
            }
            return Reply.integer(n);
        });
        c.add("expire", -3, true, (s, a) -> expire(a, 1000, false));
        c.add("pexpire", -3, true, (s, a) -> expire(a, 1, false));
        c.add("expireat", -3, true, (s, a) -> expire(a, 1000, true));
        c.add("pexpireat", -3, true, (s, a) -> expire(a, 1, true));
        c.add("expiretime", 2, false, (s, a) -> expireTime(a.get(1), false));
        c.add("pexpiretime", 2, false, (s, a) -> expireTime(a.get(1), true));
        c.addMultiKey("rename", 3, 1, (s, a) -> rename(a, false));
        c.addMultiKey("renamenx", 3, 1, (s, a) -> rename(a, true));
        c.addMultiKey("copy", -3, 1, (s, a) -> copy(a));
        c.add("randomkey", 1, false, (s, a) -> randomKey());
        c.add("cairn.scanrange", -4, false, (s, a) -> scanRange(a));
        c.add("object", -2, false, (s, a) -> object(a));
        c.add("flushdb", -1, true, (s, a) -> {
            checkFlushOptions(a);
            store.clear();
            return Reply.OK;
        });
        c.add("flushall", -1, true, (s, a) -> {
            checkFlushOptions(a);
            for (int i = 0; i < context.databases; i++) {
                if (context.exists(i)) {
                    context.database(i).clear();
                }
            }
            return Reply.OK;
        });
        c.add("ttl", 2, false, (s, a) -> ttl(a.get(1), 1000));
        c.add("pttl", 2, false, (s, a) -> ttl(a.get(1), 1));
        c.add("persist", 2, true, (s, a) -> Reply.integer(store.persist(a.get(1)) ? 1 : 0));
        c.add("type", 2, false, (s, a) -> Reply.simple(store.exists(a.get(1)) ? "string" : "none"));
        c.add("scan", -2, false, (s, a) -> scan(a));
        c.add("keys", 2, false, (s, a) -> keys(a.get(1)));
        c.add("dbsize", 1, false, (s, a) -> Reply.integer(count(store)));
        c.batch("del", this::deletes);
        c.batch("unlink", this::deletes);
        c.batch("persist", (a, w) -> {
            w.add(new dev.cairn.api.KeyedMutation(a.get(1), PERSIST));
            return (o, from, to) -> Reply.integer(o.get(from).decision().applied() ? 1 : 0);
        });
    }

    private static final dev.cairn.api.Mutation DELETE = new dev.cairn.api.Mutation.Delete();
    private static final dev.cairn.api.Mutation PERSIST = new dev.cairn.api.Mutation.Persist();

    /** DEL in a batch of writes: a delete per key (a key named twice finds it gone the second time). */
    private Commands.BatchReply deletes(List<byte[]> a, List<dev.cairn.api.KeyedMutation> w) {
        try {
            for (int i = 1; i < a.size(); i++) {
                store.limits().checkKey(a.get(i)); // DEL refuses all its keys or none
            }
        } catch (RuntimeException e) {
            return null;
        }
        for (int i = 1; i < a.size(); i++) {
            w.add(new dev.cairn.api.KeyedMutation(a.get(i), DELETE));
        }
        return (o, from, to) -> {
            long n = 0;
            for (int i = from; i < to; i++) {
                n += o.get(i).decision().applied() ? 1 : 0;
            }
            return Reply.integer(n);
        };
    }

    /** DEL counts each named key that existed; a key named twice counts once. */
    private long deleteEach(List<byte[]> a) {
        return store.deleteAll(Args.tail(a, 1));
    }

    /**
     * EXPIRE key amount [NX | XX | GT | LT] (and PEXPIRE, EXPIREAT, PEXPIREAT) in redis-server's
     * order: the options first (any number, checked for conflicts), then the amount, then the key.
     * An instant not in the future deletes the key.
     */
    private Reply expire(List<byte[]> a, long unitMillis, boolean absolute) {
        byte[] key = a.get(1);
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < a.size(); i++) {
            switch (upper(a.get(i))) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> throw new CommandException("ERR Unsupported option " + Args.text(a.get(i)));
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new CommandException("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            throw new CommandException("ERR GT and LT options at the same time are not compatible");
        }
        long amount = integer(a.get(2));
        String name = Args.text(a.get(0)).toLowerCase(java.util.Locale.ROOT);
        long now = store.clock().millis();
        long at;
        if (unitMillis == 1000 && (amount > Long.MAX_VALUE / 1000 || amount < Long.MIN_VALUE / 1000)) {
            throw new CommandException("ERR invalid expire time in '" + name + "' command");
        }
        long millis = amount * unitMillis;
        long base = absolute ? 0 : now;
        if (millis > Long.MAX_VALUE - base) {
            throw new CommandException("ERR invalid expire time in '" + name + "' command");
        }
        at = millis + base;
        Entry current = store.get(key).orElse(null);
        if (current == null) {
            return Reply.integer(0);
        }
        long existing = current.expiresAtMillis();
        boolean persistent = existing == Entry.NO_EXPIRY;
        if ((nx && !persistent) || (xx && persistent) || (gt && (persistent || at <= existing))
                || (lt && !persistent && at >= existing)) {
            return Reply.integer(0);
        }
        if (at <= now) {
            return Reply.integer(store.delete(key) ? 1 : 0);
        }
        return Reply.integer(store.expireAt(key, at, WriteOptions.DEFAULT) ? 1 : 0);
    }

    /** EXPIRETIME and PEXPIRETIME: the absolute expiry, -1 without one, -2 without the key. */
    private Reply expireTime(byte[] key, boolean millis) {
        Entry e = store.get(key).orElse(null);
        if (e == null) {
            return Reply.integer(-2);
        }
        if (e.expiresAtMillis() == Entry.NO_EXPIRY) {
            return Reply.integer(-1);
        }
        return Reply.integer(millis ? e.expiresAtMillis() : roundedSeconds(e.expiresAtMillis()));
    }

    /**
     * {@code CAIRN.SCANRANGE start end count [PREFIX p]}: Cairn's own command (not Redis's), for
     * clients that read ranges — the JDBC driver. Up to {@code count} live entries with
     * {@code start <= key < end} (an empty bound is open) and, with PREFIX, keys starting with
     * {@code p}, in key order, as a flat array of key, value, and milliseconds to live (-1: none).
     * One round trip per page, where Redis's SCAN would list every key and need a GET and a PTTL
     * for each.
     */
    private Reply scanRange(List<byte[]> a) {
        long count = integer(a.get(3));
        if (count < 1 || count > 100_000) {
            throw new CommandException("ERR count must be between 1 and 100000");
        }
        byte[] start = a.get(1).length == 0 ? null : a.get(1);
        byte[] end = a.get(2).length == 0 ? null : a.get(2);
        if (a.size() == 6 && upper(a.get(4)).equals("PREFIX")) {
            KeyRange p = KeyRange.prefix(a.get(5));
            if (p.start() != null && (start == null || java.util.Arrays.compareUnsigned(p.start(), start) > 0)) {
                start = p.start();
            }
            if (p.end() != null && (end == null || java.util.Arrays.compareUnsigned(p.end(), end) < 0)) {
                end = p.end();
            }
        } else if (a.size() != 4) {
            throw new CommandException(Args.SYNTAX);
        }
        if (start != null && end != null && java.util.Arrays.compareUnsigned(start, end) >= 0) {
            return Reply.array(List.of());
        }
        long now = store.clock().millis();
        List<Reply> out = new ArrayList<>();
        for (Entry e : store.scan(KeyRange.between(start, end), (int) count)) {
            out.add(Reply.bulk(e.key()));
            out.add(Reply.bulk(e.value()));
            out.add(Reply.integer(e.expiresAtMillis() == Entry.NO_EXPIRY ? -1 : Math.max(0, e.expiresAtMillis() - now)));
        }
        return Reply.array(out);
    }

    /** Milliseconds to the nearest second, half up, without overflowing near Long.MAX_VALUE. */
    private static long roundedSeconds(long millis) {
        return millis / 1000 + (millis % 1000 >= 500 ? 1 : 0);
    }

    /** RENAME and RENAMENX: the value and its expiry move to the new name. */
    private Reply rename(List<byte[]> a, boolean nx) {
        byte[] from = a.get(1);
        byte[] to = a.get(2);
        Entry e = store.get(from).orElse(null);
        if (e == null) {
            throw new CommandException("ERR no such key");
        }
        if (java.util.Arrays.equals(from, to)) {
            return nx ? Reply.integer(0) : Reply.OK;
        }
        if (nx && store.exists(to)) {
            return Reply.integer(0);
        }
        store.put(to, e.value(), keepExpiry(e));
        store.delete(from);
        return nx ? Reply.integer(1) : Reply.OK;
    }

    private static WriteOptions keepExpiry(Entry e) {
        return e.expiresAtMillis() == Entry.NO_EXPIRY ? WriteOptions.DEFAULT : WriteOptions.DEFAULT.withExpiresAt(e.expiresAtMillis());
    }

    /** COPY source destination [DB destination-db] [REPLACE]. */
    private Reply copy(List<byte[]> a) {
        int targetDb = db;
        boolean replace = false;
        for (int j = 3; j < a.size(); j++) {
            String opt = upper(a.get(j));
            if (opt.equals("REPLACE")) {
                replace = true;
            } else if (opt.equals("DB") && j + 1 < a.size()) {
                long n = integer(a.get(++j));
                if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                    throw new CommandException(Args.NOT_AN_INTEGER);
                }
                if (n < 0 || n >= context.databases) {
                    throw new CommandException("ERR DB index is out of range");
                }
                targetDb = (int) n;
            } else {
                throw new CommandException(Args.SYNTAX);
            }
        }
        if (targetDb == db && java.util.Arrays.equals(a.get(1), a.get(2))) {
            throw new CommandException("ERR source and destination objects are the same");
        }
        Entry e = store.get(a.get(1)).orElse(null);
        if (e == null) {
            return Reply.integer(0);
        }
        Store target = context.database(targetDb);
        if (replace) {
            target.put(a.get(2), e.value(), keepExpiry(e));
            return Reply.integer(1);
        }
        return Reply.integer(target.putIfAbsent(a.get(2), e.value(), keepExpiry(e)).isPresent() ? 1 : 0);
    }

    /**
     * A key picked at random: the first key at or after a random point of the key space (keys
     * after long empty stretches are likelier than others; Redis does not promise uniformity
     * either), or nil when the database is empty.
     */
    private Reply randomKey() {
        byte[] probe = new byte[4];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(probe);
        List<Entry> page = store.scan(KeyRange.all().startingAfter(probe), 1);
        if (page.isEmpty()) {
            page = store.scan(KeyRange.all(), 1);
        }
        return page.isEmpty() ? Reply.NULL : Reply.bulk(page.get(0).key());
    }

    /**
     * OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP. The encoding is what Redis would pick
     * for the value as it is (int, embstr up to 44 bytes, raw); Cairn does not track access, so
     * IDLETIME is 0, FREQ answers as Redis does under its default (non-LFU) policy, and REFCOUNT
     * is 1 (Redis says 2147483647 for the small integers it shares).
     */
    private Reply object(List<byte[]> a) {
        String sub = upper(a.get(1));
        if (sub.equals("HELP")) {
            if (a.size() != 2) {
                throw new CommandException("ERR wrong number of arguments for 'object|help' command");
            }
            return Reply.array(java.util.stream.Stream.of(
                    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
                    "    associated with a <key>.",
                    "FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
                    "    proportional to the logarithm of the recent access frequency of the key.",
                    "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
                    "    seconds elapsed since the last access to the key.",
                    "REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
                    "    <key>.",
                    "HELP", "    Print this help.").map(Reply::simple).toList());
        }
        if (!List.of("ENCODING", "REFCOUNT", "IDLETIME", "FREQ").contains(sub)) {
            throw new CommandException("ERR unknown subcommand '" + Commands.cut(a.get(1), 128) + "'. Try OBJECT HELP.");
        }
        if (a.size() != 3) {
            throw new CommandException("ERR wrong number of arguments for 'object|" + sub.toLowerCase(java.util.Locale.ROOT) + "' command");
        }
        Entry e = store.get(a.get(2)).orElse(null);
        if (e == null) {
            return Reply.NULL;
        }
        byte[] v = e.value();
        Long asInt = v.length <= 20 ? parseLongOrNull(v) : null;
        return switch (sub) {
            case "ENCODING" -> Reply.bulk(asInt != null ? "int" : v.length <= 44 ? "embstr" : "raw");
            case "REFCOUNT" -> Reply.integer(1); // values are not shared objects here
            case "IDLETIME" -> Reply.integer(0);
            default -> throw new CommandException("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                    + "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        };
    }

    private static Long parseLongOrNull(byte[] v) {
        try {
            return integer(v);
        } catch (CommandException e) {
            return null;
        }
    }

    /** FLUSHDB / FLUSHALL [ASYNC | SYNC]: both clear at once. */
    private static void checkFlushOptions(List<byte[]> a) {
        if (a.size() > 2 || (a.size() == 2 && !List.of("ASYNC", "SYNC").contains(upper(a.get(1))))) {
            throw new CommandException(Args.SYNTAX);
        }
    }

    private Reply ttl(byte[] key, long unitMillis) {
        RemainingTtl ttl = store.remainingTtl(key);
        if (ttl.isMissing()) {
            return Reply.integer(-2);
        }
        if (ttl.isPersistent()) {
            return Reply.integer(-1);
        }
        long millis = ttl.remaining().toMillis();
        return Reply.integer(unitMillis == 1 ? millis : roundedSeconds(millis));
    }

    /** SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]; cursors are numbers the server maps to the last key. */
    private Reply scan(List<byte[]> a) {
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(Args.text(a.get(1)));
        } catch (NumberFormatException e) {
            throw new CommandException("ERR invalid cursor");
        }
        byte[] pattern = null;
        int count = 10;
        String type = null;
        for (int i = 2; i < a.size(); i++) {
            String opt = upper(a.get(i));
            if (i + 1 >= a.size()) {
                throw new CommandException(Args.SYNTAX);
            }
            switch (opt) {
                case "MATCH" -> pattern = a.get(++i);
                case "COUNT" -> {
                    long n = integer(a.get(++i));
                    if (n < 1) {
                        throw new CommandException(Args.SYNTAX);
                    }
                    count = (int) Math.min(n, 100_000);
                }
                case "TYPE" -> type = Args.text(a.get(++i)).toLowerCase();
                default -> throw new CommandException(Args.SYNTAX);
            }
        }
        KeyRange range = pattern == null ? KeyRange.all() : prefixRange(pattern);
        if (cursor != 0) {
            byte[] last = context.cursor(cursor);
            if (last == null) {
                throw new CommandException("ERR invalid cursor");
            }
            range = range.startingAfter(last);
        }
        List<Entry> page = store.scan(range, count);
        List<byte[]> keys = new ArrayList<>();
        if (type == null || type.equals("string")) {
            for (Entry e : page) {
                if (pattern == null || Glob.matches(pattern, e.key())) {
                    keys.add(e.key());
                }
            }
        }
        long next = page.size() < count ? 0 : context.saveCursor(page.get(page.size() - 1).key());
        return Reply.array(List.of(Reply.bulk(Long.toUnsignedString(next)), Reply.bulks(keys)));
    }

    private static KeyRange prefixRange(byte[] pattern) {
        byte[] prefix = Glob.literalPrefix(pattern);
        return prefix.length == 0 ? KeyRange.all() : KeyRange.prefix(prefix);
    }

    private Reply keys(byte[] pattern) {
        List<byte[]> out = new ArrayList<>();
        KeyRange range = prefixRange(pattern);
        while (true) {
            List<Entry> page = store.scan(range, SCAN_PAGE);
            for (Entry e : page) {
                if (Glob.matches(pattern, e.key())) {
                    out.add(e.key());
                }
            }
            if (page.size() < SCAN_PAGE) {
                return Reply.bulks(out);
            }
            range = range.startingAfter(page.get(page.size() - 1).key());
        }
    }

    /** The number of live keys ({@link Store#count}). */
    static long count(Store store) {
        return store.count();
    }

    /** INFO keyspace's figures: {live keys, keys with an expiry, their average remaining TTL in ms}. */
    static long[] keyspace(Store store) {
        long keys = 0;
        long expires = 0;
        long ttlSum = 0;
        long now = store.clock().millis();
        KeyRange range = KeyRange.all();
        while (true) {
            List<Entry> page = store.scan(range, SCAN_PAGE);
            for (Entry e : page) {
                keys++;
                if (e.expiresAtMillis() != Entry.NO_EXPIRY) {
                    expires++;
                    ttlSum += Math.max(0, e.expiresAtMillis() - now);
                }
            }
            if (page.size() < SCAN_PAGE) {
                return new long[] {keys, expires, expires == 0 ? 0 : ttlSum / expires};
            }
            range = range.startingAfter(page.get(page.size() - 1).key());
        }
    }
}
