package dev.cairn.server.resp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments the way Redis does: on spaces, with double quotes
 * (and {@code \n}, {@code \t}, {@code \xNN}, {@code \"} escapes inside) and single quotes.
 */
final class InlineSplitter {
    private InlineSplitter() {
    }

    static List<byte[]> split(byte[] line, int length) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < length && (line[i] == ' ' || line[i] == '\t')) {
                i++;
            }
            if (i >= length) {
                return out;
            }
            ByteArrayOutputStream arg = new ByteArrayOutputStream();
            byte quote = 0;
            while (i < length) {
                byte b = line[i];
                if (quote == 0) {
                    if (b == ' ' || b == '\t') {
                        break;
                    }
                    if (b == '"' || b == '\'') {
                        quote = b;
                    } else {
                        arg.write(b);
                    }
                    i++;
                } else if (b == quote) {
                    quote = 0;
                    i++;
                    if (i < length && line[i] != ' ' && line[i] != '\t') {
                        throw new RespProtocolException("unbalanced quotes in request");
                    }
                } else if (quote == '"' && b == '\\' && i + 1 < length) {
                    byte e = line[i + 1];
                    if (e == 'x' && i + 3 < length && isHex(line[i + 2]) && isHex(line[i + 3])) {
                        arg.write(Integer.parseInt(new String(line, i + 2, 2, java.nio.charset.StandardCharsets.US_ASCII), 16));
                        i += 4;
                    } else {
                        arg.write(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        });
                        i += 2;
                    }
                } else {
                    arg.write(b);
                    i++;
                }
            }
            if (quote != 0) {
                throw new RespProtocolException("unbalanced quotes in request");
            }
            out.add(arg.toByteArray());
        }
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }
}
