package dev.cairn.transport.membership;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a member joins its cluster: the cluster's name, this member's name (stable across restarts:
 * placement is computed from names), the JGroups stack, and where to listen and whom to contact.
 *
 * <p>Stacks ship as {@code tcp.xml} (static member list, the default), {@code udp.xml} (multicast
 * discovery on a LAN) and {@code loopback.xml} (members in one JVM, for tests). Their
 * {@code ${cairn.*}} placeholders are filled in from this configuration, so several members in one
 * JVM each get their own address and port.
 *
 * <p>{@code votingMembers} are the names of the members that decide the topology by Raft (a
 * majority of them must be up to change it) as this member knows them at its start. A member not
 * among them is a new member ({@link #joining}): it asks the others to add it to the voters.
 * {@code raftLogDir} keeps the Raft log across restarts; null keeps it in memory (tests).
 */
public record ClusterConfig(String clusterName, String memberName, Stack stack, String bindAddress, int bindPort,
                            List<String> members, List<String> votingMembers, java.nio.file.Path raftLogDir) {
    /** The shipped stacks. */
    public enum Stack {
        TCP("tcp.xml"), UDP("udp.xml"), LOOPBACK("loopback.xml");

        private final String resource;

        Stack(String resource) {
            this.resource = resource;
        }
    }

    public ClusterConfig {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(memberName, "memberName");
        Objects.requireNonNull(stack, "stack");
        members = List.copyOf(members);
        votingMembers = List.copyOf(votingMembers);
        if (clusterName.isBlank() || memberName.isBlank()) {
            throw new IllegalArgumentException("cluster and member names must not be blank");
        }
        if (votingMembers.isEmpty()) {
            throw new IllegalArgumentException("no voting members");
        }
        if (memberName.contains(",")) {
            throw new IllegalArgumentException("bad member name '" + memberName + "'");
        }
        for (String v : votingMembers) {
            if (v.isBlank() || v.contains(",")) {
                throw new IllegalArgumentException("bad voting member name '" + v + "'");
            }
        }
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bad port " + bindPort);
        }
        for (String m : members) {
            hostAndPort(m);
        }
    }

    /** True for a new member: one that is not among the voting members it was given, and asks to be added. */
    public boolean joining() {
        return !votingMembers.contains(memberName);
    }

    /** The voting members this member starts with: the configured ones and, when joining, itself. */
    public List<String> startingVoters() {
        if (!joining()) {
            return votingMembers;
        }
        List<String> all = new java.util.ArrayList<>(votingMembers);
        all.add(memberName);
        return all;
    }

    /** A member of an in-JVM test cluster whose voting members are {@code voting}; the Raft log in memory. */
    public static ClusterConfig loopback(String clusterName, String memberName, List<String> voting) {
        return new ClusterConfig(clusterName, memberName, Stack.LOOPBACK, "127.0.0.1", 0, List.of(), voting, null);
    }

    /**
     * A member listening on {@code bindAddress:bindPort} that contacts {@code members}
     * ({@code host:port}, itself included or not); {@code voting} names the Raft members.
     */
    public static ClusterConfig tcp(String clusterName, String memberName, String bindAddress, int bindPort,
                                    List<String> members, List<String> voting, java.nio.file.Path raftLogDir) {
        return new ClusterConfig(clusterName, memberName, Stack.TCP, bindAddress, bindPort, members, voting, raftLogDir);
    }

    private static String[] hostAndPort(String member) {
        int colon = member.lastIndexOf(':');
        if (colon <= 0 || colon == member.length() - 1) {
            throw new IllegalArgumentException("a member is host:port, not '" + member + "'");
        }
        String port = member.substring(colon + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in member '" + member + "'", e);
        }
        return new String[] {member.substring(0, colon), port};
    }

    /** TCPPING's form of the member list: {@code host[port],host[port]}. */
    String initialHosts() {
        StringBuilder sb = new StringBuilder();
        for (String m : members) {
            String[] hp = hostAndPort(m);
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(hp[0]).append('[').append(hp[1]).append(']');
        }
        if (sb.length() == 0) {
            sb.append(bindAddress).append('[').append(bindPort).append(']');
        }
        return sb.toString();
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(cairn\\.[a-z_]+)(?::([^}]*))?}");

    /** The stack's XML with this member's values in place of its {@code ${cairn.*}} placeholders. */
    String stackXml() throws IOException {
        String xml;
        try (InputStream in = ClusterConfig.class.getResourceAsStream("/dev/cairn/transport/" + stack.resource)) {
            if (in == null) {
                throw new IOException("stack " + stack.resource + " is missing from the class path");
            }
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> values = Map.of(
                "cairn.bind_addr", bindAddress,
                "cairn.bind_port", Integer.toString(bindPort),
                "cairn.initial_hosts", initialHosts(),
                "cairn.raft_members", String.join(",", startingVoters()),
                "cairn.raft_id", memberName,
                // one Raft log per cluster and member: in-memory logs are shared by name within a JVM
                "cairn.raft_log_prefix", (clusterName + "-" + memberName).replaceAll("[^A-Za-z0-9._-]", "_"),
                "cairn.raft_log_dir", raftLogDir == null ? System.getProperty("java.io.tmpdir") : raftLogDir.toString(),
                "cairn.raft_log_class", raftLogDir == null ? "org.jgroups.protocols.raft.InMemoryLog"
                        : "org.jgroups.protocols.raft.FileBasedLog");
        Matcher m = PLACEHOLDER.matcher(xml);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.getOrDefault(m.group(1), m.group(2) == null ? "" : m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
