package dev.cairn.transport.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * The owners of every segment, primary first, as {@link Placement} computed them. Immutable.
 */
public final class SegmentTable {
    private final List<String> members;
    private final int[][] owners;

    SegmentTable(List<String> members, int[][] owners) {
        this.members = List.copyOf(members);
        this.owners = owners;
    }

    public int segments() {
        return owners.length;
    }

    /** The members placed on, sorted. */
    public List<String> members() {
        return members;
    }

    /** The owners of {@code segment}, primary first. */
    public List<String> owners(int segment) {
        List<String> out = new ArrayList<>(owners[segment].length);
        for (int m : owners[segment]) {
            out.add(members.get(m));
        }
        return out;
    }

    public String primary(int segment) {
        return members.get(owners[segment][0]);
    }

    /** The segments {@code member} owns (as primary or backup). */
    public List<Integer> segmentsOf(String member) {
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s < owners.length; s++) {
            if (owners(s).contains(member)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SegmentTable t) || t.owners.length != owners.length) {
            return false;
        }
        for (int s = 0; s < owners.length; s++) {
            if (!owners(s).equals(t.owners(s))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int s = 0; s < owners.length; s++) {
            h = h * 31 + owners(s).hashCode();
        }
        return h;
    }
}
