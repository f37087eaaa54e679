package dev.cairn.server.command;

import static dev.cairn.server.command.Args.upper;

import dev.cairn.server.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Connection and server commands: PING, ECHO, AUTH, SELECT, QUIT, CLIENT, HELLO, and the COMMAND,
 * CONFIG GET and INFO answers that redis-cli, redis-benchmark, Jedis and Lettuce ask for when they
 * connect.
 */
final class ConnectionCommands {
    private final ServerContext context;
    private final Commands commands;

    ConnectionCommands(ServerContext context, Commands commands) {
        this.context = context;
        this.commands = commands;
    }

    void register(CommandTable c) {
        c.add("ping", -1, false, (s, a) -> a.size() == 1 ? Reply.simple("PONG")
                : a.size() == 2 ? Reply.bulk(a.get(1))
                : Reply.error("ERR wrong number of arguments for 'ping' command"));
        c.add("echo", 2, false, (s, a) -> Reply.bulk(a.get(1)));
        c.add("auth", -2, false, (s, a) -> auth(s, a));
        c.add("select", 2, false, (s, a) -> {
            long db = Args.integer(a.get(1));
            if (db < 0 || db >= context.databases) {
                return Reply.error("ERR DB index is out of range");
            }
            s.select((int) db);
            return Reply.OK;
        });
        c.add("quit", -1, false, (s, a) -> {
            s.close();
            return Reply.OK;
        });
        c.add("client", -2, false, (s, a) -> client(s, a));
        c.add("hello", -1, false, (s, a) -> hello(s, a));
        c.add("command", -1, false, (s, a) -> command(a));
        c.add("config", -2, false, (s, a) -> config(a));
        c.add("info", -1, false, (s, a) -> Reply.bulk(info(a)));
        c.add("time", 1, false, (s, a) -> {
            java.time.Instant now = java.time.Instant.now();
            return Reply.bulks(List.of(Args.bytes(Long.toString(now.getEpochSecond())),
                    Args.bytes(Long.toString(now.getNano() / 1000))));
        });
    }

    private Reply auth(Session s, List<byte[]> a) {
        if (a.size() > 3) {
            return Reply.error(Args.SYNTAX);
        }
        if (context.requirePass == null) {
            return Reply.error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
        }
        if (a.size() == 3 && !Args.text(a.get(1)).equals("default")) {
            return Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
        }
        if (!passwordMatches(a.get(a.size() - 1))) {
            return Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
        }
        s.authenticate();
        return Reply.OK;
    }

    private boolean passwordMatches(byte[] given) {
        return MessageDigest.isEqual(given, context.requirePass.getBytes(StandardCharsets.UTF_8));
    }

    private Reply client(Session s, List<byte[]> a) {
        String sub = upper(a.get(1));
        switch (sub) {
            case "SETNAME":
                if (a.size() != 3) {
                    return Reply.error("ERR wrong number of arguments for 'client|setname' command");
                }
                String name = Args.text(a.get(2));
                Reply invalid = checkName(name);
                if (invalid != null) {
                    return invalid;
                }
                s.name(name.isEmpty() ? null : name);
                return Reply.OK;
            case "GETNAME":
                return Reply.bulk(s.name());
            case "ID":
                return Reply.integer(s.id());
            case "SETINFO":
                if (a.size() != 4) {
                    return Reply.error("ERR wrong number of arguments for 'client|setinfo' command");
                }
                String attr = upper(a.get(2));
                return attr.equals("LIB-NAME") || attr.equals("LIB-VER") ? Reply.OK
                        : Reply.error("ERR Unrecognized option '" + Args.text(a.get(2)) + "'");
            case "INFO":
                return Reply.bulk(s.describe() + "\n");
            case "LIST": {
                StringBuilder sb = new StringBuilder();
                context.sessions.stream().sorted(java.util.Comparator.comparingLong(Session::id))
                        .forEach(x -> sb.append(x.describe()).append('\n'));
                return Reply.bulk(sb.toString());
            }
            default:
                return Reply.error("ERR unknown subcommand '" + Args.text(a.get(1)) + "'. Try CLIENT HELP.");
        }
    }

