package dev.cairn.server;

import dev.cairn.storage.fault.Faults;
import dev.cairn.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cairn-server whose WAL fsyncs fail, with an I/O error, once the file named by
 * {@code -Dcairn.test.failFsyncOnceExists} exists — a disk that dies under a running member. The
 * fault is injected by the Byte Buddy agent ({@link Faults}) at {@code WalWriter.fsync}; the
 * server is otherwise the real one.
 */
public final class FailingDiskServer {
    private FailingDiskServer() {
    }

    public static void main(String[] args) {
        Path trigger = Path.of(System.getProperty("cairn.test.failFsyncOnceExists"));
        Faults.onEntry(WalWriter.class, "fsync", () -> {
            if (Files.exists(trigger)) {
                throw new IOException("injected: fsync failed (EIO)");
            }
        });
        CairnServer.main(args);
    }
}
