package dev.cairn.storage.fault;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * Fault injection at internal points, by a Byte Buddy agent attached to the test JVM, so that the
 * production code carries no test hooks: a test names a method of an engine class and an action to
 * run when it is entered — throw an {@code IOException} from an fsync, block a reader between two
 * steps, halt the process between the WAL append and the acknowledgement.
 *
 * <p>The first use of a method retransforms its class with an entry advice that calls
 * {@link #fire}; a method with no action armed costs one map lookup. Actions are per method name
 * (every overload) and stay armed until the returned handle is closed.
 */
public final class Faults {
    /** What runs when the instrumented method is entered; may throw anything, checked or not. */
    @FunctionalInterface
    public interface Action {
        void run() throws Throwable;
    }

    /** Disarms its action. */
    public interface Armed extends AutoCloseable {
        @Override
        void close();
    }

    private static final Map<String, Action> ACTIONS = new ConcurrentHashMap<>();
    private static final Set<String> INSTRUMENTED = ConcurrentHashMap.newKeySet();
    private static Instrumentation instrumentation;

    private Faults() {
    }

    /** Runs {@code action} on every entry into {@code type.method} until the handle is closed. */
    public static synchronized Armed onEntry(Class<?> type, String method, Action action) {
        String where = type.getName() + "." + method;
        if (INSTRUMENTED.add(where)) {
            instrument(type, method);
        }
        if (ACTIONS.putIfAbsent(where, action) != null) {
            throw new IllegalStateException("an action is already armed at " + where);
        }
        return () -> ACTIONS.remove(where, action);
    }

    /** Called by the inlined advice at method entry. */
    public static void fire(String where) throws Throwable {
        Action a = ACTIONS.get(where);
        if (a != null) {
            a.run();
        }
    }

    private static void instrument(Class<?> type, String method) {
        if (instrumentation == null) {
            instrumentation = ByteBuddyAgent.install();
        }
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .ignore(ElementMatchers.none())
                .type(ElementMatchers.is(type))
                .transform((builder, typeDescription, classLoader, module, protectionDomain) ->
                        builder.visit(Advice.to(EntryAdvice.class).on(ElementMatchers.named(method))))
                .installOn(instrumentation);
    }

    /** Inlined at the start of each instrumented method. */
    public static final class EntryAdvice {
        private EntryAdvice() {
        }

        @Advice.OnMethodEnter
        public static void enter(@Advice.Origin("#t.#m") String where) throws Throwable {
            Faults.fire(where);
        }
    }
}
