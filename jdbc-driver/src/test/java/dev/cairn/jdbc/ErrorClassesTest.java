package dev.cairn.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CorruptionException;
import dev.cairn.api.QuorumNotReachedException;
import dev.cairn.api.StoreFullException;
import dev.cairn.storage.StorageIOException;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Each store failure gets the SQLState class pools and tools expect; a failed batch reports what ran before it. */
class ErrorClassesTest {
    @Test
    void storeFailuresKeepTheirClass() {
        SQLException quorum = EmbeddedBackend.classify(new QuorumNotReachedException(2, 1, "one of two owners answered"));
        assertEquals("40001", quorum.getSQLState());
        assertTrue(quorum instanceof SQLTransactionRollbackException, "transient: a pool or a tool may retry");
        assertEquals("XX001", EmbeddedBackend.classify(new CorruptionException(Path.of("000001.sst"), 4096, "bad checksum")).getSQLState());
        assertEquals("58030", EmbeddedBackend.classify(new StorageIOException("cannot write the WAL", new java.io.IOException("EIO"))).getSQLState());
        assertEquals("53100", EmbeddedBackend.classify(new StoreFullException("the store is full")).getSQLState());
        assertEquals("08003", EmbeddedBackend.classify(new dev.cairn.api.StoreClosedException("store")).getSQLState());
    }

    @Test
    void aFailedBatchReportsTheCountsOfEveryEntryBeforeTheFailingOne() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:cairn:mem:batch-" + System.nanoTime());
             Statement s = c.createStatement()) {
            s.executeUpdate("PUT 'exists' 'x'");
            s.addBatch("INSERT INTO kv (key, value) VALUES ('a', '1')");
            s.addBatch("DELETE FROM kv WHERE key = 'missing'");
            s.addBatch("INSERT INTO kv (key, value) VALUES ('b', '2')");
            s.addBatch("INSERT INTO kv (key, value) VALUES ('exists', '3')");
            s.addBatch("INSERT INTO kv (key, value) VALUES ('c', '4')");
            BatchUpdateException e = assertThrows(BatchUpdateException.class, s::executeBatch);
            assertArrayEquals(new int[] {1, 0, 1}, e.getUpdateCounts());
            assertEquals("23505", e.getSQLState(), "the duplicate key");
        }
    }
}
