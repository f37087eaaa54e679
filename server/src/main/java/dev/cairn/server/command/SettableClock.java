package dev.cairn.server.command;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The store's clock of a node started with {@code --test-clock}: it stands still at the time it
 * was set to (the system time at start) until {@code CAIRN.CLOCK SET ms} moves it, forwards or
 * back. For tests that check expiry across processes without sleeping (each test sets every
 * node to its own clock); never for a node that serves data.
 */
public final class SettableClock extends Clock {
    private volatile long millis;

    public SettableClock(long millis) {
        this.millis = millis;
    }

    public void set(long millis) {
        this.millis = millis;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
