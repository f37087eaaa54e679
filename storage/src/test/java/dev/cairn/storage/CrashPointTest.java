package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes at exact internal points of a write, through the fault agent in a child JVM: every
 * acknowledged write survives, the store opens cleanly, and a write whose fsync completed before
 * the crash is there even though it was never acknowledged (it may be; it must not be half there).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashPointTest {
    @TempDir
    Path dir;

    private void crashAt(String point) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djdk.attach.allowAttachSelf=true", "-cp", System.getProperty("java.class.path"),
                CrashAtPoint.class.getName(), dir.toString(), point)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(child.waitFor(90, TimeUnit.SECONDS), "the child finished");
        assertEquals(CrashAtPoint.HALT_STATUS, child.exitValue(), "the child halted at " + point);
    }

    private void everyAcknowledgedWriteSurvived(LsmStore store) {
        for (int i = 0; i < CrashAtPoint.ACKED; i++) {
            assertArrayEquals(CrashRecoveryTest.value(i), store.get(("acked-" + i).getBytes(StandardCharsets.US_ASCII))
                    .orElseThrow(() -> new AssertionError("an acknowledged write was lost")).value());
        }
    }

    @Test
    void aCrashAfterTheFsyncBeforeTheAcknowledgementKeepsTheWrite() throws Exception {
        crashAt("before-ack");
        try (LsmStore store = LsmStore.open(CrashRecoveryTest.options(dir))) {
            everyAcknowledgedWriteSurvived(store);
            assertArrayEquals("never acknowledged".getBytes(StandardCharsets.US_ASCII),
                    store.get("last".getBytes(StandardCharsets.US_ASCII)).orElseThrow().value(), "it was durable");
            assertTrue(store.recoveryReport().isEmpty(), store.recoveryReport().toString());
        }
    }

    /**
     * A new segment has started but the full one still ends in its zeros: the new one is blank,
     * so the full one is the newest with records and its zeros are its end, not damage.
     */
    @Test
    void aCrashBeforeTheFullSegmentIsSealedLosesNothingAcknowledged() throws Exception {
        crashAt("before-seal");
        try (LsmStore store = LsmStore.open(CrashRecoveryTest.options(dir))) {
            everyAcknowledgedWriteSurvived(store);
            int present = 0;
            while (present < CrashAtPoint.MORE && store.get(("more-" + present).getBytes(StandardCharsets.US_ASCII)).isPresent()) {
                present++;
            }
            for (int i = present; i < CrashAtPoint.MORE; i++) {
                assertTrue(store.get(("more-" + i).getBytes(StandardCharsets.US_ASCII)).isEmpty(), "more-" + i + " after a gap");
            }
            // The full segment's writes are all there: the 64 KiB memtable (records and their
            // overhead) fills some 320 writes in, 200 of them the acked-N ones.
            assertTrue(present >= 100, present + " writes survived");
            assertTrue(store.recoveryReport().isEmpty(), store.recoveryReport().toString());
        }
    }

    @Test
    void aCrashAfterTheAppendBeforeTheFsyncLosesNothingAcknowledged() throws Exception {
        crashAt("before-fsync");
        try (LsmStore store = LsmStore.open(CrashRecoveryTest.options(dir))) {
            everyAcknowledgedWriteSurvived(store);
            store.get("last".getBytes(StandardCharsets.US_ASCII)).ifPresent(e ->
                    assertArrayEquals("never acknowledged".getBytes(StandardCharsets.US_ASCII), e.value(), "whole or absent"));
            store.put("after".getBytes(StandardCharsets.US_ASCII), "reopened".getBytes(StandardCharsets.US_ASCII));
        }
    }
}
