package dev.cairn.server.command;

import dev.cairn.api.CairnException;
import dev.cairn.api.KeyTooLargeException;
import dev.cairn.api.NotANumberException;
import dev.cairn.api.NumericOverflowException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.ValueTooLargeException;
import dev.cairn.server.resp.Reply;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command table and dispatcher. Each command has Redis's arity convention (positive: exactly
 * that many words including the name; negative: at least that many) and says whether it writes.
 * The dispatcher checks authentication and arity, runs the command, and turns every failure into
 * an error reply with Redis's wording, so no exception reaches the connection.
 */
public final class Commands {
    private static final Logger log = LoggerFactory.getLogger(Commands.class);

    /** One command's implementation. */
    interface Handler {
        Reply handle(Session session, List<byte[]> args);
    }

    /**
     * A table row. A writing command's keys are its arguments from {@code firstKey} on, every
     * {@code keyStep}-th one ({@code firstKey} 1, step 1 for DEL; step 2 for MSET's key-value pairs).
     */
    record Spec(String name, int arity, boolean writes, int keyStep, Handler handler, BatchForm batch, Stats stats,
                boolean longRunning, boolean touchesStore) {
        static Spec of(String name, int arity, boolean writes, int keyStep, Handler handler, Stats stats) {
            return new Spec(name, arity, writes, keyStep, handler, null, stats, LONG_RUNNING.contains(name),
                    !NO_STORE_READS.contains(name));
        }

        Spec withBatch(BatchForm form) {
            return new Spec(name, arity, writes, keyStep, handler, form, stats, longRunning, touchesStore);
        }
    }

    /**
     * A writing command's form as a batch of writes ({@link dev.cairn.api.Store#mutateAll}): the
     * single-key writes it makes, and how its reply follows from their outcomes. It is how a
     * pipeline's writes go to the store together, and how a write runs without blocking where
     * writes wait on an fsync (a batch of one, through the store's non-blocking form).
     */
    interface BatchForm {
        /**
         * Adds the command's writes to {@code writes} and returns how its reply is made, or null
         * when this form of the command runs on its own (arguments it would refuse, so that its
         * error is its own, or a form with no batch equivalent). Adds nothing when it returns null.
         */
        BatchReply prepare(List<byte[]> args, List<dev.cairn.api.KeyedMutation> writes);
    }

    /** A batched command's reply from the outcomes of its writes, {@code from} (inclusive) to {@code to}, none failed. */
    interface BatchReply {
        Reply reply(List<dev.cairn.api.MutationOutcome> outcomes, int from, int to);
    }

    private static final Lock[] NO_LOCKS = new Lock[0];

    private final ServerContext context;
    /** Each database's table, built the first time a connection uses the database. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<CommandTable> tables;

    public Commands(ServerContext context) {
        this.context = context;
        this.tables = new java.util.concurrent.atomic.AtomicReferenceArray<>(context.databases);
        table(0);
    }

    /** Database {@code db}'s commands, bound to its store. */
    CommandTable table(int db) {
        CommandTable t = tables.get(db);
        if (t == null) {
            synchronized (tables) {
                t = tables.get(db);
                if (t == null) {
                    t = new CommandTable(this::stats);
                    dev.cairn.api.Store store = context.database(db);
                    new StringCommands(context, store).register(t);
                    new StringEditCommands(context, store).register(t);
                    new KeyCommands(context, store, db).register(t);
                    new ConnectionCommands(context, this).register(t);
                    new CairnCommands(context, store).register(t);
                    tables.set(db, t);
                }
            }
        }
        return t;
    }

    Collection<Spec> specs() {
        return table(0).specs();
    }

    Spec spec(String name) {
        return table(0).spec(name);
    }