    /** Redis's rule for client names: printable ASCII without spaces; null when {@code name} is fine. */
    private static Reply checkName(String name) {
        if (name.chars().anyMatch(ch -> ch < '!' || ch > '~')) {
            return Reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
        }
        return null;
    }

    /**
     * HELLO [protover [AUTH username password] [SETNAME clientname]]: RESP2 only. As Redis does,
     * every option is checked first, then the password, and the name is set only once the
     * connection is authenticated.
     */
    private Reply hello(Session s, List<byte[]> a) {
        if (a.size() > 1) {
            long version;
            try {
                version = Args.integer(a.get(1));
            } catch (CommandException e) {
                return Reply.error("ERR Protocol version is not an integer or out of range");
            }
            if (version != 2) {
                return Reply.error("NOPROTO sorry, this protocol version is not supported.");
            }
        }
        byte[] user = null;
        byte[] password = null;
        String name = null;
        for (int i = 2; i < a.size(); i++) {
            int more = a.size() - 1 - i;
            String opt = upper(a.get(i));
            if (opt.equals("AUTH") && more >= 2) {
                user = a.get(i + 1);
                password = a.get(i + 2);
                i += 2;
            } else if (opt.equals("SETNAME") && more >= 1) {
                name = Args.text(a.get(i + 1));
                Reply invalid = checkName(name);
                if (invalid != null) {
                    return invalid;
                }
                i++;
            } else {
                return Reply.error("ERR Syntax error in HELLO option '" + Args.text(a.get(i)) + "'");
            }
        }
        if (password != null) {
            Reply r = auth(s, List.of(Args.bytes("auth"), user, password));
            if (r != Reply.OK) {
                return r;
            }
        }
        if (!s.authenticated()) {
            return Reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        }
        if (name != null) {
            s.name(name.isEmpty() ? null : name);
        }
        return Reply.array(List.of(
                Reply.bulk("server"), Reply.bulk("redis"),
                Reply.bulk("version"), Reply.bulk("7.0.0"),
                Reply.bulk("proto"), Reply.integer(2),
                Reply.bulk("id"), Reply.integer(s.id()),
                Reply.bulk("mode"), Reply.bulk("standalone"),
                Reply.bulk("role"), Reply.bulk("master"),
                Reply.bulk("modules"), Reply.array(List.of())));
    }

    private Reply command(List<byte[]> a) {
        if (a.size() == 1) {
            List<Reply> all = new ArrayList<>();
            for (Commands.Spec spec : commands.specs()) {
                all.add(info(spec));
            }
            return Reply.array(all);
        }
        String sub = upper(a.get(1));
        switch (sub) {
            case "COUNT":
                return Reply.integer(commands.specs().size());
            case "DOCS":
                return Reply.array(List.of());
            case "INFO": {
                List<Reply> out = new ArrayList<>();
                for (byte[] name : Args.tail(a, 2)) {
                    Commands.Spec spec = commands.spec(Args.text(name));
                    out.add(spec == null ? Reply.NULL_ARRAY : info(spec));
                }
                return Reply.array(out);
            }
            default:
                return Reply.error("ERR unknown subcommand '" + Args.text(a.get(1)) + "'. Try COMMAND HELP.");
        }
    }

    private static Reply info(Commands.Spec spec) {
        boolean keyed = !List.of("ping", "echo", "auth", "select", "quit", "client", "hello", "command", "config",
                "info", "scan", "keys", "dbsize").contains(spec.name());
        int last = spec.name().equals("mget") || spec.name().equals("del") || spec.name().equals("exists")
                || spec.name().equals("unlink") || spec.name().startsWith("mset") ? -1 : 1;
        int step = spec.name().startsWith("mset") ? 2 : 1;
        return Reply.array(List.of(
                Reply.bulk(spec.name()),
                Reply.integer(spec.arity()),
                Reply.array(List.of(Reply.simple(spec.writes() ? "write" : "readonly"))),
                Reply.integer(keyed ? 1 : 0),
                Reply.integer(keyed ? last : 0),
                Reply.integer(keyed ? step : 0)));
    }

