package dev.cairn.jcache.management;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * The statistics of one cache. Counters are {@link LongAdder}s, cheap to bump from many threads;
 * they count only while statistics are enabled. Average times are in microseconds, as JSR-107 asks.
 * Evictions come from the backing store.
 */
public final class CacheStatistics implements CacheStatisticsMXBean {
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder removals = new LongAdder();
    private final LongAdder getNanos = new LongAdder();
    private final LongAdder putNanos = new LongAdder();
    private final LongAdder removeNanos = new LongAdder();
    private final LongSupplier evictions;
    private volatile long evictionBase;
    private volatile boolean enabled;

    public CacheStatistics(LongSupplier evictions) {
        this.evictions = evictions;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void hit(long n) {
        if (enabled) {
            hits.add(n);
        }
    }

    public void miss(long n) {
        if (enabled) {
            misses.add(n);
        }
    }

    /** One lookup: a hit if the entry was found, a miss otherwise. */
    public void lookup(boolean found) {
        if (found) {
            hit(1);
        } else {
            miss(1);
        }
    }

    public void put(long n) {
        if (enabled) {
            puts.add(n);
        }
    }

    public void removal(long n) {
        if (enabled) {
            removals.add(n);
        }
    }

    public void getTime(long nanos) {
        if (enabled) {
            getNanos.add(nanos);
        }
    }

    public void putTime(long nanos) {
        if (enabled) {
            putNanos.add(nanos);
        }
    }

    public void removeTime(long nanos) {
        if (enabled) {
            removeNanos.add(nanos);
        }
    }

    @Override
    public void clear() {
        hits.reset();
        misses.reset();
        puts.reset();
        removals.reset();
        getNanos.reset();
        putNanos.reset();
        removeNanos.reset();
        evictionBase = evictions.getAsLong();
    }

    @Override
    public long getCacheHits() {
        return hits.sum();
    }

    @Override
    public float getCacheHitPercentage() {
        long gets = getCacheGets();
        return gets == 0 ? 0 : (float) getCacheHits() / gets * 100;
    }

    @Override
    public long getCacheMisses() {
        return misses.sum();
    }

    @Override
    public float getCacheMissPercentage() {
        long gets = getCacheGets();
        return gets == 0 ? 0 : (float) getCacheMisses() / gets * 100;
    }

    @Override
    public long getCacheGets() {
        return getCacheHits() + getCacheMisses();
    }

    @Override
    public long getCachePuts() {
        return puts.sum();
    }

    @Override
    public long getCacheRemovals() {
        return removals.sum();
    }

    @Override
    public long getCacheEvictions() {
        return enabled ? evictions.getAsLong() - evictionBase : 0;
    }

    @Override
    public float getAverageGetTime() {
        long gets = getCacheGets();
        return gets == 0 ? 0 : getNanos.sum() / 1000f / gets;
    }

    @Override
    public float getAveragePutTime() {
        long n = getCachePuts();
        return n == 0 ? 0 : putNanos.sum() / 1000f / n;
    }

    @Override
    public float getAverageRemoveTime() {
        long n = getCacheRemovals();
        return n == 0 ? 0 : removeNanos.sum() / 1000f / n;
    }
}
