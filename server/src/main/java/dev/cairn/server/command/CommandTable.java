package dev.cairn.server.command;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The commands of one database: the same names in every database, each bound to that database's
 * store when the table is built (see {@link Commands}).
 */
final class CommandTable {
    private final Map<String, Commands.Spec> specs = new HashMap<>();
    /** A command's INFO commandstats figures, by name: the same ones in every database's table. */
    private final Function<String, Commands.Stats> stats;

    CommandTable(Function<String, Commands.Stats> stats) {
        this.stats = stats;
    }

    void add(String name, int arity, boolean writes, Commands.Handler handler) {
        specs.put(name, Commands.Spec.of(name, arity, writes, 0, handler, stats.apply(name)));
    }

    /** A writing command whose keys are every {@code keyStep}-th argument from the first. */
    void addMultiKey(String name, int arity, int keyStep, Commands.Handler handler) {
        specs.put(name, Commands.Spec.of(name, arity, true, keyStep, handler, stats.apply(name)));
    }

    /** Gives a registered writing command its form as part of a pipeline's batch of writes. */
    void batch(String name, Commands.BatchForm batch) {
        specs.put(name, specs.get(name).withBatch(batch));
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
