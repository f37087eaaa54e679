package dev.cairn.server.command;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The commands of one database: the same names in every database, each bound to that database's
 * store when the table is built (see {@link Commands}).
 */
final class CommandTable {
    private final Map<String, Commands.Spec> specs = new HashMap<>();

    void add(String name, int arity, boolean writes, Commands.Handler handler) {
        specs.put(name, new Commands.Spec(name, arity, writes, 0, handler, null));
    }

    /** A writing command whose keys are every {@code keyStep}-th argument from the first. */
    void addMultiKey(String name, int arity, int keyStep, Commands.Handler handler) {
        specs.put(name, new Commands.Spec(name, arity, true, keyStep, handler, null));
    }

    /** Gives a registered writing command its form as part of a pipeline's batch of writes. */
    void batch(String name, Commands.BatchForm batch) {
        Commands.Spec s = specs.get(name);
        specs.put(name, new Commands.Spec(s.name(), s.arity(), s.writes(), s.keyStep(), s.handler(), batch));
    }

    Commands.Spec get(String lowerCaseName) {
        return specs.get(lowerCaseName);
    }

    Commands.Spec spec(String name) {
        return specs.get(name.toLowerCase(Locale.ROOT));
    }

    Collection<Commands.Spec> specs() {
        return specs.values();
    }
}
