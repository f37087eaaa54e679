package dev.cairn.server.command;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** Argument parsing with Redis's error wording. */
final class Args {
    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String SYNTAX = "ERR syntax error";

    private Args() {
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static String upper(byte[] b) {
        return text(b).toUpperCase(Locale.ROOT);
    }

    /** A signed 64-bit decimal, as Redis's string2ll accepts it; throws {@link CommandException} otherwise. */
    static long integer(byte[] b) {
        String s = new String(b, StandardCharsets.US_ASCII);
        if (s.isEmpty() || s.length() > 20 || (s.length() > 1 && (s.startsWith("0") || s.startsWith("-0")))
                || s.startsWith("+")) {
            throw new CommandException(NOT_AN_INTEGER);
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CommandException(NOT_AN_INTEGER);
        }
    }

    /** {@link #integer}, or null where it would refuse. */
    static Long integerOrNull(byte[] b) {
        try {
            return integer(b);
        } catch (CommandException e) {
            return null;
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static List<byte[]> tail(List<byte[]> args, int from) {
        return args.subList(from, args.size());
    }
}
