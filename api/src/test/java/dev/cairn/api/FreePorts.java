package dev.cairn.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** For tests that start servers or cluster members on loopback: ports free at the moment of the call. */
public final class FreePorts {
    private FreePorts() {
    }

    /**
     * {@code n} distinct loopback ports, each free when this returns (held together, then
     * released), chosen below Linux's ephemeral range (32768 and up): a port the kernel handed out
     * for this call is one it may hand out again to any outgoing connection before the test binds
     * it (a cluster node then failed to start: "No available port to bind to").
     */
    public static int[] loopback(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        java.util.Random rnd = new java.util.Random();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = null;
                for (int attempt = 0; attempt < 200 && s == null; attempt++) {
                    try {
                        s = new ServerSocket(15_000 + rnd.nextInt(17_000), 1, InetAddress.getLoopbackAddress());
                    } catch (IOException taken) {
                        // another one
                    }
                }
                if (s == null) {
                    s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                }
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }
}
