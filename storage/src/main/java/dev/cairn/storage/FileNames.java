package dev.cairn.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The names of the files in a store directory, and the directory fsync that makes creating,
 * renaming and deleting them durable.
 *
 * <pre>
 * MANIFEST          the live file set (replaced atomically via MANIFEST.tmp)
 * 000042.log        WAL segment 42
 * 000043.sst        SSTable 43
 * LOCK              held while a process has the store open
 * </pre>
 */
public final class FileNames {
    public static final String MANIFEST = "MANIFEST";
    public static final String MANIFEST_TEMP = "MANIFEST.tmp";
    public static final String LOCK = "LOCK";

    private FileNames() {
    }

    public static String wal(long number) {
        return String.format("%06d.log", number);
    }

    public static String table(long number) {
        return String.format("%06d.sst", number);
    }

    /** The number of a {@code NNNNNN.log} or {@code NNNNNN.sst} file name, or -1. */
    public static long number(String name, String suffix) {
        if (!name.endsWith(suffix)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(0, name.length() - suffix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Forces a directory's entries (created, renamed, deleted files) to stable storage. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
