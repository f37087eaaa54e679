package dev.cairn.jcache.serialization;

import javax.cache.CacheException;

/** A key or value could not be turned into bytes, or bytes back into an object (including a class the allow-list refused). */
public final class SerializationException extends CacheException {
    private static final long serialVersionUID = 1L;

    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
