package dev.cairn.server;

import dev.cairn.api.CairnException;
import dev.cairn.api.Consistency;
import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.IllegalKeyException;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyTooLargeException;
import dev.cairn.api.KeyValue;
import dev.cairn.api.NotANumberException;
import dev.cairn.api.NumericOverflowException;
import dev.cairn.api.QuorumNotReachedException;
import dev.cairn.api.ReadOptions;
import dev.cairn.api.RemainingTtl;
import dev.cairn.api.StorageFailedException;
import dev.cairn.api.Store;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreLimits;
import dev.cairn.api.ValueTooLargeException;
import dev.cairn.api.Version;
import dev.cairn.api.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A {@link Store} on cairn-server nodes over RESP, through Cairn's own commands ({@code CAIRN.GET},
 * {@code CAIRN.PUT}, {@code CAIRN.CAS}, … — versions, consistency and typed errors included), each
 * call sent to the next node in turn: every node accepts every request. Database {@code db}
 * (SELECT) is the store.
 *
 * <p>Time: when given a clock, before each call it sets every node's store clock to it
 * ({@code CAIRN.CLOCK SET}, nodes started with {@code --test-clock}), so that expiry is judged at
 * the caller's time. Limits: the nodes enforce theirs; a store opened with stricter limits also
 * refuses what passes the nodes' limits but not its own, before sending it.
 */
final class RespStore implements Store {
    private final List<JedisPool> pools = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final Clock clock;
    private final boolean setsClocks;
    private final StoreLimits limits;
    private final StoreLimits nodeLimits;
    private long clockSet = Long.MIN_VALUE; // guarded by this
    private volatile boolean closed;

    RespStore(List<HostAndPort> nodes, int db, Clock clock, boolean setsClocks, StoreLimits limits) {
        for (HostAndPort n : nodes) {
            pools.add(new JedisPool(new redis.clients.jedis.JedisPoolConfig(), n.getHost(), n.getPort(), 30_000, null, db));
        }
        this.clock = clock;
        this.setsClocks = setsClocks;
        List<?> l = (List<?>) call("CAIRN.LIMITS");
        this.nodeLimits = new StoreLimits(((Long) l.get(0)).intValue(), ((Long) l.get(1)).intValue());
        this.limits = limits;
    }

    /** A command Jedis does not know, by name. */
    private static ProtocolCommand command(String name) {
        byte[] raw = name.getBytes(StandardCharsets.US_ASCII);
        return () -> raw;
    }