    /**
     * Runs a command without ever making the calling thread (an event loop) wait on an fsync or
     * another member. Reads, and every command when writes cannot block (memory, or no fsync per
     * write), run here and complete at once. A writing command with a batch form runs as a batch
     * of one through the store's non-blocking form, where the store applies it at once; any other
     * writing command runs its blocking form on the context's write threads. The
     * connection handler runs a connection's commands one after another, so a command always sees
     * the writes of the commands before it.
     */
    public CompletableFuture<Reply> executeAsync(Session session, List<byte[]> args) {
        Spec spec = lookup(session, args);
        String name = name(spec, args);
        Reply refused = spec == null ? null : refusal(session, spec, name, args);
        if (spec != null && refused == null && spec.longRunning) {
            // a walk over the whole keyspace: never on an event loop that other clients share
            return CompletableFuture.supplyAsync(() -> execute(session, args, spec, name), context.longRunningThreads());
        }
        boolean mayBlock = spec != null && (spec.writes ? context.writesMayBlock() : context.readsMayBlock() && spec.touchesStore);
        if (spec == null || refused != null || !mayBlock) {
            return CompletableFuture.completedFuture(execute(session, args, spec, name));
        }
        WriteRun one = spec.batch == null ? null : newWriteRun(session);
        if (one != null && one.add(args)) {
            return execute(one);
        }
        return CompletableFuture.supplyAsync(() -> execute(session, args, spec, name), context.writeThreads());
    }

    /**
     * Whether {@code args} may run while earlier writes of its connection are applied but not yet
     * durable: where writes wait on an fsync, it is a write that joins a batch of writes (which
     * the store applies at once, deciding under the write lock where every earlier write is seen).
     * Anything that reads first (a GET, SET with XX or GET, APPEND) waits, because in SYNC mode
     * reads see a write only once durable.
     */
    public boolean mayRunBehindWrites(Session session, List<byte[]> args) {
        if (!context.writesMayBlock() || !joinsWriteRun(session, args)) {
            return false;
        }
        WriteRun run = newWriteRun(session);
        return run != null && run.add(args);
    }

    /**
     * A pipeline's run of consecutive writes that go to the store as one batch
     * ({@link dev.cairn.api.Store#mutateAll}): on disk one WAL append and, in SYNC mode, one
     * group-commit fsync for all of them, where one by one each paid its own. Each command keeps
     * its own reply and its own error: a failed write (an INCR of a value that is not a number)
     * writes nothing and fails only its command, as it would alone.
     */
    public final class WriteRun {
        private final Session session;
        private final List<dev.cairn.api.KeyedMutation> writes = new ArrayList<>();
        private final List<Spec> specs = new ArrayList<>();
        private final List<BatchReply> replies = new ArrayList<>();
        private final List<Integer> ends = new ArrayList<>();

        private WriteRun(Session session) {
            this.session = session;
        }

        /** Adds {@code args} to the run if it can join it; false (and nothing added) otherwise. */
        public boolean add(List<byte[]> args) {
            Spec spec = lookup(session, args);
            if (spec == null || spec.batch == null || refusal(session, spec, spec.name, args) != null) {
                return false;
            }
            BatchReply reply = spec.batch.prepare(args, writes);
            if (reply == null) {
                return false;
            }
            specs.add(spec);
            replies.add(reply);
            ends.add(writes.size());
            return true;
        }

        /** The number of commands in the run. */
        public int size() {
            return specs.size();
        }
    }

    /** Whether {@code args} names a command with a form that may join a run of writes (its arguments still decide). */
    public boolean joinsWriteRun(Session session, List<byte[]> args) {
        Spec spec = lookup(session, args);
        return spec != null && spec.batch != null;
    }

    /**
     * A new, empty run of writes for {@code session}, or null when its database's store cannot
     * take one on the event loop: a cluster's writes wait on other members. An engine that
     * applies a write at once and then only awaits its durability
     * ({@link dev.cairn.api.AsyncStore#appliesAtOnce}: the LSM tree) logs the batch as one WAL
     * record with one fsync; where writes never wait (the memory store, and the LSM tree without
     * an fsync per write), the batch runs on the event loop, decided under its keys' stripes once
     * and installed as one commit.
     */
    public WriteRun newWriteRun(Session session) {
        dev.cairn.api.Store store = context.database(session.db());
        return store.async().appliesAtOnce() || !context.writesMayBlock() ? new WriteRun(session) : null;
    }

