package dev.cairn.server.command;

import static dev.cairn.server.command.Args.integer;
import static dev.cairn.server.command.Args.upper;

import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyValue;
import dev.cairn.api.Store;
import dev.cairn.api.WriteOptions;
import dev.cairn.server.resp.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** GET, SET and the other string commands, on the store's entries. */
final class StringCommands {
    private final Store store;

    StringCommands(ServerContext context, Store store) {
        this.store = store;
        this.async = store.async();
    }

    private final dev.cairn.api.AsyncStore async;

    private static java.util.concurrent.CompletableFuture<Reply> ok(java.util.concurrent.CompletableFuture<?> write) {
        return write.thenApply(x -> Reply.OK);
    }

    /** The non-blocking forms of the writes that are one store call. */
    private void registerAsync(CommandTable c) {
        c.async("set", (s, a) -> a.size() == 3 ? ok(async.put(a.get(1), a.get(2), WriteOptions.DEFAULT)) : null);
        c.async("setnx", (s, a) -> async.compareAndSet(a.get(1), dev.cairn.api.Expected.absent(), a.get(2), WriteOptions.DEFAULT)
                .thenApply(e -> Reply.integer(e.isPresent() ? 1 : 0)));
        c.async("setex", (s, a) -> ok(async.put(a.get(1), a.get(3),
                WriteOptions.DEFAULT.withExpiresAt(expiryInstant("EX", a.get(2), "setex")))));
        c.async("psetex", (s, a) -> ok(async.put(a.get(1), a.get(3),
                WriteOptions.DEFAULT.withExpiresAt(expiryInstant("PX", a.get(2), "psetex")))));
        c.async("incr", (s, a) -> async.increment(a.get(1), 1, WriteOptions.DEFAULT).thenApply(Reply::integer));
        c.async("decr", (s, a) -> async.increment(a.get(1), -1, WriteOptions.DEFAULT).thenApply(Reply::integer));
        c.async("incrby", (s, a) -> async.increment(a.get(1), integer(a.get(2)), WriteOptions.DEFAULT).thenApply(Reply::integer));
        c.async("mset", (s, a) -> ok(async.putAll(pairs(a, "mset"), WriteOptions.DEFAULT)));
    }

    void register(CommandTable c) {
        c.add("get", 2, false, (s, a) -> Reply.bulk(value(store.get(a.get(1)))));
        c.add("set", -3, true, (s, a) -> set(a));
        c.add("setnx", 3, true, (s, a) -> Reply.integer(store.putIfAbsent(a.get(1), a.get(2)).isPresent() ? 1 : 0));
        c.add("setex", 4, true, (s, a) -> {
            store.put(a.get(1), a.get(3), WriteOptions.DEFAULT.withExpiresAt(expiryInstant("EX", a.get(2), "setex")));
            return Reply.OK;
        });
        c.add("psetex", 4, true, (s, a) -> {
            store.put(a.get(1), a.get(3), WriteOptions.DEFAULT.withExpiresAt(expiryInstant("PX", a.get(2), "psetex")));
            return Reply.OK;
        });
        c.add("getdel", 2, true, (s, a) -> getDel(a.get(1)));
        c.add("getex", -2, true, (s, a) -> getEx(a));
        c.add("incr", 2, true, (s, a) -> Reply.integer(store.increment(a.get(1), 1)));
        c.add("decr", 2, true, (s, a) -> Reply.integer(store.increment(a.get(1), -1)));
        c.add("incrby", 3, true, (s, a) -> Reply.integer(store.increment(a.get(1), integer(a.get(2)))));
        c.add("decrby", 3, true, (s, a) -> {
            long by = integer(a.get(2));
            if (by == Long.MIN_VALUE) {
                throw new CommandException("ERR decrement would overflow");
            }
            return Reply.integer(store.increment(a.get(1), -by));
        });
        c.add("append", 3, true, (s, a) -> append(a.get(1), a.get(2)));
        c.add("strlen", 2, false, (s, a) -> Reply.integer(store.get(a.get(1)).map(e -> e.value().length).orElse(0)));
        c.add("mget", -2, false, (s, a) -> {
            List<byte[]> out = new ArrayList<>();
            for (Optional<Entry> e : store.getAll(Args.tail(a, 1))) {
                out.add(value(e));
            }
            return Reply.bulks(out);
        });
        c.addMultiKey("mset", -3, 2, (s, a) -> {
            store.putAll(pairs(a, "mset"));
            return Reply.OK;
        });
        c.addMultiKey("msetnx", -3, 2, (s, a) -> {
            List<KeyValue> pairs = pairs(a, "msetnx");
            for (KeyValue kv : pairs) {
                if (store.exists(kv.key())) {
                    return Reply.integer(0);
                }
            }
            store.putAll(pairs);
            return Reply.integer(1);
        });
        registerAsync(c);
    }

    static byte[] value(Optional<Entry> e) {
        return e.map(Entry::value).orElse(null);
    }

    private static List<KeyValue> pairs(List<byte[]> a, String name) {
        if ((a.size() - 1) % 2 != 0) {
            throw new CommandException("ERR wrong number of arguments for '" + name + "' command");
        }
        List<KeyValue> out = new ArrayList<>();
        for (int i = 1; i < a.size(); i += 2) {
            out.add(new KeyValue(a.get(i), a.get(i + 1)));
        }
        return out;
    }