    /** Sends {@code name args} to the next node; maps a typed error reply to the store's exception. */
    private Object call(String name, Object... args) {
        if (closed) {
            throw new StoreClosedException("RESP store");
        }
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = args[i] instanceof byte[] b ? b : String.valueOf(args[i]).getBytes(StandardCharsets.UTF_8);
        }
        setClocks();
        JedisPool pool = pools.get(Math.floorMod(next.getAndIncrement(), pools.size()));
        try (Jedis j = pool.getResource()) {
            return j.sendCommand(command(name), raw);
        } catch (JedisDataException e) {
            throw typed(e.getMessage());
        }
    }

    private synchronized void setClocks() {
        if (!setsClocks) {
            return;
        }
        long now = clock.millis();
        if (now == clockSet) {
            return;
        }
        for (JedisPool pool : pools) {
            try (Jedis j = pool.getResource()) {
                j.sendCommand(command("CAIRN.CLOCK"), "SET".getBytes(StandardCharsets.US_ASCII),
                        Long.toString(now).getBytes(StandardCharsets.US_ASCII));
            }
        }
        clockSet = now;
    }

    /** The store's exception for an error reply typed by its first word (see the server's README). */
    static RuntimeException typed(String message) {
        String m = message == null ? "" : message;
        String[] w = m.split(" ", 4);
        try {
            switch (w[0]) {
                case "KEYTOOLARGE":
                    return new KeyTooLargeException(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
                case "VALUETOOLARGE":
                    return new ValueTooLargeException(Long.parseLong(w[1]), Integer.parseInt(w[2]));
                case "NOTANUMBER":
                    return new NotANumberException(m.substring(w[0].length()).trim());
                case "OVERFLOW":
                    return new NumericOverflowException(Long.parseLong(w[1]), Long.parseLong(w[2]));
                case "NOQUORUM":
                    return new QuorumNotReachedException(Integer.parseInt(w[1]), Integer.parseInt(w[2]), "from the server: "
                            + (w.length > 3 ? w[3] : ""));
                case "ILLEGALKEY":
                    return new IllegalKeyException(m.substring(w[0].length()).trim());
                case "STORAGE":
                    return new StorageFailedException(m.substring(w[0].length()).trim(), null);
                default:
                    return new JedisDataException(m);
            }
        } catch (RuntimeException unparsable) {
            return new JedisDataException(m);
        }
    }

    private static Optional<Entry> entry(byte[] key, Object reply) {
        if (reply == null) {
            return Optional.empty();
        }
        List<?> e = (List<?>) reply;
        long expires = (Long) e.get(3);
        return Optional.of(new Entry(key, (byte[]) e.get(0), Version.of((Long) e.get(1), (Long) e.get(2)),
                expires == -1 ? Entry.NO_EXPIRY : expires));
    }

    private static List<Object> options(List<Object> args, Consistency c) {
        if (!c.equals(Consistency.QUORUM)) {
            args.add("CONSISTENCY");
            args.add(c.equals(Consistency.ONE) ? "ONE" : c.equals(Consistency.ALL) ? "ALL" : Integer.toString(c.required(1)));
        }
        return args;
    }

    private List<Object> write(List<Object> args, WriteOptions o) {
        if (o.ttl() != null) {
            args.add("PX");
            args.add(o.ttl().toMillis());
        } else if (o.hasExpiry()) {
            args.add("PXAT");
            args.add(o.expiresAtMillis(clock.millis()));
        }
        return options(args, o.consistency());
    }

    private static List<Object> read(List<Object> args, ReadOptions o) {
        options(args, o.consistency());
        if (o.includeExpired()) {
            args.add("WITHEXPIRED");
        }
        return args;
    }

    private static List<Object> args(Object... a) {
        return new ArrayList<>(List.of(a));
    }

    private byte[] key(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalKeyException(key == null ? "a key must not be null" : "a key must not be empty");
        }
        if (key.length > limits.maxKeyBytes() && limits.maxKeyBytes() < nodeLimits.maxKeyBytes()) {
            throw new KeyTooLargeException(key.length, limits.maxKeyBytes());
        }
        return key;
    }

    private byte[] value(byte[] value) {
        Objects.requireNonNull(value, "value");
        if (value.length > limits.maxValueBytes() && limits.maxValueBytes() < nodeLimits.maxValueBytes()) {
            throw new ValueTooLargeException(value.length, limits.maxValueBytes());
        }
        return value;
    }

    private Object send(String name, List<Object> args) {
        return call(name, args.toArray());
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Optional<Entry> get(byte[] key, ReadOptions options) {
        return entry(key, send("CAIRN.GET", read(args(key(key)), options)));
    }

    @Override
    public boolean exists(byte[] key, ReadOptions options) {
        return get(key, options).isPresent();
    }

    @Override
    public Entry put(byte[] key, byte[] value, WriteOptions options) {
        Objects.requireNonNull(options, "options");
        return entry(key, send("CAIRN.PUT", write(args(key(key), value(value)), options))).orElseThrow();
    }

    @Override
    public boolean delete(byte[] key, WriteOptions options) {
        return (Long) send("CAIRN.DEL", options(args(key(key)), options.consistency())) == 1;
    }

    private static List<Object> expected(List<Object> args, Expected expected) {
        Objects.requireNonNull(expected, "expected");
        if (expected.isAbsent()) {
            args.add("ABSENT");
        } else if (expected.expectedVersion() != null) {
            args.add(expected.expectsExpired() ? "EXPIREDVERSION" : "VERSION");
            args.add(expected.expectedVersion().epoch());
            args.add(expected.expectedVersion().counter());
        } else {
            args.add("VALUE");
            args.add(expected.expectedValue());
        }
        return args;
    }

    @Override
    public Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options) {
        List<Object> a = expected(args(key(key)), expected);
        a.add(value(value));
        return entry(key, send("CAIRN.CAS", write(a, options)));
    }

    @Override
    public boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
        return (Long) send("CAIRN.CAD", options(expected(args(key(key)), expected), options.consistency())) == 1;
    }

    @Override
    public long increment(byte[] key, long delta, WriteOptions options) {
        return (Long) send("CAIRN.INCR", write(args(key(key), delta), options));
    }

    @Override
    public boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
        return (Long) send("CAIRN.EXPIREAT", options(args(key(key), expiresAtMillis), options.consistency())) == 1;
    }

    @Override
    public boolean persist(byte[] key, WriteOptions options) {
        return (Long) send("CAIRN.PERSIST", options(args(key(key)), options.consistency())) == 1;
    }

    @Override
    public RemainingTtl remainingTtl(byte[] key, ReadOptions options) {
        long ms = (Long) send("CAIRN.TTL", options(args(key(key)), options.consistency()));
        return ms == -2 ? RemainingTtl.missing() : ms == -1 ? RemainingTtl.persistent() : RemainingTtl.of(Duration.ofMillis(ms));
    }

    @Override
    public List<Optional<Entry>> getAll(List<byte[]> keys, ReadOptions options) {
        List<Optional<Entry>> out = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
            key(k);
        }
        for (byte[] k : keys) {
            out.add(get(k, options));
        }
        return out;
    }

    @Override
    public void putAll(List<KeyValue> entries, WriteOptions options) {
        List<Object> a = args(entries.size());
        for (KeyValue kv : entries) {
            a.add(key(kv.key()));
            a.add(value(kv.value()));
        }
        send("CAIRN.PUTALL", write(a, options));
    }

    @Override
    public int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        int n = 0;
        for (byte[] k : keys) {
            key(k);
        }
        for (byte[] k : keys) {
            n += delete(k, options) ? 1 : 0;
        }
        return n;
    }

    @Override
    public List<Entry> scan(KeyRange range, int limit, ReadOptions options) {
        if (limit < 1) {
            throw new IllegalArgumentException("a scan limit must be at least 1: " + limit);
        }
        List<?> flat = (List<?>) send("CAIRN.SCAN", read(args(range.start() == null ? new byte[0] : range.start(),
                range.end() == null ? new byte[0] : range.end(), Math.min(limit, 100_000)), options));
        List<Entry> out = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i < flat.size(); i += 2) {
            byte[] k = (byte[]) flat.get(i);
            out.add(entry(k, flat.get(i + 1)).orElseThrow());
        }
        return out;
    }

    @Override
    public void clear(WriteOptions options) {
        Object ok = call("FLUSHDB");
        if (!(ok instanceof byte[] b) || !new String(b, StandardCharsets.US_ASCII).equals("OK")) {
            throw new CairnException("FLUSHDB answered " + ok) { };
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pools.forEach(JedisPool::close);
        }
    }
}
