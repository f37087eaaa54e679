package dev.cairn.server.command;

/** A command failed in a way the client is told about: the message is the RESP error, code first. */
public final class CommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandException(String message) {
        super(message, null, false, false);
    }
}
