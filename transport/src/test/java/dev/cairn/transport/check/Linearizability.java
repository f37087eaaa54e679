package dev.cairn.transport.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a {@link History} for linearizability against a register model, key by key (a history is
 * linearizable when each key's is, since registers are independent). The search is Wing and Gong's,
 * with Lowe's memoization of (operations linearized, state) pairs, as Porcupine and Knossos do it:
 * walk the calls and returns in time order; at a call, try to linearize that operation now if the
 * model accepts its result; at a return of an operation not yet linearized, back up. An
 * indeterminate operation has no return: it may be linearized at any point after its call, or
 * never. Pure: no I/O, no clock.
 */
public final class Linearizability {
    private Linearizability() {
    }

    /** The outcome for one key: linearizable, or not with the smallest failing sub-history found. */
    public record Result(String key, boolean linearizable, List<History.Op> minimal) {
        @Override
        public String toString() {
            if (linearizable) {
                return key + ": linearizable";
            }
            StringBuilder sb = new StringBuilder(key + ": NOT linearizable; smallest failing sub-history ("
                    + minimal.size() + " operations)" + (minimal.size() > 80 ? ", its last 80 by call" : "") + ":");
            List<History.Op> sorted = minimal.stream().sorted((a, b) -> Long.compare(a.call(), b.call())).toList();
            sorted.subList(Math.max(0, sorted.size() - 80), sorted.size()).forEach(op -> sb.append("\n  ").append(op));
            return sb.toString();
        }
    }

    /** Checks every key; returns the failing keys' results (empty: the history is linearizable). */
    public static List<Result> check(History history) {
        List<Result> failures = new ArrayList<>();
        for (Map.Entry<String, List<History.Op>> e : history.byKey().entrySet()) {
            if (!linearizable(e.getValue())) {
                failures.add(new Result(e.getKey(), false, shrink(e.getValue())));
            }
        }
        return failures;
    }

    /**
     * Cuts a long history to its shortest failing prefix in time, then greedily drops reads while
     * the rest still fails, up to a size where that stays quick; writes stay (see {@link #writes}).
     */
    private static List<History.Op> shrink(List<History.Op> ops) {
        List<History.Op> current = new ArrayList<>(ops);
        if (current.size() > 400) {
            current = shortestFailingPrefix(current);
        }
        if (current.size() > 400) {
            return current;
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 0; i < current.size(); i++) {
                if (writes(current.get(i))) {
                    continue;
                }
                List<History.Op> without = new ArrayList<>(current);
                without.remove(i);
                if (!linearizable(without)) {
                    current = without;
                    changed = true;
                    break;
                }
            }
        }
        return current;
    }

    /**
     * The shortest failing prefix in time (by bisection): the history as it stood at the earliest
     * instant T where it already fails — the operations called by T, those still running at T
     * made indeterminate (their results unknown then). Nothing that had returned by T can have
     * seen an operation called after it, so a failing prefix is a real violation, and a long
     * history's violation shows at the end of it, where {@link Result#toString} prints it.
     */
    private static List<History.Op> shortestFailingPrefix(List<History.Op> ops) {
        long[] returns = ops.stream().filter(o -> !o.indeterminate()).mapToLong(History.Op::ret).sorted().toArray();
        int lo = 0;
        int hi = returns.length - 1;
        if (hi < 0 || linearizable(prefixAt(ops, returns[hi]))) {
            return ops;
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (linearizable(prefixAt(ops, returns[mid]))) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return prefixAt(ops, returns[hi]);
    }

    private static List<History.Op> prefixAt(List<History.Op> ops, long t) {
        List<History.Op> out = new ArrayList<>();
        for (History.Op o : ops) {
            if (o.call() > t) {
                continue;
            }
            out.add(o.indeterminate() || o.ret() <= t ? o
                    : new History.Op(o.client(), o.key(), o.kind(), o.value(), o.expected(), o.delta(), o.call(), o.ret(), true, null));
        }
        return out;
    }

    /**
     * Whether {@code op} may have changed the register. Shrinking keeps every such operation:
     * without one, a later read or increment could fail for a reason of the shrinking's making (a
     * value nobody wrote, a count that skips) rather than the history's. It drops reads, and
     * conditional operations that said they did nothing.
     */
    private static boolean writes(History.Op op) {
        return switch (op.kind()) {
            case GET -> false;
            case CAS, PUT_IF_ABSENT, DELETE -> op.indeterminate() || !"false".equals(op.result());
            default -> true;
        };
    }

    /** One call or return, in a doubly linked list that the search lifts entries out of and puts back. */
    private static final class Node {
        final int op;
        final boolean call;
        final long time;
        Node prev;
        Node next;
        Node match; // a call's return (null for an indeterminate operation)

        Node(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Memo(BitSet linearized, String state) {
    }

    private record Frame(Node call, String state) {
    }

    /** Whether one key's operations are linearizable with an initially absent register. */
    public static boolean linearizable(List<History.Op> ops) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            History.Op op = ops.get(i);
            Node call = new Node(i, true, op.call());
            nodes.add(call);
            if (!op.indeterminate()) {
                Node ret = new Node(i, false, op.ret());
                call.match = ret;
                nodes.add(ret);
            }
        }
        // time order; at equal instants calls first (overlapping is the generous reading of a tie)
        nodes.sort((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Boolean.compare(!a.call, !b.call));
        Node head = new Node(-1, true, Long.MIN_VALUE);
        Node tail = head;
        int returns = 0;
        for (Node n : nodes) {
            tail.next = n;
            n.prev = tail;
            tail = n;
            if (!n.call) {
                returns++;
            }
        }
        BitSet linearized = new BitSet(ops.size());
        String state = null;
        Set<Memo> seen = new HashSet<>();
        List<Frame> stack = new ArrayList<>();
        Node entry = head.next;
        while (returns > 0) {
            if (entry == null) {
                return false; // only reachable through a bug in the walk; be safe
            }
            if (entry.call) {
                History.Op op = ops.get(entry.op);
                String[] next = step(op, state);
                boolean progressed = false;
                if (next != null) {
                    BitSet with = (BitSet) linearized.clone();
                    with.set(entry.op);
                    if (seen.add(new Memo(with, next[0]))) {
                        stack.add(new Frame(entry, state));
                        state = next[0];
                        linearized = with;
                        lift(entry);
                        if (entry.match != null) {
                            returns--;
                        }
                        entry = head.next;
                        progressed = true;
                    }
                }
                if (!progressed) {
                    entry = entry.next;
                }
            } else {
                // the return of an operation not linearized yet: back up
                if (stack.isEmpty()) {
                    return false;
                }
                Frame f = stack.remove(stack.size() - 1);
                state = f.state;
                linearized.clear(f.call.op);
                unlift(f.call);
                if (f.call.match != null) {
                    returns++;
                }
                entry = f.call.next;
            }
        }
        return true;
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Node ret = call.match;
        if (ret != null) {
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }
    }

    private static void unlift(Node call) {
        Node ret = call.match;
        if (ret != null) {
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }

    /**
     * The register model: the state after {@code op} from {@code state} if its recorded result is
     * possible there (an indeterminate operation's result is not checked), else null. The state is
     * wrapped in an array so that "absent" (null) is a state too.
     */
    static String[] step(History.Op op, String state) {
        boolean any = op.indeterminate();
        String r = op.result();
        switch (op.kind()) {
            case GET:
                return any || Objects.equals(r, state) ? new String[] {state} : null;
            case PUT:
                return new String[] {op.value()};
            case DELETE: {
                boolean happened = state != null;
                return any || Boolean.toString(happened).equals(r) ? new String[] {null} : null;
            }
            case CAS:
            case PUT_IF_ABSENT: {
                String expected = op.kind() == History.Kind.PUT_IF_ABSENT ? null : op.expected();
                boolean matches = Objects.equals(state, expected);
                if (!any && !Boolean.toString(matches).equals(r)) {
                    return null;
                }
                return new String[] {matches ? op.value() : state};
            }
            case INCREMENT: {
                long current;
                try {
                    current = state == null ? 0 : Long.parseLong(state);
                } catch (NumberFormatException e) {
                    return null;
                }
                String after = Long.toString(current + op.delta());
                return any || after.equals(r) ? new String[] {after} : null;
            }
            default:
                throw new IllegalArgumentException(op.kind().toString());
        }
    }
}
