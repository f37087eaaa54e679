package dev.cairn.jdbc;

/**
 * One key as a statement returns it: key, value, remaining TTL in seconds ({@code null}: never
 * expires) and version as {@code epoch.counter} ({@code null} where the backend does not expose versions).
 */
record Row(byte[] key, byte[] value, Long ttlSeconds, String version) {
}
