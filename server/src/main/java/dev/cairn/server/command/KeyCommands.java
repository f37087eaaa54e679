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
        c.add("expire", -3, true, (s, a) -> expire(a, integer(a.get(2)), 1000, false));
        c.add("pexpire", -3, true, (s, a) -> expire(a, integer(a.get(2)), 1, false));
        c.add("expireat", -3, true, (s, a) -> expire(a, integer(a.get(2)), 1000, true));
        c.add("pexpireat", -3, true, (s, a) -> expire(a, integer(a.get(2)), 1, true));
        c.add("ttl", 2, false, (s, a) -> ttl(a.get(1), 1000));
        c.add("pttl", 2, false, (s, a) -> ttl(a.get(1), 1));
        c.add("persist", 2, true, (s, a) -> Reply.integer(store.persist(a.get(1)) ? 1 : 0));
        c.add("type", 2, false, (s, a) -> Reply.simple(store.exists(a.get(1)) ? "string" : "none"));
        c.add("scan", -2, false, (s, a) -> scan(a));
        c.add("keys", 2, false, (s, a) -> keys(a.get(1)));
        c.add("dbsize", 1, false, (s, a) -> Reply.integer(count(store)));
        dev.cairn.api.AsyncStore async = store.async();
        c.async("del", (s, a) -> async.deleteAll(Args.tail(a, 1), dev.cairn.api.WriteOptions.DEFAULT)
                .thenApply(n -> Reply.integer(n)));
        c.async("unlink", (s, a) -> async.deleteAll(Args.tail(a, 1), dev.cairn.api.WriteOptions.DEFAULT)
                .thenApply(n -> Reply.integer(n)));
        c.async("persist", (s, a) -> async.persist(a.get(1), dev.cairn.api.WriteOptions.DEFAULT)
                .thenApply(p -> Reply.integer(p ? 1 : 0)));
    }

    /** DEL counts each named key that existed; a key named twice counts once. */
    private long deleteEach(List<byte[]> a) {
        return store.deleteAll(Args.tail(a, 1));
    }

    /** EXPIRE key amount [NX | XX | GT | LT]; amount relative or absolute, in seconds or millis. */
    private Reply expire(List<byte[]> a, long amount, long unitMillis, boolean absolute) {
        byte[] key = a.get(1);
        String condition = a.size() > 3 ? upper(a.get(3)) : null;
        if (a.size() > 4 || (condition != null && !List.of("NX", "XX", "GT", "LT").contains(condition))) {
            throw new CommandException(condition != null && a.size() == 4
                    ? "ERR Unsupported option " + Args.text(a.get(3)) : Args.SYNTAX);
        }
        long at;
        try {
            long millis = Math.multiplyExact(amount, unitMillis);
            at = absolute ? millis : Math.addExact(store.clock().millis(), millis);
        } catch (ArithmeticException e) {
            throw new CommandException("ERR invalid expire time in '" + Args.text(a.get(0)).toLowerCase() + "' command");
        }
        Entry current = store.get(key).orElse(null);
        if (current == null) {
            return Reply.integer(0);
        }
        if (condition != null) {
            long existing = current.expiresAtMillis();
            boolean ok = switch (condition) {
                case "NX" -> existing == Entry.NO_EXPIRY;
                case "XX" -> existing != Entry.NO_EXPIRY;
                case "GT" -> existing != Entry.NO_EXPIRY && at > existing;
                case "LT" -> existing == Entry.NO_EXPIRY || at < existing;
                default -> false;
            };
            if (!ok) {
                return Reply.integer(0);
            }
        }
        if (at <= 0) {
            return Reply.integer(store.delete(key) ? 1 : 0);
        }
        return Reply.integer(store.expireAt(key, at, WriteOptions.DEFAULT) ? 1 : 0);
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
        return Reply.integer(unitMillis == 1 ? millis : (millis + 500) / 1000);
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
}
