package dev.cairn.server.command;

/** The state of one client connection. */
public final class Session {
    private final long id;
    private final String address;
    private volatile boolean authenticated;
    private volatile String name;
    private volatile boolean closing;
    private volatile int db;
    private long commands; // written only by the connection's event loop

    /** Commands this connection has run; read (racily, for INFO) from other threads. */
    public long commands() {
        return commands;
    }

    void countCommand() {
        commands++;
    }

    public Session(long id, String address, boolean authenticated) {
        this.id = id;
        this.address = address;
        this.authenticated = authenticated;
    }

    public long id() {
        return id;
    }

    public String address() {
        return address;
    }

    public boolean authenticated() {
        return authenticated;
    }

    void authenticate() {
        authenticated = true;
    }

    public String name() {
        return name;
    }

    void name(String name) {
        this.name = name;
    }

    /** The database SELECT chose (0 at first). */
    public int db() {
        return db;
    }

    void select(int db) {
        this.db = db;
    }

    /** True once QUIT asked for the connection to close after its reply. */
    public boolean closing() {
        return closing;
    }

    /** Marks the connection as closing: it runs nothing more. */
    public void close() {
        closing = true;
    }
}