    private Reply config(List<byte[]> a) {
        String sub = upper(a.get(1));
        if (sub.equals("RESETSTAT")) {
            return Reply.OK;
        }
        if (!sub.equals("GET") || a.size() < 3) {
            return sub.equals("GET") ? Reply.error("ERR wrong number of arguments for 'config|get' command")
                    : Reply.error("ERR unknown subcommand '" + Args.text(a.get(1)) + "'. Try CONFIG HELP.");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("save", "");
        settings.put("appendonly", context.syncMode.equals("NONE") ? "no" : "yes");
        settings.put("appendfsync", switch (context.syncMode) {
            case "SYNC" -> "always";
            case "INTERVAL" -> "everysec";
            default -> "no";
        });
        settings.put("databases", Integer.toString(context.databases));
        settings.put("port", Integer.toString(context.port()));
        settings.put("bind", context.bind);
        settings.put("maxclients", Integer.toString(context.maxClients));
        settings.put("proto-max-bulk-len", Integer.toString(context.maxBulkBytes));
        settings.put("maxmemory", "0");
        settings.put("maxmemory-policy", "noeviction");
        settings.put("maxmemory-samples", "5");
        settings.put("maxmemory-eviction-tenacity", "10");
        settings.put("maxmemory-clients", "0");
        settings.put("client-query-buffer-limit", Long.toString(context.maxBulkBytes));
        settings.put("client-output-buffer-limit", "normal " + context.maxOutputBytes + " 0 0 slave 0 0 0 pubsub 0 0 0");
        settings.put("timeout", "0");
        settings.put("requirepass", context.requirePass == null ? "" : context.requirePass);
        // a setting several patterns match is listed once, as Redis 7 does
        Map<String, String> matched = new LinkedHashMap<>();
        for (byte[] pattern : Args.tail(a, 2)) {
            for (Map.Entry<String, String> e : settings.entrySet()) {
                if (Glob.matches(Args.bytes(Args.text(pattern).toLowerCase(Locale.ROOT)), Args.bytes(e.getKey()))) {
                    matched.put(e.getKey(), e.getValue());
                }
            }
        }
        List<byte[]> out = new ArrayList<>();
        matched.forEach((k, v) -> {
            out.add(Args.bytes(k));
            out.add(Args.bytes(v));
        });
        return Reply.bulks(out);
    }

    /** The sections INFO with no argument (or "default") shows, in Redis's order. */
    private static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "modules", "errorstats", "cluster", "keyspace");

