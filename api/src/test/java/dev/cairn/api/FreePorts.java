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

    /** {@code n} distinct loopback ports, each free when this returns (held together, then released). */
    public static int[] loopback(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
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