    /**
     * Runs a run of writes as one batch under the stripes of all its keys; the reply is each
     * command's reply, in order.
     */
    public CompletableFuture<Reply> execute(WriteRun run) {
        dev.cairn.api.Store store = context.database(run.session.db());
        List<byte[]> keys = new ArrayList<>(run.writes.size());
        for (dev.cairn.api.KeyedMutation w : run.writes) {
            keys.add(w.key());
        }
        for (int i = 0; i < run.size(); i++) {
            run.session.countCommand();
        }
        run.session.lastCommand(run.specs.get(run.size() - 1).name);
        long started = run.session.started();
        Lock[] locks = context.stripesFor(keys);
        for (Lock l : locks) {
            l.lock();
        }
        CompletableFuture<List<dev.cairn.api.MutationOutcome>> done;
        try {
            done = context.writesMayBlock()
                    ? store.async().mutateAll(run.writes)
                    : CompletableFuture.completedFuture(store.mutateAll(run.writes));
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        } finally {
            unlock(locks);
            run.session.ended();
        }
        return applied(done.handle((outcomes, failure) -> {
            // the run's time (to its durability, where it waits for that) is shared by its commands
            long micros = (System.nanoTime() - started) / 1000 / run.size();
            Reply[] out = new Reply[run.size()];
            int from = 0;
            for (int i = 0; i < out.length; i++) {
                Spec spec = run.specs.get(i);
                int to = run.ends.get(i);
                Throwable error = failure == null ? firstFailure(outcomes, from, to) : dev.cairn.api.AsyncStore.cause(failure);
                out[i] = spec.stats.record(micros, error == null
                        ? run.replies.get(i).reply(outcomes, from, to) : errorReply(spec.name, error));
                from = to;
            }
            return Reply.sequence(out);
        }), store);
    }