    /** INFO [section ...]: "all" and "everything" add commandstats to the default sections. */
    /** This process's CPU time in microseconds: {user, system}, from /proc on Linux (total as user elsewhere). */
    private static long[] cpuMicros() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long tick = 100; // USER_HZ on Linux
            return new long[] {Long.parseLong(f[11]) * 1_000_000 / tick, Long.parseLong(f[12]) * 1_000_000 / tick};
        } catch (java.io.IOException | RuntimeException e) {
            java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long total = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1000 : 0;
            return new long[] {total, 0};
        }
    }

    private static String seconds(long micros) {
        return String.format(Locale.ROOT, "%.6f", micros / 1e6);
    }

    private String info(List<byte[]> a) {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (byte[] arg : Args.tail(a, 1)) {
            String section = Args.text(arg).toLowerCase(Locale.ROOT);
            switch (section) {
                case "default" -> wanted.addAll(DEFAULT_SECTIONS);
                case "all", "everything" -> {
                    wanted.addAll(DEFAULT_SECTIONS);
                    wanted.add("commandstats");
                }
                default -> wanted.add(section);
            }
        }
        if (wanted.isEmpty()) {
            wanted.addAll(DEFAULT_SECTIONS);
        }
        StringBuilder sb = new StringBuilder();
        for (String section : List.of("server", "clients", "memory", "persistence", "stats", "replication", "cpu",
                "modules", "errorstats", "cluster", "keyspace", "commandstats")) {
            if (wanted.contains(section)) {
                infoSection(section, sb);
            }
        }
        // Redis ends the text without the blank line after the last section
        while (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
            sb.setLength(sb.length() - 2);
        }
        return sb.toString();
    }

    private void infoSection(String section, StringBuilder sb) {
        if (section.equals("replication")) {
            sb.append("# Replication\r\n")
                    .append("role:master\r\n")
                    .append("connected_slaves:0\r\n")
                    .append("master_failover_state:no-failover\r\n")
                    .append("master_replid:").append("0".repeat(40)).append("\r\n")
                    .append("master_replid2:").append("0".repeat(40)).append("\r\n")
                    .append("master_repl_offset:0\r\n")
                    .append("second_repl_offset:-1\r\n")
                    .append("repl_backlog_active:0\r\n")
                    .append("repl_backlog_size:1048576\r\n")
                    .append("repl_backlog_first_byte_offset:0\r\n")
                    .append("repl_backlog_histlen:0\r\n")
                    .append("\r\n");
        }
        if (section.equals("cpu")) {
            long[] cpu = cpuMicros();
            sb.append("# CPU\r\n")
                    .append("used_cpu_sys:").append(seconds(cpu[1])).append("\r\n")
                    .append("used_cpu_user:").append(seconds(cpu[0])).append("\r\n")
                    .append("used_cpu_sys_children:0.000000\r\n")
                    .append("used_cpu_user_children:0.000000\r\n")
                    .append("\r\n");
        }
        if (section.equals("modules")) {
            sb.append("# Modules\r\n\r\n");
        }
        if (section.equals("errorstats")) {
            sb.append("# Errorstats\r\n\r\n");
        }
        if (section.equals("commandstats")) {
            sb.append("# Commandstats\r\n");
            commands.stats().forEach((name, st) -> {
                long calls = st.calls.sum();
                long usec = st.micros.sum();
                sb.append("cmdstat_").append(name).append(":calls=").append(calls).append(",usec=").append(usec)
                        .append(",usec_per_call=").append(String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) usec / calls))
                        .append(",rejected_calls=").append(st.rejected.sum()).append(",failed_calls=").append(st.failed.sum())
                        .append("\r\n");
            });
            sb.append("\r\n");
        }
        if (section.equals("cluster") && !(context.store instanceof dev.cairn.transport.replication.ClusterStore)) {
            sb.append("# Cluster\r\ncluster_enabled:0\r\n\r\n");
        }
        if (section.equals("keyspace")) {
            sb.append("# Keyspace\r\n");
            for (int db = 0; db < context.databases; db++) {
                if (!context.exists(db)) {
                    continue;
                }
                long[] k = KeyCommands.keyspace(context.database(db));
                if (k[0] > 0) {
                    sb.append("db").append(db).append(":keys=").append(k[0]).append(",expires=").append(k[1])
                            .append(",avg_ttl=").append(k[2]).append("\r\n");
                }
            }
            sb.append("\r\n");
        }
        if (section.equals("server")) {
            sb.append("# Server\r\n")
                    .append("redis_version:7.0.0\r\n")
                    .append("cairn_version:").append(context.version).append("\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("os:").append(System.getProperty("os.name")).append("\r\n")
                    .append("arch_bits:64\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                    .append("tcp_port:").append(context.port()).append("\r\n")
                    .append("uptime_in_seconds:").append((System.currentTimeMillis() - context.startMillis) / 1000).append("\r\n")
                    .append("uptime_in_days:").append((System.currentTimeMillis() - context.startMillis) / 86_400_000).append("\r\n")
                    .append("\r\n");
        }
        if (section.equals("clients")) {
            sb.append("# Clients\r\n")
                    .append("connected_clients:").append(context.connectedClients.get()).append("\r\n")
                    .append("maxclients:").append(context.maxClients).append("\r\n")
                    .append("blocked_clients:0\r\n")
                    .append("\r\n");
        }
        if (section.equals("memory")) {
            long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            sb.append("# Memory\r\n")
                    .append("used_memory:").append(used).append("\r\n")
                    .append("used_memory_human:").append(String.format(Locale.ROOT, "%.2fM", used / 1048576.0)).append("\r\n")
                    .append("maxmemory:0\r\n")
                    .append("maxmemory_policy:noeviction\r\n")
                    .append("\r\n");
        }
        if (section.equals("persistence")) {
            sb.append("# Persistence\r\n")
                    .append("loading:0\r\n")
                    .append("aof_enabled:").append(context.syncMode.equals("NONE") ? 0 : 1).append("\r\n")
                    .append("cairn_sync:").append(context.syncMode).append("\r\n")
                    .append("\r\n");
        }
        if (section.equals("stats")) {
            sb.append("# Stats\r\n")
                    .append("total_connections_received:").append(context.totalConnections.sum()).append("\r\n")
                    .append("total_commands_processed:").append(context.totalCommands()).append("\r\n")
                    .append("client_output_buffer_limit_disconnections:").append(context.outputLimitDisconnections.sum()).append("\r\n")
                    .append("\r\n");
        }
        if (section.equals("cluster") && context.store instanceof dev.cairn.transport.replication.ClusterStore cs) {
            dev.cairn.transport.replication.ClusterStore.Status st = cs.status();
            sb.append("# Cluster\r\n")
                    .append("cluster_enabled:1\r\n")
                    .append("cluster_member:").append(st.member()).append("\r\n")
                    .append("cluster_epoch:").append(st.epoch()).append("\r\n")
                    .append("cluster_members:").append(String.join(",", st.members())).append("\r\n")
                    .append("cluster_segments:").append(st.segments()).append("\r\n")
                    .append("cluster_primary_of:").append(st.primaryOf()).append("\r\n")
                    .append("cluster_serving:").append(st.serving()).append("\r\n")
                    .append("cluster_taking_over:").append(st.primaryOf() - st.serving()).append("\r\n")
                    .append("cluster_segments_in_transfer:").append(st.inTransfer()).append("\r\n")
                    .append("cluster_staged_members:").append(String.join(",", st.staged())).append("\r\n")
                    .append("cluster_segments_preparing:").append(st.preparing()).append("\r\n")
                    .append("cluster_raft:").append(st.raft()).append("\r\n");
            var m = st.metrics();
            sb.append("cluster_forwarded:").append(m.forwarded()).append("\r\n")
                    .append("cluster_forward_p50_us:").append(m.forwardP50Micros()).append("\r\n")
                    .append("cluster_forward_p99_us:").append(m.forwardP99Micros()).append("\r\n")
                    .append("cluster_primary_writes:").append(m.primaryWrites()).append("\r\n")
                    .append("cluster_write_p50_us:").append(m.writeP50Micros()).append("\r\n")
                    .append("cluster_write_p99_us:").append(m.writeP99Micros()).append("\r\n")
                    .append("cluster_primary_reads:").append(m.primaryReads()).append("\r\n")
                    .append("cluster_read_p50_us:").append(m.readP50Micros()).append("\r\n")
                    .append("cluster_read_p99_us:").append(m.readP99Micros()).append("\r\n")
                    .append("cluster_replicated:").append(m.replicated()).append("\r\n")
                    .append("cluster_quorum_failures:").append(m.quorumFailures()).append("\r\n")
                    .append("cluster_read_repairs:").append(m.readRepairs()).append("\r\n")
                    .append("cluster_transfer_records_in:").append(m.transferRecordsIn()).append("\r\n")
                    .append("cluster_transfer_records_out:").append(m.transferRecordsOut()).append("\r\n")
                    .append("cluster_transfer_bytes_in:").append(m.transferBytesIn()).append("\r\n")
                    .append("cluster_transfer_bytes_out:").append(m.transferBytesOut()).append("\r\n")
                    .append("cluster_anti_entropy_passes:").append(m.antiEntropyPasses()).append("\r\n")
                    .append("cluster_anti_entropy_repairs:").append(m.antiEntropyRepairs()).append("\r\n")
                    .append("\r\n");
        }
    }
}
