package dev.cairn.storage;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link CrashRecoveryTest}: opens a store in SYNC mode and writes from
 * several threads until it is killed. Before each write it prints {@code I key counter} (intent),
 * after the write returns {@code A key counter} (acknowledged). Each thread owns its keys, so per
 * key the writes are ordered.
 *
 * <p>Arguments: directory, first counter, thread count.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long firstCounter = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.US_ASCII);
        LsmStore store = LsmStore.open(CrashRecoveryTest.options(dir));
        out.println("READY");
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread writer = new Thread(() -> {
                for (long c = firstCounter; ; c++) {
                    String key = CrashRecoveryTest.key(id, c);
                    byte[] value = CrashRecoveryTest.value(c);
                    synchronized (out) {
                        out.println("I " + key + " " + c);
                    }
                    store.put(key.getBytes(StandardCharsets.US_ASCII), value);
                    synchronized (out) {
                        out.println("A " + key + " " + c);
                    }
                }
            });
            writer.start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
