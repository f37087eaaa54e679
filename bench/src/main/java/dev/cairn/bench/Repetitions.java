package dev.cairn.bench;

import java.util.Arrays;

/**
 * What the side-by-side benchmarks share when they repeat a comparison: which side goes first in
 * each repetition, and the median that sums up the repetitions.
 */
final class Repetitions {
    private Repetitions() {
    }

    /**
     * The two sides' order in repetition {@code r}: Cairn (0) first in even ones, the other (1)
     * first in odd ones, so that over several repetitions neither always runs first (the first
     * one pays for the JIT's work on new paths and for what the previous run left to write back).
     */
    static int[] order(int r) {
        return r % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0};
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
