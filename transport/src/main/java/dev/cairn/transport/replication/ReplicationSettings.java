package dev.cairn.transport.replication;

/**
 * Owners per segment (N), write acknowledgements (W) and read answers (R) — strong mode needs
 * W + R > N — and how long a request waits for the members it asks.
 */
public record ReplicationSettings(int owners, int writes, int reads, long timeoutMillis) {
    public ReplicationSettings {
        if (owners < 1 || writes < 1 || reads < 1 || writes > owners || reads > owners) {
            throw new IllegalArgumentException("need 1 <= W, R <= N: N=" + owners + " W=" + writes + " R=" + reads);
        }
        if (writes + reads <= owners) {
            throw new IllegalArgumentException("strong mode needs W + R > N: N=" + owners + " W=" + writes + " R=" + reads);
        }
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutMillis);
        }
    }

    /** N owners with majority quorums for writes and reads. */
    public static ReplicationSettings majority(int owners) {
        int q = owners / 2 + 1;
        return new ReplicationSettings(owners, q, q, 5_000);
    }
}