    /** An expiry option's value as an absolute epoch-millis instant. */
    private long expiryInstant(String option, byte[] arg, String command) {
        long n = integer(arg);
        if (n <= 0) {
            throw new CommandException("ERR invalid expire time in '" + command + "' command");
        }
        long now = store.clock().millis();
        try {
            return switch (option) {
                case "EX" -> Math.addExact(now, Math.multiplyExact(n, 1000L));
                case "PX" -> Math.addExact(now, n);
                case "EXAT" -> Math.multiplyExact(n, 1000L);
                case "PXAT" -> n;
                default -> throw new CommandException(Args.SYNTAX);
            };
        } catch (ArithmeticException e) {
            throw new CommandException("ERR invalid expire time in '" + command + "' command");
        }
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ms | KEEPTTL]. */
    private Reply set(List<byte[]> a) {
        byte[] key = a.get(1);
        byte[] value = a.get(2);
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        long expiresAt = Entry.NO_EXPIRY;
        boolean expirySet = false;
        for (int i = 3; i < a.size(); i++) {
            String opt = upper(a.get(i));
            switch (opt) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GET" -> get = true;
                case "KEEPTTL" -> keepTtl = true;
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (expirySet || i + 1 >= a.size()) {
                        throw new CommandException(Args.SYNTAX);
                    }
                    expiresAt = expiryInstant(opt, a.get(++i), "set");
                    expirySet = true;
                }
                default -> throw new CommandException(Args.SYNTAX);
            }
        }
        if ((nx && xx) || (keepTtl && expirySet)) {
            throw new CommandException(Args.SYNTAX);
        }
        if (!get && !xx && !keepTtl) {
            // The common cases need no read: a plain put, or put-if-absent.
            WriteOptions options = expirySet ? WriteOptions.DEFAULT.withExpiresAt(expiresAt) : WriteOptions.DEFAULT;
            if (nx) {
                return store.putIfAbsent(key, value, options).isPresent() ? Reply.OK : Reply.NULL;
            }
            store.put(key, value, options);
            return Reply.OK;
        }
        while (true) {
            Optional<Entry> current = store.get(key);
            if ((nx && current.isPresent()) || (xx && current.isEmpty())) {
                return get ? Reply.bulk(value(current)) : Reply.NULL;
            }
            WriteOptions options = WriteOptions.DEFAULT;
            if (expirySet) {
                options = options.withExpiresAt(expiresAt);
            } else if (keepTtl && current.isPresent() && current.get().expiresAtMillis() != Entry.NO_EXPIRY) {
                options = options.withExpiresAt(current.get().expiresAtMillis());
            }
            Expected expected = current.isPresent() ? Expected.version(current.get().version()) : Expected.absent();
            if (store.compareAndSet(key, expected, value, options).isPresent()) {
                return get ? Reply.bulk(value(current)) : Reply.OK;
            }
        }
    }

    private Reply getDel(byte[] key) {
        while (true) {
            Optional<Entry> current = store.get(key);
            if (current.isEmpty()) {
                return Reply.NULL;
            }
            if (store.compareAndDelete(key, Expected.version(current.get().version()))) {
                return Reply.bulk(current.get().value());
            }
        }
    }

    /** GETEX key [EX s | PX ms | EXAT ts | PXAT ms | PERSIST]. */
    private Reply getEx(List<byte[]> a) {
        byte[] key = a.get(1);
        if (a.size() == 2) {
            return Reply.bulk(value(store.get(key)));
        }
        String opt = upper(a.get(2));
        if (opt.equals("PERSIST") && a.size() == 3) {
            Optional<Entry> current = store.get(key);
            current.ifPresent(e -> store.persist(key));
            return Reply.bulk(value(current));
        }
        if (a.size() != 4) {
            throw new CommandException(Args.SYNTAX);
        }
        long at = expiryInstant(opt, a.get(3), "getex");
        Optional<Entry> current = store.get(key);
        if (current.isPresent()) {
            store.expireAt(key, at, WriteOptions.DEFAULT);
        }
        return Reply.bulk(value(current));
    }

    private Reply append(byte[] key, byte[] suffix) {
        while (true) {
            Optional<Entry> current = store.get(key);
            if (current.isEmpty()) {
                if (store.putIfAbsent(key, suffix).isPresent()) {
                    return Reply.integer(suffix.length);
                }
                continue;
            }
            byte[] old = current.get().value();
            store.limits().checkValueSize((long) old.length + suffix.length);
            byte[] joined = new byte[old.length + suffix.length];
            System.arraycopy(old, 0, joined, 0, old.length);
            System.arraycopy(suffix, 0, joined, old.length, suffix.length);
            WriteOptions keep = current.get().expiresAtMillis() == Entry.NO_EXPIRY ? WriteOptions.DEFAULT
                    : WriteOptions.DEFAULT.withExpiresAt(current.get().expiresAtMillis());
            if (store.compareAndSet(key, Expected.version(current.get().version()), joined, keep).isPresent()) {
                return Reply.integer(joined.length);
            }
        }
    }
}
