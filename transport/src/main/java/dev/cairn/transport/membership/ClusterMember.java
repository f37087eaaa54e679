package dev.cairn.transport.membership;

import dev.cairn.transport.placement.Placement;
import dev.cairn.transport.placement.SegmentTable;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership in a cluster: a JGroups channel on one of the shipped stacks, named
 * by the member's stable name, and the current view as a list of member names in the order
 * JGroups gives (the coordinator first). Placement is computed from the names alone, so every
 * member that sees the same view computes the same {@link SegmentTable}.
 *
 * <p>View listeners run on JGroups' view-delivery thread, one view at a time, in view order.
 */
public final class ClusterMember implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterMember.class);

    private final ClusterConfig config;
    private final JChannel channel;
    private final org.jgroups.blocks.MessageDispatcher dispatcher;
    private volatile org.jgroups.blocks.RequestHandler requests = msg -> {
        throw new IllegalStateException("no request handler on this member yet");
    };
    private volatile java.util.Map<String, Address> addresses = java.util.Map.of();
    private final List<Consumer<List<String>>> viewListeners = new CopyOnWriteArrayList<>();
    private volatile List<String> members = List.of();
    private volatile long viewId;

    private ClusterMember(ClusterConfig config) throws Exception {
        this.config = config;
        channel = new JChannel(new ByteArrayInputStream(config.stackXml().getBytes(StandardCharsets.UTF_8)));
        channel.name(config.memberName());
        dispatcher = new org.jgroups.blocks.MessageDispatcher(channel, new org.jgroups.blocks.RequestHandler() {
            @Override
            public Object handle(Message msg) throws Exception {
                return route(msg);
            }

            @Override
            public void handle(Message msg, org.jgroups.blocks.Response response) {
                handleApart(msg, response);
            }
        }).setReceiver(new Receiver() {
            @Override
            public void viewAccepted(View view) {
                accept(view);
            }
        });
        dispatcher.asyncDispatching(true);
    }

    /**
     * Runs requests on threads of their own, never on the JGroups thread that delivered them: a
     * handler may wait on other members (a primary replicating), and JGroups delivers a batch of
     * messages on one thread, one after another — a reply this handler waits for could sit in the
     * same batch behind it. Two members each waiting, on a batch's thread, for the other's reply
     * stalled both until the replication timeout.
     */
    private final java.util.concurrent.ThreadPoolExecutor handlers = new java.util.concurrent.ThreadPoolExecutor(0, 512,
            30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "cairn-request");
                t.setDaemon(true);
                return t;
            }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());

    private void handleApart(Message msg, org.jgroups.blocks.Response response) {
        handlers.execute(() -> {
            Object reply;
            try {
                reply = route(msg);
            } catch (Throwable e) {
                if (response != null) {
                    response.send(e, true);
                }
                return;
            }
            if (response != null) {
                response.send(reply, false);
            }
        });
    }

    /**
     * The first byte of a request for the topology layer (Raft housekeeping) rather than for the
     * handler set with {@link #handleRequests}; the replicas' operations start with small numbers.
     */
    public static final byte TOPOLOGY_REQUEST = 0x70;

    private volatile org.jgroups.blocks.RequestHandler topologyRequests = msg -> null;

    private Object route(Message msg) throws Exception {
        if (msg.hasArray() && msg.getLength() > 0 && msg.getArray()[msg.getOffset()] == TOPOLOGY_REQUEST) {
            return topologyRequests.handle(msg);
        }
        return requests.handle(msg);
    }

    /** Sets what answers requests that start with {@link #TOPOLOGY_REQUEST}. */
    public void handleTopologyRequests(org.jgroups.blocks.RequestHandler handler) {
        this.topologyRequests = Objects.requireNonNull(handler, "handler");
    }

    /** Creates the channel and joins (or founds) the cluster; returns once this member is in a view. */
    public static ClusterMember join(ClusterConfig config) throws Exception {
        return join(config, m -> { });
    }

    /**
     * As {@link #join(ClusterConfig)}, calling {@code beforeConnect} with the member first (to attach
     * what must see the channel from its start, such as the Raft state machine).
     */
    public static ClusterMember join(ClusterConfig config, Consumer<ClusterMember> beforeConnect) throws Exception {
        Objects.requireNonNull(config, "config");
        ClusterMember m = new ClusterMember(config);
        try {
            beforeConnect.accept(m);
            m.channel.connect(config.clusterName());
        } catch (Exception e) {
            try {
                // a connect that failed half-way (a protocol refused to start) leaves the lower ones
                // started, the transport's port bound: stop them, or no later join can bind it
                m.channel.getProtocolStack().stopStack(config.clusterName());
            } catch (Exception ignored) {
                // closing below matters more
            }
            m.channel.close();
            throw e;
        }
        m.accept(m.channel.getView());
        return m;
    }

    private synchronized void accept(View view) {
        if (view == null || view.getViewId().getId() < viewId) {
            return;
        }
        List<String> names = new ArrayList<>();
        java.util.Map<String, Address> byName = new java.util.HashMap<>();
        for (Address a : view.getMembers()) {
            names.add(nameOf(a));
            byName.put(nameOf(a), a);
        }
        addresses = java.util.Map.copyOf(byName);
        if (view.getViewId().getId() == viewId && names.equals(members)) {
            return;
        }
        viewId = view.getViewId().getId();
        members = List.copyOf(names);
        log.info("{}: view {} {}", config.memberName(), viewId, members);
        for (Consumer<List<String>> l : viewListeners) {
            l.accept(members);
        }
    }

    private static String nameOf(Address a) {
        String name = NameCache.get(a);
        return name != null ? name : a.toString();
    }

    public String name() {
        return config.memberName();
    }

    public ClusterConfig config() {
        return config;
    }

    /** The members of the current view, by name, coordinator first. */
    public List<String> members() {
        return members;
    }

    /** The owners of every segment among the current view's members. */
    public SegmentTable placement(int segments, int owners) {
        return Placement.compute(members, segments, owners);
    }

    /** Calls {@code listener} with the members of every later view. */
    public void onView(Consumer<List<String>> listener) {
        viewListeners.add(listener);
    }

    /** The address of member {@code name} in the current view, or null when it is not in it. */
    public Address addressOf(String name) {
        return addresses.get(name);
    }

    /** Request/response messaging with the other members: the layers above set the handler of requests. */
    public org.jgroups.blocks.MessageDispatcher dispatcher() {
        return dispatcher;
    }

    /** Sets what answers other members' requests (one handler per member). */
    public void handleRequests(org.jgroups.blocks.RequestHandler handler) {
        this.requests = Objects.requireNonNull(handler, "handler");
    }

    /** The channel, for the layers built on it (replication, transfer). */
    public JChannel channel() {
        return channel;
    }

    /** Leaves the cluster gracefully (the others install a view without this member at once) and closes the channel. */
    @Override
    public void close() {
        handlers.shutdown();
        dispatcher.stop();
        channel.close();
    }
}
