package dev.cairn.transport.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A recorded client history: every operation with the instants its call began and ended (any
 * monotonic clock, the same for all clients) and what it answered — or {@code indeterminate} when
 * it timed out or its connection died, so it may have taken effect at any later time, or never.
 * Thread-safe to record into. Pure data; {@link Linearizability} checks it.
 */
public final class History {
    /** Operation kinds on one key, a register with an optional value (absent: {@code null}). */
    public enum Kind { GET, PUT, DELETE, CAS, PUT_IF_ABSENT, INCREMENT }

    /**
     * One operation. {@code value}: what PUT/CAS/PUT_IF_ABSENT write; {@code expected}: what CAS
     * expects (null: absent); {@code delta}: INCREMENT's. {@code result}: GET's value (null: absent),
     * DELETE/CAS/PUT_IF_ABSENT's "it happened", INCREMENT's new value, as a string.
     */
    public record Op(int client, String key, Kind kind, String value, String expected, long delta, long call,
                     long ret, boolean indeterminate, String result) {
        public Op {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kind, "kind");
            if (!indeterminate && ret < call) {
                throw new IllegalArgumentException("returned before it was called: " + call + " > " + ret);
            }
        }

        @Override
        public String toString() {
            String what = switch (kind) {
                case GET -> "get";
                case PUT -> "put " + value;
                case DELETE -> "delete";
                case CAS -> "cas " + (expected == null ? "absent" : expected) + " -> " + value;
                case PUT_IF_ABSENT -> "putIfAbsent " + value;
                case INCREMENT -> "incr " + delta;
            };
            return String.format("client %d [%d, %s] %s %s = %s", client, call, indeterminate ? "?" : Long.toString(ret),
                    key, what, indeterminate ? "(indeterminate)" : result);
        }
    }

    private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());

    public void add(Op op) {
        ops.add(op);
    }

    public int size() {
        return ops.size();
    }

    public List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    /** The operations of each key (each key is its own register), in recording order. */
    public Map<String, List<Op>> byKey() {
        Map<String, List<Op>> out = new LinkedHashMap<>();
        for (Op op : ops()) {
            out.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        return out;
    }
}
