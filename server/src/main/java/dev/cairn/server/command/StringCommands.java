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
    }

    private static final Commands.BatchReply OK = (o, from, to) -> Reply.OK;
    private static final Commands.BatchReply NUMBER = (o, from, to) -> Reply.integer(o.get(from).decision().number());
    private static final dev.cairn.api.Mutation INCR = new dev.cairn.api.Mutation.Increment(1, WriteOptions.DEFAULT);
    private static final dev.cairn.api.Mutation DECR = new dev.cairn.api.Mutation.Increment(-1, WriteOptions.DEFAULT);

    /**
     * The writes that are one store call, as data ({@link Commands.BatchForm}): they join a
     * pipeline's batch of writes, and where writes wait on an fsync they are the non-blocking
     * form too (a batch of one). Arguments these commands would refuse keep them out, so that
     * their errors stay their own.
     */
    private void registerBatch(CommandTable c) {
        c.batch("set", (a, w) -> a.size() == 3 ? put(w, a.get(1), a.get(2), WriteOptions.DEFAULT) : null);
        c.batch("setnx", (a, w) -> {
            w.add(new dev.cairn.api.KeyedMutation(a.get(1),
                    new dev.cairn.api.Mutation.CompareAndSet(Expected.absent(), a.get(2), WriteOptions.DEFAULT)));
            return (o, from, to) -> Reply.integer(o.get(from).decision().applied() ? 1 : 0);
        });
        c.batch("setex", (a, w) -> expiring(w, a, "EX", "setex"));
        c.batch("psetex", (a, w) -> expiring(w, a, "PX", "psetex"));
        c.batch("incr", (a, w) -> increment(w, a.get(1), INCR));
        c.batch("decr", (a, w) -> increment(w, a.get(1), DECR));
        c.batch("incrby", (a, w) -> {
            Long by = Args.integerOrNull(a.get(2));
            return by == null ? null : increment(w, a.get(1), new dev.cairn.api.Mutation.Increment(by, WriteOptions.DEFAULT));
        });
        c.batch("decrby", (a, w) -> {
            Long by = Args.integerOrNull(a.get(2));
            return by == null || by == Long.MIN_VALUE ? null
                    : increment(w, a.get(1), new dev.cairn.api.Mutation.Increment(-by, WriteOptions.DEFAULT));
        });
        c.batch("mset", (a, w) -> {
            // MSET writes all its pairs or none: one it would refuse keeps the whole command out
            if ((a.size() - 1) % 2 != 0) {
                return null;
            }
            try {
                for (int i = 1; i < a.size(); i += 2) {
                    store.limits().checkKey(a.get(i));
                    store.limits().checkValue(a.get(i + 1));
                }
            } catch (RuntimeException e) {
                return null;
            }
            for (int i = 1; i < a.size(); i += 2) {
                put(w, a.get(i), a.get(i + 1), WriteOptions.DEFAULT);
            }
            return OK;
        });
    }

    private static Commands.BatchReply put(List<dev.cairn.api.KeyedMutation> w, byte[] key, byte[] value, WriteOptions options) {
        w.add(new dev.cairn.api.KeyedMutation(key, new dev.cairn.api.Mutation.Put(value, options)));
        return OK;
    }

    private Commands.BatchReply expiring(List<dev.cairn.api.KeyedMutation> w, List<byte[]> a, String unit, String name) {
        long at;
        try {
            at = expiryInstant(unit, a.get(2), name);
        } catch (CommandException e) {
            return null;
        }
        return put(w, a.get(1), a.get(3), WriteOptions.DEFAULT.withExpiresAt(at));
    }

    private static Commands.BatchReply increment(List<dev.cairn.api.KeyedMutation> w, byte[] key, dev.cairn.api.Mutation by) {
        w.add(new dev.cairn.api.KeyedMutation(key, by));
        return NUMBER;
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
        registerBatch(c);
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

    /**
     * The options of SET (from argument 3) or GETEX (from argument 2), parsed by redis-server's
     * rules: an option may repeat (the last amount wins) but not conflict (NX with XX, two
     * different expiry forms, an expiry with KEEPTTL or PERSIST); anything else is a syntax
     * error. The amount is checked later, after the key is looked at where Redis does so.
     */
    private record StringOptions(boolean nx, boolean xx, boolean get, boolean keepTtl, boolean persist, String expiry,
                                 byte[] amount) {
        static StringOptions parse(List<byte[]> a, int from, boolean set) {
            boolean nx = false;
            boolean xx = false;
            boolean get = false;
            boolean keepTtl = false;
            boolean persist = false;
            String expiry = null;
            byte[] amount = null;
            for (int i = from; i < a.size(); i++) {
                String opt = upper(a.get(i));
                boolean next = i + 1 < a.size();
                if (opt.equals("NX") && set && !xx) {
                    nx = true;
                } else if (opt.equals("XX") && set && !nx) {
                    xx = true;
                } else if (opt.equals("GET") && set) {
                    get = true;
                } else if (opt.equals("KEEPTTL") && set && !persist && expiry == null) {
                    keepTtl = true;
                } else if (opt.equals("PERSIST") && !set && expiry == null && !keepTtl) {
                    persist = true;
                } else if (List.of("EX", "PX", "EXAT", "PXAT").contains(opt) && !keepTtl && !persist
                        && (expiry == null || expiry.equals(opt)) && next) {
                    expiry = opt;
                    amount = a.get(++i);
                } else {
                    throw new CommandException(Args.SYNTAX);
                }
            }
            return new StringOptions(nx, xx, get, keepTtl, persist, expiry, amount);
        }
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ms | KEEPTTL]. */
    private Reply set(List<byte[]> a) {
        byte[] key = a.get(1);
        byte[] value = a.get(2);
        StringOptions o = StringOptions.parse(a, 3, true);
        boolean nx = o.nx();
        boolean xx = o.xx();
        boolean get = o.get();
        boolean keepTtl = o.keepTtl();
        boolean expirySet = o.expiry() != null;
        long expiresAt = expirySet ? expiryInstant(o.expiry(), o.amount(), "set") : Entry.NO_EXPIRY;
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
        StringOptions o = StringOptions.parse(a, 2, false);
        // as in Redis: a missing key answers nil before the amount is looked at
        Optional<Entry> current = store.get(key);
        if (current.isEmpty()) {
            return Reply.NULL;
        }
        if (o.expiry() != null) {
            long at = expiryInstant(o.expiry(), o.amount(), "getex");
            store.expireAt(key, at, WriteOptions.DEFAULT);
        } else if (o.persist()) {
            store.persist(key);
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
