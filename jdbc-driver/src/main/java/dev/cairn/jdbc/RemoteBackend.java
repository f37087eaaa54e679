package dev.cairn.jdbc;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cairn servers (or any Redis-protocol server) over RESP2, for {@code jdbc:cairn://host:port[,host:port…]}.
 *
 * <p>Failover: connecting tries the hosts in order, starting after the one that failed last. A
 * connection that breaks in the middle of a command raises an {@link SQLException} in the
 * connection class (SQLState {@code 08006}); the command's outcome is then unknown, so it is not
 * retried, and the next statement reconnects to the next host. The server does not expose entry
 * versions over RESP, so the {@code version} column is {@code NULL} here.
 *
 * <p>Database {@code n} ({@code SELECT n}) is the table named {@code n}; database 0 is {@code KV}.
 * One connection serves them all: a backend of database {@code n} ({@link #namespace}) shares it
 * and selects its database before each exchange when another one is selected.
 */
final class RemoteBackend implements Backend {
    /** One host of the URL. */
    record Host(String name, int port) {
        @Override
        public String toString() {
            return name + ":" + port;
        }
    }

    private final List<Host> hosts;
    private final String user;
    private final String password;
    private final int timeoutMillis;
    /** The backend that holds the connection (this one, unless this is another database's). */
    private final RemoteBackend link;
    /** This backend's database. */
    private final int db;
    // the connection's state, used through link
    private int next;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Host connected;
    private int selected;

    RemoteBackend(List<Host> hosts, String user, String password, int timeoutMillis) throws SQLException {
        this.hosts = List.copyOf(hosts);
        this.user = user;
        this.password = password;
        this.timeoutMillis = timeoutMillis;
        this.link = this;
        this.db = 0;
        connect();
    }

    private RemoteBackend(RemoteBackend link, int db) {
        this.hosts = link.hosts;
        this.user = link.user;
        this.password = link.password;
        this.timeoutMillis = link.timeoutMillis;
        this.link = link;
        this.db = db;
    }

    private void connect() throws SQLException {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get((next + i) % hosts.size());
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(h.name(), h.port()), timeoutMillis);
                s.setSoTimeout(timeoutMillis);
                s.setTcpNoDelay(true);
                socket = s;
                in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
                out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
                connected = h;
                selected = 0;
                next = (next + i) % hosts.size();
                if (password != null && !password.isEmpty()) {
                    Object r = user == null || user.isEmpty() || user.equals("default")
                            ? call("AUTH", password) : call("AUTH", user, password);
                    if (r instanceof ServerError e) {
                        close();
                        throw new SQLInvalidAuthorizationSpecException("authentication to " + h + " failed: " + e.message, "28000");
                    }
                }
                return;
            } catch (IOException e) {
                failures.add(h + ": " + e.getMessage());
                closeQuietly();
            }
        }
        throw new SQLNonTransientConnectionException("cannot connect to any Cairn server of " + hosts + ": " + failures, "08001");
    }

    /** An error reply. */
    private record ServerError(String message) {
    }

    private Object call(String... args) throws IOException {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return call(bytes);
    }

    private Object call(byte[]... args) throws IOException {
        write(args);
        link.out.flush();
        return read();
    }

    private void write(byte[]... args) throws IOException {
        OutputStream out = link.out;
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(a);
            out.write('\r');
            out.write('\n');
        }
    }

    private Object read() throws IOException {
        InputStream in = link.in;
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the server closed the connection");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new ServerError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n);
                if (b.length < n || in.read() != '\r' || in.read() != '\n') {
                    throw new EOFException("truncated bulk reply");
                }
                return b;
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type '" + (char) type + "'");
        }
    }

    private String readLine() throws IOException {
        InputStream in = link.in;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("the server closed the connection");
            }
            b.write(c);
        }
        if (in.read() != '\n') {
            throw new IOException("malformed reply line");
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Runs one exchange; a broken connection becomes SQLState 08006 and is reopened (failing over) next time. */
    private interface Exchange<T> {
        T run() throws IOException, SQLException;
    }

    private <T> T exchange(Exchange<T> exchange) throws SQLException {
        return link.exchange(db, exchange);
    }

    /** Runs {@code exchange} with database {@code database} selected (on the connection's backend). */
    private synchronized <T> T exchange(int database, Exchange<T> exchange) throws SQLException {
        if (socket == null) {
            connect();
        }
        try {
            if (selected != database) {
                Object r = call(b("SELECT"), b(Integer.toString(database)));
                if (r instanceof ServerError e) {
                    throw new SQLSyntaxErrorException("table " + database + " (database " + database + ") cannot be used on "
                            + connected + ": " + e.message, "42S02");
                }
                selected = database;
            }
            return exchange.run();
        } catch (IOException e) {
            Host lost = connected;
            closeQuietly();
            next = (next + 1) % hosts.size();
            throw new SQLNonTransientConnectionException("lost the connection to Cairn server " + lost + ": " + e.getMessage(), "08006", e);
        }
    }

    private static Object check(Object reply) throws SQLException {
        if (reply instanceof ServerError e) {
            String m = e.message;
            if (m.contains("not an integer") ) {
                throw new SQLDataException(m, "22018");
            }
            if (m.contains("overflow")) {
                throw new SQLDataException(m, "22003");
            }
            if (m.startsWith("NOAUTH") || m.startsWith("WRONGPASS")) {
                throw new SQLInvalidAuthorizationSpecException(m, "28000");
            }
            if (m.contains("quorum") || m.contains("QuorumNotReached") || m.startsWith("TRYAGAIN")) {
                throw new java.sql.SQLTransactionRollbackException(m, "40001"); // transient: retry
            }
            if (m.contains("corrupt")) {
                throw new SQLException(m, "XX001");
            }
            if (m.contains("WAL") || m.contains("fsync") || m.contains("cannot write")) {
                throw new SQLException(m, "58030");
            }
            throw new SQLDataException(m, "22000");
        }
        return reply;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Long ttlSeconds(Object pttl) {
        long ms = (Long) pttl;
        return ms < 0 ? null : (ms + 999) / 1000;
    }

    @Override
    public Row get(byte[] key) throws SQLException {
        return exchange(() -> {
            write(b("GET"), key);
            write(b("PTTL"), key);
            link.out.flush();
            // both replies are read before either is checked: an error must not leave the second
            // unread on the connection, where the next exchange would take it for its own
            Object value = read();
            Object pttl = read();
            check(value);
            check(pttl);
            return value == null ? null : new Row(key, (byte[]) value, ttlSeconds(pttl), null);
        });
    }

    private List<byte[]> setArgs(byte[] key, byte[] value, Long ttlSeconds, String condition) {
        List<byte[]> args = new ArrayList<>(List.of(b("SET"), key, value));
        if (condition != null) {
            args.add(b(condition));
        }
        if (ttlSeconds != null) {
            args.add(b("PX"));
            args.add(b(Long.toString(ttlSeconds * 1000)));
        } else if ("XX".equals(condition)) {
            args.add(b("KEEPTTL"));
        }
        return args;
    }

    @Override
    public void put(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
        exchange(() -> check(call(setArgs(key, value, ttlSeconds, null).toArray(byte[][]::new))));
    }

    @Override
    public boolean insert(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
        return exchange(() -> check(call(setArgs(key, value, ttlSeconds, "NX").toArray(byte[][]::new))) != null);
    }

    @Override
    public boolean update(byte[] key, byte[] value, Long ttlSeconds) throws SQLException {
        return exchange(() -> check(call(setArgs(key, value, ttlSeconds, "XX").toArray(byte[][]::new))) != null);
    }

    @Override
    public boolean delete(byte[] key) throws SQLException {
        return exchange(() -> (Long) check(call(b("DEL"), key)) > 0);
    }

    @Override
    public long increment(byte[] key, long by) throws SQLException {
        return exchange(() -> (Long) check(call(b("INCRBY"), key, b(Long.toString(by)))));
    }

    private static byte[] globPrefix(byte[] prefix) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte c : prefix) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.write('\\');
            }
            b.write(c);
        }
        b.write('*');
        return b.toByteArray();
    }

    /** Whether the server has Cairn's CAIRN.SCANRANGE (a cairn-server does; redis-server does not). */
    private Boolean scanRange;

    @SuppressWarnings("unchecked")
    @Override
    public List<Row> scan(byte[] start, byte[] end, byte[] prefix, int limit) throws SQLException {
        if (!Boolean.FALSE.equals(link.scanRange)) {
            List<Row> rows = exchange(() -> {
                List<byte[]> args = new ArrayList<>(List.of(b("CAIRN.SCANRANGE"), start == null ? new byte[0] : start,
                        end == null ? new byte[0] : end, b(Integer.toString(Math.max(1, Math.min(limit, 100_000))))));
                if (prefix != null) {
                    args.add(b("PREFIX"));
                    args.add(prefix);
                }
                Object reply = call(args.toArray(byte[][]::new));
                if (reply instanceof ServerError e && e.message.startsWith("ERR unknown command")) {
                    return null;
                }
                List<Object> flat = (List<Object>) check(reply);
                List<Row> out = new ArrayList<>(flat.size() / 3);
                for (int i = 0; i + 2 < flat.size(); i += 3) {
                    out.add(new Row((byte[]) flat.get(i), (byte[]) flat.get(i + 1), ttlSeconds(flat.get(i + 2)), null));
                }
                return out;
            });
            if (rows != null) {
                link.scanRange = true;
                return rows.size() > limit ? rows.subList(0, limit) : rows;
            }
            link.scanRange = false; // a plain Redis server: list the keys with SCAN instead
        }
        return exchange(() -> {
            List<byte[]> keys = new ArrayList<>();
            String cursor = "0";
            do {
                List<byte[]> args = new ArrayList<>(List.of(b("SCAN"), b(cursor), b("COUNT"), b("1000")));
                if (prefix != null) {
                    args.add(b("MATCH"));
                    args.add(globPrefix(prefix));
                }
                List<Object> page = (List<Object>) check(call(args.toArray(byte[][]::new)));
                cursor = new String((byte[]) page.get(0), StandardCharsets.US_ASCII);
                for (Object k : (List<Object>) page.get(1)) {
                    byte[] key = (byte[]) k;
                    if ((start == null || Arrays.compareUnsigned(key, start) >= 0) && (end == null || Arrays.compareUnsigned(key, end) < 0)) {
                        keys.add(key);
                    }
                }
            } while (!cursor.equals("0"));
            keys.sort(Arrays::compareUnsigned);
            List<byte[]> wanted = keys.subList(0, Math.min(keys.size(), limit));
            List<Row> rows = new ArrayList<>();
            if (wanted.isEmpty()) {
                return rows;
            }
            for (byte[] key : wanted) {
                write(b("GET"), key);
                write(b("PTTL"), key);
            }
            link.out.flush();
            Object[] replies = new Object[wanted.size() * 2];
            for (int i = 0; i < replies.length; i++) {
                replies[i] = read(); // all of them before any is checked (see get)
            }
            for (int i = 0; i < wanted.size(); i++) {
                byte[] key = wanted.get(i);
                Object value = check(replies[2 * i]);
                Object pttl = check(replies[2 * i + 1]);
                if (value != null) {
                    rows.add(new Row(key, (byte[]) value, ttlSeconds(pttl), null));
                }
            }
            return rows;
        });
    }

    /** The databases that exist other than 0 (Cairn's CAIRN.DATABASES; a Redis server's non-empty ones from INFO keyspace). */
    @SuppressWarnings("unchecked")
    @Override
    public List<String> namespaces() throws SQLException {
        return exchange(() -> {
            Object reply = call("CAIRN.DATABASES");
            List<String> out = new ArrayList<>();
            if (reply instanceof ServerError e && e.message.startsWith("ERR unknown command")) {
                // INFO keyspace lists the non-empty ones: "db3:keys=…"
                String info = new String((byte[]) check(call("INFO", "keyspace")), StandardCharsets.UTF_8);
                for (String line : info.split("\r\n")) {
                    if (line.startsWith("db") && line.indexOf(':') > 2) {
                        out.add(line.substring(2, line.indexOf(':')));
                    }
                }
            } else {
                for (Object n : (List<Object>) check(reply)) {
                    out.add(Long.toString((Long) n));
                }
            }
            out.remove("0");
            out.sort(java.util.Comparator.comparingLong(Long::parseLong));
            return out;
        });
    }

    /** Database {@code n} for the name {@code n} (decimal, as SELECT takes it); null for any other name. */
    @Override
    public Backend namespace(String name) {
        if (!name.matches("0|[1-9][0-9]{0,8}")) {
            return null;
        }
        int n = Integer.parseInt(name);
        return n == db ? this : new RemoteBackend(link, n);
    }

    @Override
    public boolean isValid(int timeoutSeconds) {
        return link.checkConnection(timeoutSeconds);
    }

    private synchronized boolean checkConnection(int timeoutSeconds) {
        try {
            if (socket == null) {
                connect();
            }
            if (timeoutSeconds > 0) {
                socket.setSoTimeout(timeoutSeconds * 1000);
            }
            Object r = call("PING");
            socket.setSoTimeout(timeoutMillis);
            return "PONG".equals(r);
        } catch (IOException | SQLException e) {
            closeQuietly();
            return false;
        }
    }

    @Override
    public String describe() {
        return "Cairn server " + link.connected + (db == 0 ? "" : ", database " + db);
    }

    private void closeQuietly() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        socket = null;
        in = null;
        out = null;
    }

    @Override
    public void close() {
        if (link == this) {
            synchronized (this) {
                closeQuietly();
            }
        }
    }
}
