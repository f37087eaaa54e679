package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.SyncMode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lettuce connects (it tries HELLO 3, gets NOPROTO, falls back to RESP2) and runs commands. */
class LettuceTest {
    @TempDir
    Path dir;

    @Test
    void lettuceConnectsAndRunsCommands() throws Exception {
        for (String password : new String[] {null, "s3cret"}) {
            try (CairnNode node = CairnNode.start(new ServerOptions(0, "127.0.0.1", dir.resolve("d" + (password == null)),
                    SyncMode.NONE, password, 100, 2 * 1024 * 1024, 1024 * 1024))) {
                RedisURI.Builder uri = RedisURI.builder().withHost("127.0.0.1").withPort(node.port());
                if (password != null) {
                    uri.withPassword(password.toCharArray());
                }
                RedisClient client = RedisClient.create(uri.build());
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    RedisCommands<String, String> redis = connection.sync();
                    assertEquals("PONG", redis.ping());
                    assertEquals("OK", redis.set("k", "v"));
                    assertEquals("v", redis.get("k"));
                    assertEquals(3L, redis.incrby("n", 3));
                    assertEquals("OK", redis.mset(java.util.Map.of("a", "1", "b", "2")));
                    assertEquals(List.of("1", "2"), redis.mget("a", "b").stream().map(kv -> kv.getValue()).toList());
                    assertTrue(redis.expire("k", 100));
                    assertTrue(redis.ttl("k") > 90);
                    assertEquals(Long.valueOf(4), redis.dbsize());
                } finally {
                    client.shutdown();
                }
            }
        }
    }
}
