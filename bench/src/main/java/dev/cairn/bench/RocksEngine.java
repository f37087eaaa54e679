package dev.cairn.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteOptions;

/** RocksDB through rocksdbjni, configured like {@link CairnEngine}. */
final class RocksEngine implements KvEngine {
    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final Statistics statistics = new Statistics();
    private final LRUCache cache;
    private final RocksDB db;
    private final WriteOptions async = new WriteOptions().setSync(false);
    private final WriteOptions sync = new WriteOptions().setSync(true);
    private final ReadOptions read = new ReadOptions();

    RocksEngine(Path dir, StorageBench.Settings s) throws IOException {
        cache = new LRUCache(s.blockCacheBytes());
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(4096)
                .setFilterPolicy(new BloomFilter(10, false));
        options = new Options()
                .setCreateIfMissing(true)
                .setWriteBufferSize(s.memtableBytes())
                .setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setLevel0FileNumCompactionTrigger(4)
                .setLevel0SlowdownWritesTrigger(20)
                .setLevel0StopWritesTrigger(36)
                .setMaxBytesForLevelBase(256L << 20)
                .setMaxBytesForLevelMultiplier(10)
                .setTargetFileSizeBase(64L << 20)
                .setMaxBackgroundJobs(2)
                .setStatistics(statistics)
                .setTableFormatConfig(table);
        try {
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value, boolean syncWrite) {
        try {
            db.put(syncWrite ? sync : async, key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int get(byte[] key) {
        try {
            byte[] v = db.get(read, key);
            return v == null ? -1 : v.length;
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int scan(byte[] start, int count) {
        int n = 0;
        try (RocksIterator it = db.newIterator(read)) {
            for (it.seek(start); it.isValid() && n < count; it.next()) {
                // read both, as Cairn's scan materialises both
                it.key();
                it.value();
                n++;
            }
        }
        return n;
    }

    @Override
    public long readAll() {
        long n = 0;
        try (RocksIterator it = db.newIterator(read)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                it.key();
                it.value();
                n++;
            }
        }
        return n;
    }

    @Override
    public double writeAmplification() {
        long user = statistics.getTickerCount(TickerType.BYTES_WRITTEN);
        long wal = statistics.getTickerCount(TickerType.WAL_FILE_BYTES);
        long flush = statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES);
        long compact = statistics.getTickerCount(TickerType.COMPACT_WRITE_BYTES);
        return user == 0 ? 0 : (double) (wal + flush + compact) / user;
    }

    @Override
    public void settle() throws IOException {
        try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
            db.flush(f);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("cairn.bench.verbose")) {
            try {
                System.err.println("# rocksdb levels:\n" + db.getProperty("rocksdb.levelstats")
                        + "# rocksdb bytes flushed: " + statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES));
            } catch (RocksDBException e) {
                System.err.println("# rocksdb levels: " + e.getMessage());
            }
        }
        db.close();
        options.close();
        cache.close();
        statistics.close();
        async.close();
        sync.close();
        read.close();
    }
}
