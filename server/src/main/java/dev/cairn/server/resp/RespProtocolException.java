package dev.cairn.server.resp;

/**
 * The client sent bytes that are not a valid request, or a request over a configured limit. The
 * connection's framing cannot be trusted afterwards: the server replies with the error and closes
 * that connection, as Redis does. Other connections are unaffected.
 */
public final class RespProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RespProtocolException(String message) {
        super(message);
    }
}
