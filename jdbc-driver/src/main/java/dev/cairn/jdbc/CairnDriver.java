package dev.cairn.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * {@code java.sql.Driver} for Cairn, registered through {@code META-INF/services/java.sql.Driver}.
 *
 * <pre>
 * jdbc:cairn:mem:NAME                       a memory store in this JVM, shared by name
 * jdbc:cairn:file:PATH                      an LSM store in directory PATH, in this JVM
 * jdbc:cairn://host:port[,host:port…]       Cairn servers over RESP; failover in order
 * </pre>
 *
 * Connection properties: {@code user} and {@code password} (sent with AUTH to servers),
 * {@code connectTimeout} in milliseconds (default 5000).
 */
public final class CairnDriver implements Driver {
    static final String PREFIX = "jdbc:cairn:";
    static final int MAJOR = 0;
    static final int MINOR = 1;
    static final String VERSION = MAJOR + "." + MINOR;

    static {
        try {
            DriverManager.registerDriver(new CairnDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        Properties p = info == null ? new Properties() : info;
        String rest = url.substring(PREFIX.length());
        String user = p.getProperty("user");
        Backend backend;
        if (rest.startsWith("mem:")) {
            String name = rest.substring(4);
            if (name.isEmpty()) {
                throw new SQLException("a memory URL names its store: jdbc:cairn:mem:NAME", "08001");
            }
            backend = EmbeddedBackend.memory(name);
        } else if (rest.startsWith("file:")) {
            String path = rest.substring(5);
            if (path.isEmpty()) {
                throw new SQLException("a file URL names a directory: jdbc:cairn:file:PATH", "08001");
            }
            backend = EmbeddedBackend.file(Path.of(path));
        } else if (rest.startsWith("//")) {
            int timeout = Integer.parseInt(p.getProperty("connectTimeout", "5000"));
            backend = new RemoteBackend(hosts(rest.substring(2)), user, p.getProperty("password"), timeout);
        } else {
            throw new SQLException("unknown Cairn URL " + url + "; expected jdbc:cairn:mem:NAME, jdbc:cairn:file:PATH or "
                    + "jdbc:cairn://host:port[,host:port...]", "08001");
        }
        return new CairnConnection(backend, url, user);
    }

    static List<RemoteBackend.Host> hosts(String spec) throws SQLException {
        String list = spec;
        int end = list.indexOf('/');
        if (end >= 0) {
            list = list.substring(0, end);
        }
        end = list.indexOf('?');
        if (end >= 0) {
            list = list.substring(0, end);
        }
        List<RemoteBackend.Host> hosts = new ArrayList<>();
        for (String h : list.split(",")) {
            String host = h.trim();
            if (host.isEmpty()) {
                continue;
            }
            int colon = host.lastIndexOf(':');
            try {
                hosts.add(colon < 0 ? new RemoteBackend.Host(host, 7379)
                        : new RemoteBackend.Host(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new SQLException("bad port in '" + host + "'", "08001");
            }
        }
        if (hosts.isEmpty()) {
            throw new SQLException("no host in jdbc:cairn://" + spec, "08001");
        }
        return hosts;
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        DriverPropertyInfo user = new DriverPropertyInfo("user", info == null ? null : info.getProperty("user"));
        user.description = "user to AUTH as on servers (default: the default user)";
        DriverPropertyInfo password = new DriverPropertyInfo("password", null);
        password.description = "password to AUTH with on servers";
        DriverPropertyInfo timeout = new DriverPropertyInfo("connectTimeout", "5000");
        timeout.description = "connect and read timeout for servers, in milliseconds";
        return new DriverPropertyInfo[] {user, password, timeout};
    }

    @Override
    public int getMajorVersion() {
        return MAJOR;
    }

    @Override
    public int getMinorVersion() {
        return MINOR;
    }

    /** Not JDBC compliant: it runs a key-value subset of SQL. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger("dev.cairn.jdbc");
    }
}
