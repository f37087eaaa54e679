package dev.cairn.server.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * RESP2 replies, written straight into the connection's output buffer. A command handler returns
 * one {@code Reply}; {@link #write} encodes it.
 */
public abstract class Reply {
    private static final byte[] CRLF = {'\r', '\n'};
    public static final Reply OK = simple("OK");
    public static final Reply NULL = new Reply() {
        @Override
        public void write(ByteBuf out) {
            out.writeBytes(new byte[] {'$', '-', '1', '\r', '\n'});
        }
    };
    public static final Reply NULL_ARRAY = new Reply() {
        @Override
        public void write(ByteBuf out) {
            out.writeBytes(new byte[] {'*', '-', '1', '\r', '\n'});
        }
    };

    public abstract void write(ByteBuf out);

    /** Whether this is an error reply. */
    public boolean isError() {
        return false;
    }

    public static Reply simple(String s) {
        byte[] b = ("+" + s + "\r\n").getBytes(StandardCharsets.UTF_8);
        return new Reply() {
            @Override
            public void write(ByteBuf out) {
                out.writeBytes(b);
            }
        };
    }

    /** An error; {@code message} starts with its code ({@code ERR}, {@code WRONGTYPE}, {@code NOAUTH}, ...). */
    public static Reply error(String message) {
        byte[] b = ("-" + message.replace('\r', ' ').replace('\n', ' ') + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        return new Reply() {
            @Override
            public void write(ByteBuf out) {
                out.writeBytes(b);
            }

            @Override
            public boolean isError() {
                return true;
            }

            @Override
            public String toString() {
                return "-" + message;
            }
        };
    }

    public static Reply integer(long n) {
        return new Reply() {
            @Override
            public void write(ByteBuf out) {
                out.writeByte(':');
                writeNumber(out, n);
                out.writeBytes(CRLF);
            }
        };
    }

    public static Reply bulk(byte[] b) {
        if (b == null) {
            return NULL;
        }
        return new Reply() {
            @Override
            public void write(ByteBuf out) {
                writeBulk(out, b);
            }
        };
    }

    public static Reply bulk(String s) {
        return bulk(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    /** An array of replies. */
    /** The same reply {@code times} times in a row: the replies to a run of pipelined commands. */
    public static Reply repeated(Reply reply, int times) {
        return new Reply() {
            @Override
            public void write(ByteBuf out) {
                for (int i = 0; i < times; i++) {
                    reply.write(out);
                }
            }
        };
    }

    /** Several replies one after another (not an array): the replies of a pipeline's batched commands. */
    public static Reply sequence(Reply[] replies) {
        return new Reply() {
            @Override
            public void write(ByteBuf out) {
                for (Reply r : replies) {
                    r.write(out);
                }
            }
        };
    }

    public static Reply array(List<Reply> items) {
        return new Reply() {
            @Override
            public void write(ByteBuf out) {
                out.writeByte('*');
                writeNumber(out, items.size());
                out.writeBytes(CRLF);
                for (Reply r : items) {
                    r.write(out);
                }
            }
        };
    }

    /** An array of bulk strings; null elements are null bulk strings. */
    public static Reply bulks(List<byte[]> items) {
        return new Reply() {
            @Override
            public void write(ByteBuf out) {
                out.writeByte('*');
                writeNumber(out, items.size());
                out.writeBytes(CRLF);
                for (byte[] b : items) {
                    if (b == null) {
                        NULL.write(out);
                    } else {
                        writeBulk(out, b);
                    }
                }
            }
        };
    }

    static void writeBulk(ByteBuf out, byte[] b) {
        out.writeByte('$');
        writeNumber(out, b.length);
        out.writeBytes(CRLF);
        out.writeBytes(b);
        out.writeBytes(CRLF);
    }

    static void writeNumber(ByteBuf out, long n) {
        out.writeCharSequence(Long.toString(n), StandardCharsets.US_ASCII);
    }
}
