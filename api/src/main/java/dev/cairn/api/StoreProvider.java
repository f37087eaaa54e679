package dev.cairn.api;

import java.util.Map;

/**
 * Opens stores for one URI scheme; found by {@link java.util.ServiceLoader} from
 * {@code META-INF/services/dev.cairn.api.StoreProvider}. {@code cairn-storage} provides
 * {@code mem:} and {@code file:}; the cluster provides {@code cluster:}.
 */
public interface StoreProvider {
    /** The scheme this provider opens, without the colon: {@code mem}, {@code file}, {@code cluster}. */
    String scheme();

    /**
     * Opens the namespaces named by {@code uri} (whose scheme is {@link #scheme()}) with
     * {@code settings}, reading time from {@code clock}. Opening what is already open in this
     * process shares it (settings and clock are those of the first open): the engine closes when
     * the last handle does.
     */
    Namespaces open(String uri, Map<String, String> settings, java.time.Clock clock);
}
