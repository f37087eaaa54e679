package dev.cairn.api;

import java.nio.file.Path;

/**
 * Data read back from disk failed a check (checksum, magic number, length, format). Names the file
 * and the byte offset where the damage was found so an operator can inspect or restore it.
 *
 * <p>A store never returns data that failed a check: the read, or the opening of the store, fails
 * with this exception instead.
 */
public final class CorruptionException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;

    public CorruptionException(Path file, long offset, String detail) {
        this(file, offset, detail, null);
    }

    public CorruptionException(Path file, long offset, String detail, Throwable cause) {
        super("corrupted data in " + file + " at offset " + offset + ": " + detail, cause);
        this.file = file;
        this.offset = offset;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }

    /** The byte offset in {@link #file()} where the damaged record or block starts. */
    public long offset() {
        return offset;
    }
}
