package dev.cairn.server.command;

/** The state of one client connection. */
public final class Session {
    private final long id;
    private final String address;
    private final String localAddress;
    private final long createdNanos = System.nanoTime();
    /**
     * When the connection's last command ended, or its current batch of commands began
     * ({@link #beginBatch}): where the next command's time for INFO commandstats starts, so that a
     * command reads the clock once, when it ends. Written by whichever thread runs the
     * connection's command, one at a time.
     */
    private long markNanos = createdNanos;
    /** When the connection's last command ended, for CLIENT LIST's idle (read racily from other threads). */
    private volatile long lastCommandNanos = createdNanos;
    private volatile String lastCommand = "NULL";
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

    void lastCommand(String name) {
        lastCommand = name;
    }

    /** Marks the start of a batch of this connection's commands: the first one's time starts here. */
    public void beginBatch() {
        markNanos = System.nanoTime();
    }

    /** When the command now starting started: the end of the one before it, or the batch's start. */
    long started() {
        return markNanos;
    }

    /** Marks the end of the command now running and answers the time, in {@link System#nanoTime} nanoseconds. */
    long ended() {
        long now = System.nanoTime();
        markNanos = now;
        lastCommandNanos = now;
        return now;
    }

    /** This client as a line of CLIENT LIST / CLIENT INFO, with Redis's fields. */
    String describe() {
        long now = System.nanoTime();
        return "id=" + id + " addr=" + address + " laddr=" + localAddress + " fd=-1 name=" + (name == null ? "" : name)
                + " age=" + (now - createdNanos) / 1_000_000_000L + " idle=" + (now - lastCommandNanos) / 1_000_000_000L
                + " flags=N db=" + db + " sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0"
                + " rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=" + lastCommand + " user=default redir=-1 resp=2";
    }

    public Session(long id, String address, String localAddress, boolean authenticated) {
        this.id = id;
        this.address = address;
        this.localAddress = localAddress;
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
