package dev.cairn.storage;

import dev.cairn.storage.fault.Faults;
import dev.cairn.storage.wal.WalWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link CrashPointTest}: writes {@value #ACKED} acknowledged keys in SYNC
 * mode, then arms a halt at one internal point of the next write and makes it. The process dies
 * there, as a {@code kill -9} would, at exactly that point.
 *
 * <p>Arguments: directory, point ({@code before-fsync}: after the WAL append, before its fsync;
 * {@code before-ack}: after the fsync, before the write is published and acknowledged;
 * {@code before-seal}: keeps writing {@code more-N} keys until the memtable fills and a new WAL
 * segment starts, and dies before the full segment's zeros are cut off).
 */
public final class CrashAtPoint {
    static final int ACKED = 200;
    static final int HALT_STATUS = 77;
    /** More than the memtable holds, so a new segment starts. */
    static final int MORE = 5_000;

    private CrashAtPoint() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        LsmStore store = LsmStore.open(CrashRecoveryTest.options(dir));
        for (int i = 0; i < ACKED; i++) {
            store.put(("acked-" + i).getBytes(StandardCharsets.US_ASCII), CrashRecoveryTest.value(i));
        }
        Faults.Action halt = () -> Runtime.getRuntime().halt(HALT_STATUS);
        switch (args[1]) {
            case "before-fsync" -> Faults.onEntry(WalWriter.class, "fsync", halt);
            case "before-ack" -> Faults.onEntry(LsmStore.class, "publish", halt);
            case "before-seal" -> {
                Faults.onEntry(WalWriter.class, "seal", halt);
                for (int i = 0; i < MORE; i++) {
                    store.put(("more-" + i).getBytes(StandardCharsets.US_ASCII), CrashRecoveryTest.value(i));
                }
            }
            default -> throw new IllegalArgumentException(args[1]);
        }
        store.put("last".getBytes(StandardCharsets.US_ASCII), "never acknowledged".getBytes(StandardCharsets.US_ASCII));
        System.exit(1); // the halt did not happen
    }
}