    private static RuntimeException firstFailure(List<dev.cairn.api.MutationOutcome> outcomes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (outcomes.get(i).failed()) {
                return outcomes.get(i).failure();
            }
        }
        return null;
    }

    /**
     * A reply still waiting only for its write to become durable: the write was applied when the
     * command ran ({@link dev.cairn.api.AsyncStore#appliesAtOnce}), so the connection may run its
     * next writes before this completes, and their fsyncs are shared (see {@code CommandHandler}).
     */
    public static final class AppliedWrite extends CompletableFuture<Reply> {
    }

    private static CompletableFuture<Reply> applied(CompletableFuture<Reply> reply, dev.cairn.api.Store store) {
        if (reply.isDone() || !store.async().appliesAtOnce()) {
            return reply;
        }
        AppliedWrite marked = new AppliedWrite();
        reply.whenComplete((r, e) -> {
            if (e != null) {
                marked.completeExceptionally(e);
            } else {
                marked.complete(r);
            }
        });
        return marked;
    }

    /**
     * Takes the key stripes of a writing command (see {@link ServerContext}): MSETNX checks and
     * writes several keys as one step, so every write holds the stripes of the keys it writes
     * while it applies.
     */
    private Lock[] lock(Spec spec, List<byte[]> args) {
        if (!spec.writes || args.size() < 2) {
            return NO_LOCKS;
        }
        Lock[] locks;
        if (spec.keyStep == 0) {
            locks = new Lock[] {context.stripeFor(args.get(1))};
        } else {
            List<byte[]> keys = new ArrayList<>();
            for (int i = 1; i < args.size(); i += spec.keyStep) {
                keys.add(args.get(i));
            }
            locks = context.stripesFor(keys);
        }
        for (Lock l : locks) {
            l.lock();
        }
        return locks;
    }

    private static void unlock(Lock[] locks) {
        for (int i = locks.length - 1; i >= 0; i--) {
            locks[i].unlock();
        }
    }

    /**
     * Commands whose work grows with the keyspace (a walk over every key, or a reply listing them):
     * they run on their own threads, so the event loop goes on serving other connections.
     */
    private static final java.util.Set<String> LONG_RUNNING = java.util.Set.of("keys", "scan", "dbsize", "randomkey",
            "flushdb", "flushall", "info");

    /**
     * The reading commands that never touch the store. Every other read may wait on it (on other
     * members, in a cluster), so it runs off the event loops there — a list of the reads that do
     * touch it had fallen behind the commands (GETRANGE, LCS, OBJECT, … ran on the event loop).
     */
    private static final java.util.Set<String> NO_STORE_READS = java.util.Set.of("ping", "echo", "auth", "select", "quit",
            "client", "hello", "command", "config", "time", "cairn.limits");

    /** The error reply of a command that cannot run as sent (authentication, arity), or null. */
    private static Reply refusal(Session session, Spec spec, String name, List<byte[]> args) {
        if (!session.authenticated() && !name.equals("auth") && !name.equals("hello") && !name.equals("quit")) {
            return Reply.error("NOAUTH Authentication required.");
        }
        int n = args.size();
        if ((spec.arity > 0 && n != spec.arity) || (spec.arity < 0 && n < -spec.arity)) {
            return Reply.error("ERR wrong number of arguments for '" + name + "' command");
        }
        return null;
    }

    public Reply execute(Session session, List<byte[]> args) {
        Spec spec = lookup(session, args);
        return execute(session, args, spec, name(spec, args));
    }

    /** The name {@code args} run under: its command's, or, for no such command, the name as sent in lower case. */
    private String name(Spec spec, List<byte[]> args) {
        return spec != null ? spec.name : lowerCaseName(args.get(0));
    }

    /**
     * The command {@code args} names in the session's database, or null. A decoded request
     * remembers it ({@link dev.cairn.server.resp.RespDecoder.Request#resolved}).
     */
    private Spec lookup(Session session, List<byte[]> args) {
        CommandTable table = table(session.db());
        if (args instanceof dev.cairn.server.resp.RespDecoder.Request r) {
            Object known = r.resolved(table);
            if (known != null) {
                return (Spec) known;
            }
            Spec spec = table.get(lowerCaseName(args.get(0)));
            if (spec != null) {
                r.resolve(table, spec);
            }
            return spec;
        }
        return table.get(lowerCaseName(args.get(0)));
    }

    /**
     * The spellings of registered commands seen so far (bounded: only names of commands that
     * exist, at most {@value #KNOWN_SPELLINGS} spellings), each to the registered lower-case name
     * (whose hash is computed once): a pipeline of a million SETs decodes "SET" once, not a
     * million times.
     */
    private final java.util.concurrent.ConcurrentHashMap<dev.cairn.api.ByteKey, String> knownNames = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int KNOWN_SPELLINGS = 4096;

    private String lowerCaseName(byte[] raw) {
        String known = knownNames.get(new dev.cairn.api.ByteKey(raw));
        if (known != null) {
            return known;
        }
        String name = lowerCase(raw);
        Spec spec = table(0).get(name);
        if (spec != null && knownNames.size() < KNOWN_SPELLINGS) {
            knownNames.put(new dev.cairn.api.ByteKey(raw.clone()), spec.name());
        }
        return name;
    }

    /** A command's name in lower case, made in one step when it is lower case already. */
    private static String lowerCase(byte[] name) {
        for (byte b : name) {
            if (b >= 'A' && b <= 'Z') {
                return Args.text(name).toLowerCase(Locale.ROOT);
            }
        }
        return Args.text(name);
    }

    /** Runs {@code args}, which name {@code spec} (null: no such command) as {@code name}. */
    private Reply execute(Session session, List<byte[]> args, Spec spec, String name) {
        session.countCommand();
        if (spec == null) {
            return Reply.error(unknownCommand(args));
        }
        session.lastCommand(name);
        Reply refused = refusal(session, spec, name, args);
        if (refused != null) {
            spec.stats.rejected.increment();
            return refused;
        }
        long started = session.started();
        Lock[] locks = lock(spec, args);
        Reply reply;
        try {
            reply = spec.handler.handle(session, args);
        } catch (RuntimeException e) {
            reply = errorReply(name, e);
        } finally {
            unlock(locks);
        }
        return spec.stats.record((session.ended() - started) / 1000, reply);
    }

    /**
     * One command's figures for INFO commandstats. A command's time runs from the end of the
     * connection's command before it in the same batch (or the batch's start) to its own end,
     * so that each command reads the clock once; a pipeline's batch of writes shares its time
     * among its commands.
     */
    static final class Stats {
        final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder micros = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();

        Reply record(long tookMicros, Reply reply) {
            calls.increment();
            micros.add(tookMicros);
            if (reply.isError()) {
                failed.increment();
            }
            return reply;
        }
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Stats> stats = new java.util.concurrent.ConcurrentHashMap<>();

    private Stats stats(String name) {
        return stats.computeIfAbsent(name, n -> new Stats());
    }

    /** The figures of every command run since start, by name. */
    java.util.Map<String, Stats> stats() {
        return new java.util.TreeMap<>(stats);
    }

    /**
     * The reply to a command that failed with {@code e}, in Redis's wording — or, for Cairn's own
     * commands, typed by its first word with the figures a client needs to raise the store's
     * exception: {@code KEYTOOLARGE size limit}, {@code VALUETOOLARGE size limit},
     * {@code NOTANUMBER message}, {@code OVERFLOW current delta}, {@code NOQUORUM required answered
     * message}, {@code ILLEGALKEY message}, {@code STORAGE message}.
     */
    private static Reply errorReply(String name, Throwable e) {
        if (name.startsWith("cairn.")) {
            Reply typed = typedError(e);
            if (typed != null) {
                return typed;
            }
        }
        if (e instanceof CommandException) {
            return Reply.error(e.getMessage());
        } else if (e instanceof NotANumberException) {
            return Reply.error(Args.NOT_AN_INTEGER);
        } else if (e instanceof NumericOverflowException) {
            return Reply.error("ERR increment or decrement would overflow");
        } else if (e instanceof ValueTooLargeException v) {
            return Reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        } else if (e instanceof KeyTooLargeException k) {
            return Reply.error("ERR key exceeds maximum allowed size (" + k.limit() + " bytes)");
        } else if (e instanceof StoreClosedException) {
            return Reply.error("ERR server is shutting down");
        } else if (e instanceof CairnException) {
            return Reply.error("ERR " + e.getMessage());
        }
        log.error("command {} failed", name, e);
        return Reply.error("ERR internal error: " + e);
    }

    private static Reply typedError(Throwable e) {
        if (e instanceof KeyTooLargeException k) {
            return Reply.error("KEYTOOLARGE " + k.size() + " " + k.limit());
        } else if (e instanceof ValueTooLargeException v) {
            return Reply.error("VALUETOOLARGE " + v.size() + " " + v.limit());
        } else if (e instanceof NotANumberException) {
            return Reply.error("NOTANUMBER " + e.getMessage());
        } else if (e instanceof NumericOverflowException o) {
            return Reply.error("OVERFLOW " + o.current() + " " + o.delta());
        } else if (e instanceof dev.cairn.api.QuorumNotReachedException q) {
            return Reply.error("NOQUORUM " + q.required() + " " + q.answered() + " " + q.getMessage());
        } else if (e instanceof dev.cairn.api.IllegalKeyException) {
            return Reply.error("ILLEGALKEY " + e.getMessage());
        } else if (e instanceof dev.cairn.api.StorageFailedException) {
            return Reply.error("STORAGE " + e.getMessage());
        }
        return null;
    }

    /**
     * Redis's unknown-command error: the name up to 128 characters, then the arguments quoted one
     * by one until the list passes 128 characters (each cut to what is left), so a request of huge
     * arguments gets a short error.
     */
    static String unknownCommand(List<byte[]> args) {
        StringBuilder list = new StringBuilder();
        for (int i = 1; i < args.size() && list.length() < 128; i++) {
            String arg = cut(args.get(i), 128 - list.length());
            list.append('\'').append(arg).append("' ");
        }
        return "ERR unknown command '" + cut(args.get(0), 128) + "', with args beginning with: " + list;
    }

    /** At most {@code max} bytes of {@code b} as text, stopping at a NUL as C's %.*s does. */
    static String cut(byte[] b, int max) {
        int n = 0;
        while (n < b.length && n < max && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
