package dev.cairn.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code cairn-bench.jar}: one subcommand per comparison. */
@Command(name = "cairn-bench", mixinStandardHelpOptions = true,
        description = "Benchmarks Cairn side by side with the systems users would pick instead.",
        subcommands = {StorageBench.class, JCacheBench.class, RedisBench.class, ClusterBench.class, HibernateBench.class, JdbcBench.class})
public final class Bench implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }
}
