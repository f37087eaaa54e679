package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.SyncMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

/** Every supported command through Jedis, against a live node on a loopback port. */
class JedisCommandsTest {
    @TempDir
    Path dir;
    private CairnNode node;
    private Jedis jedis;

    static ServerOptions options(Path dir, String password) {
        return new ServerOptions(0, "127.0.0.1", dir, SyncMode.NONE, password, 100, 2 * 1024 * 1024, 1024 * 1024);
    }

    @BeforeEach
    void start() throws Exception {
        node = CairnNode.start(options(dir.resolve("data"), null));
        jedis = new Jedis("127.0.0.1", node.port());
    }

    @AfterEach
    void stop() {
        jedis.close();
        node.close();
    }

    private Object raw(String command, String... args) {
        return jedis.sendCommand(() -> SafeEncoder.encode(command), args);
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    @Test
    void pingEchoSelect() {
        assertEquals("PONG", jedis.ping());
        assertEquals("hi", jedis.ping("hi"));
        assertEquals("echo me", jedis.echo("echo me"));
        assertEquals("OK", jedis.select(0));
        jedis.set("where", "db0");
        assertEquals("OK", jedis.select(15));
        assertNull(jedis.get("where"), "database 15 is another keyspace");
        jedis.set("where", "db15");
        assertEquals("OK", jedis.select(0));
        assertEquals("db0", jedis.get("where"));
        JedisDataException e = assertThrows(JedisDataException.class, () -> jedis.select(16));
        assertEquals("ERR DB index is out of range", e.getMessage());
    }

    @Test
    void getSetAndItsOptions() {
        assertNull(jedis.get("k"));
        assertEquals("OK", jedis.set("k", "v"));
        assertEquals("v", jedis.get("k"));
        assertNull(jedis.set("k", "other", SetParams.setParams().nx()));
        assertEquals("OK", jedis.set("k", "v2", SetParams.setParams().xx()));
        assertNull(jedis.set("absent", "x", SetParams.setParams().xx()));
        assertFalse(jedis.exists("absent"));
        assertEquals("v2", jedis.setGet("k", "v3"));
        assertNull(jedis.setGet("fresh", "f"));
        assertEquals("f", jedis.get("fresh"));

        jedis.set("ex", "v", SetParams.setParams().ex(100));
        assertTrue(jedis.ttl("ex") > 95 && jedis.ttl("ex") <= 100);
        jedis.set("px", "v", SetParams.setParams().px(100_000));
        assertTrue(jedis.pttl("px") > 95_000);
        long inAMinute = System.currentTimeMillis() / 1000 + 60;
        jedis.set("exat", "v", SetParams.setParams().exAt(inAMinute));
        assertTrue(jedis.ttl("exat") > 50);
        jedis.set("pxat", "v", SetParams.setParams().pxAt(inAMinute * 1000));
        assertTrue(jedis.pttl("pxat") > 50_000);
        jedis.set("ex", "new", SetParams.setParams().keepTtl());
        assertEquals("new", jedis.get("ex"));
        assertTrue(jedis.ttl("ex") > 90, "KEEPTTL kept the expiry");
        jedis.set("ex", "plain");
        assertEquals(-1, jedis.ttl("ex"), "a plain SET clears the expiry");

        JedisDataException syntax = assertThrows(JedisDataException.class, () -> raw("SET", "k", "v", "NX", "XX"));
        assertEquals("ERR syntax error", syntax.getMessage());
        JedisDataException badExpire = assertThrows(JedisDataException.class, () -> raw("SET", "k", "v", "EX", "0"));
        assertEquals("ERR invalid expire time in 'set' command", badExpire.getMessage());
        JedisDataException notInt = assertThrows(JedisDataException.class, () -> raw("SET", "k", "v", "EX", "soon"));
        assertEquals("ERR value is not an integer or out of range", notInt.getMessage());
    }

    @Test
    void setexAndPsetex() {
        assertEquals("OK", jedis.setex("a", 100, "v"));
        assertTrue(jedis.ttl("a") > 95);
        assertEquals("OK", jedis.psetex("b", 100_000, "v"));
        assertTrue(jedis.pttl("b") > 95_000);
        JedisDataException bad = assertThrows(JedisDataException.class, () -> jedis.setex("c", 0, "v"));
        assertEquals("ERR invalid expire time in 'setex' command", bad.getMessage());
    }

    @Test
    void setnxGetdelGetexAppendStrlen() {
        assertEquals(1, jedis.setnx("n", "1"));
        assertEquals(0, jedis.setnx("n", "2"));
        assertEquals("1", jedis.getDel("n"));
        assertNull(jedis.getDel("n"));
        jedis.set("g", "v");
        assertEquals("v", jedis.getEx("g", GetExParams.getExParams().ex(50)));
        assertTrue(jedis.ttl("g") > 40);
        assertEquals("v", jedis.getEx("g", GetExParams.getExParams().persist()));
        assertEquals(-1, jedis.ttl("g"));
        assertEquals("v", jedis.getEx("g", GetExParams.getExParams().px(50_000)));
        assertNull(jedis.getEx("nothing", GetExParams.getExParams().ex(5)));
        assertEquals(5, jedis.append("a", "hello"));
        assertEquals(11, jedis.append("a", " world"));
        assertEquals("hello world", jedis.get("a"));
        assertEquals(11, jedis.strlen("a"));
        assertEquals(0, jedis.strlen("nothing"));
    }

    @Test
    void countersAndTheirErrors() {
        assertEquals(1, jedis.incr("c"));
        assertEquals(0, jedis.decr("c"));
        assertEquals(10, jedis.incrBy("c", 10));
        assertEquals(7, jedis.decrBy("c", 3));
        jedis.set("text", "abc");
        JedisDataException nan = assertThrows(JedisDataException.class, () -> jedis.incr("text"));
        assertEquals("ERR value is not an integer or out of range", nan.getMessage());
        jedis.set("max", Long.toString(Long.MAX_VALUE));
        JedisDataException overflow = assertThrows(JedisDataException.class, () -> jedis.incr("max"));
        assertEquals("ERR increment or decrement would overflow", overflow.getMessage());
        assertEquals(Long.toString(Long.MAX_VALUE), jedis.get("max"));
    }

    @Test
    void multiKeyCommands() {
        assertEquals("OK", jedis.mset("a", "1", "b", "2"));
        assertEquals(List.of("1", "2"), jedis.mget("a", "b"));
        List<String> withMissing = jedis.mget("a", "nope", "b");
        assertEquals("1", withMissing.get(0));
        assertNull(withMissing.get(1));
        assertEquals(0, jedis.msetnx("a", "x", "c", "3"));
        assertFalse(jedis.exists("c"), "MSETNX wrote nothing because a existed");
        assertEquals(1, jedis.msetnx("c", "3", "d", "4"));
        assertEquals(2, jedis.exists("a", "b"));
        assertEquals(3, jedis.exists("a", "a", "c"));
        assertEquals(2, jedis.del("a", "b", "zzz"));
        assertEquals(1, jedis.unlink("c"));
        JedisDataException odd = assertThrows(JedisDataException.class, () -> raw("MSET", "a", "1", "b"));
        assertEquals("ERR wrong number of arguments for 'mset' command", odd.getMessage());
    }

    @Test
    void expiryFamily() {
        jedis.set("k", "v");
        assertEquals(-1, jedis.ttl("k"));
        assertEquals(-2, jedis.ttl("nothing"));
        assertEquals(-2, jedis.pttl("nothing"));
        assertEquals(1, jedis.expire("k", 100));
        assertTrue(jedis.ttl("k") >= 99);
        assertEquals(1, jedis.pexpire("k", 200_000));
        assertTrue(jedis.pttl("k") > 150_000);
        assertEquals(1, jedis.expireAt("k", System.currentTimeMillis() / 1000 + 300));
        assertTrue(jedis.ttl("k") > 250);
        assertEquals(1, jedis.pexpireAt("k", System.currentTimeMillis() + 400_000));
        assertTrue(jedis.ttl("k") > 350);
        assertEquals(1, jedis.persist("k"));
        assertEquals(0, jedis.persist("k"));
        assertEquals(-1, jedis.ttl("k"));
        assertEquals(0, jedis.expire("nothing", 10));
        assertEquals(1, jedis.pexpire("k", 1));
        long deadline = System.currentTimeMillis() + 5_000;
        while (jedis.exists("k") && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertNull(jedis.get("k"), "expired after 1 ms");
        jedis.set("gone", "v");
        assertEquals(1, jedis.expireAt("gone", 1));
        assertFalse(jedis.exists("gone"), "an instant in the past deletes");
    }

    @Test
    void scanKeysDbsizeType() {
        Set<String> written = new HashSet<>();
        for (int i = 0; i < 250; i++) {
            jedis.set("user:" + i, "v");
            written.add("user:" + i);
        }
        jedis.set("other", "v");
        Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int rounds = 0;
        do {
            ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("user:*").count(40));
            seen.addAll(page.getResult());
            cursor = page.getCursor();
            rounds++;
        } while (!cursor.equals("0"));
        assertEquals(written, seen);
        assertTrue(rounds > 1, "paged");
        assertEquals(Set.of("user:100", "user:110", "user:120", "user:130", "user:140", "user:150", "user:160",
                "user:170", "user:180", "user:190"), jedis.keys("user:1?0"));
        assertEquals(Set.of("user:10", "user:100", "user:101", "user:102", "user:103", "user:104", "user:105",
                "user:106", "user:107", "user:108", "user:109"), jedis.keys("user:10*"));
        assertEquals(Set.of("user:1", "user:2"), jedis.keys("user:[12]"));
        assertEquals(Set.of("other"), jedis.keys("o?her"));
        assertEquals(251, jedis.dbSize());
        assertEquals("string", jedis.type("other"));
        assertEquals("none", jedis.type("nothing"));
        JedisDataException badCursor = assertThrows(JedisDataException.class, () -> jedis.scan("987654321"));
        assertEquals("ERR invalid cursor", badCursor.getMessage());
    }

    @Test
    void clientHelloCommandConfigInfo() {
        assertEquals("OK", jedis.clientSetname("me"));
        assertEquals("me", jedis.clientGetname());
        assertTrue(jedis.clientId() > 0);
        assertEquals("OK", text(raw("CLIENT", "SETINFO", "lib-name", "jedis")));
        List<?> hello = (List<?>) raw("HELLO", "2");
        assertEquals("server", text(hello.get(0)));
        assertEquals("redis", text(hello.get(1)));
        JedisDataException resp3 = assertThrows(JedisDataException.class, () -> raw("HELLO", "3"));
        assertEquals("NOPROTO sorry, this protocol version is not supported.", resp3.getMessage());
        List<?> commands = (List<?>) raw("COMMAND");
        assertEquals(raw("COMMAND", "COUNT"), (long) commands.size(), "COMMAND lists every command COUNT counts");
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Object c : commands) {
            names.add(new String((byte[]) ((List<?>) c).get(0), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertTrue(names.containsAll(List.of("get", "set", "incrbyfloat", "lcs", "setrange", "bitpos", "copy", "flushall",
                "object", "time")), names.toString());
        assertEquals((long) commands.size(), raw("COMMAND", "COUNT"));
        List<?> docs = (List<?>) raw("COMMAND", "DOCS");
        assertTrue(docs.isEmpty());
        assertEquals(List.of("appendonly", "no"), jedis.configGet("appendonly").entrySet().stream()
                .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toList());
        assertTrue(jedis.configGet("save").containsKey("save"));
        jedis.set("k", "v");
        String info = jedis.info();
        assertTrue(info.contains("redis_version:"));
        assertTrue(info.contains("cairn_version:"));
        assertTrue(info.contains("connected_clients:1"));
        assertTrue(info.contains("db0:keys=1"));
        assertTrue(jedis.info("server").startsWith("# Server"));
    }

    /** INFO commandstats counts each call once: in any database, in a pipeline's batch, refused and failed apart. */
    @Test
    void commandstatsCountEveryCallOnce() {
        jedis.set("k", "v");
        jedis.select(1);
        jedis.set("k", "v");
        jedis.select(0);
        assertThrows(JedisDataException.class, () -> raw("GET"));
        jedis.set("n", "abc");
        assertThrows(JedisDataException.class, () -> jedis.incr("n"));
        try (redis.clients.jedis.Pipeline p = jedis.pipelined()) {
            for (int i = 0; i < 10; i++) {
                p.set("p" + i, "v");
            }
            p.incr("c");
            p.incr("c");
            p.sync();
        }
        java.util.Map<String, java.util.Map<String, String>> stats = new java.util.HashMap<>();
        long beforeLast = System.nanoTime(); // the INFO below is the last command before CLIENT INFO
        for (String line : jedis.info("commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_")) {
                java.util.Map<String, String> fields = new java.util.HashMap<>();
                for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                    fields.put(field.substring(0, field.indexOf('=')), field.substring(field.indexOf('=') + 1));
                }
                stats.put(line.substring("cmdstat_".length(), line.indexOf(':')), fields);
            }
        }
        assertEquals("13", stats.get("set").get("calls"), stats.toString());
        assertEquals("0", stats.get("set").get("failed_calls"));
        assertEquals("3", stats.get("incr").get("calls"));
        assertEquals("1", stats.get("incr").get("failed_calls"));
        assertEquals("0", stats.get("get").get("calls"));
        assertEquals("1", stats.get("get").get("rejected_calls"));
        for (java.util.Map<String, String> fields : stats.values()) {
            assertTrue(Long.parseLong(fields.get("usec")) >= 0, fields.toString());
        }
        String client = text(raw("CLIENT", "INFO"));
        long idle = Long.parseLong(client.replaceAll("(?s).* idle=(\\d+) .*", "$1"));
        // idle counts from the end of that INFO: at most the seconds since it was sent, however slow the machine
        assertTrue(idle <= (System.nanoTime() - beforeLast) / 1_000_000_000L, client);
    }

    @Test
    void unknownCommandsAndWrongArityGetRedisErrorsAndTheConnectionLives() {
        JedisDataException unknown = assertThrows(JedisDataException.class, () -> raw("FROB", "a", "b"));
        assertEquals("ERR unknown command 'FROB', with args beginning with: 'a' 'b' ", unknown.getMessage());
        JedisDataException arity = assertThrows(JedisDataException.class, () -> raw("GET"));
        assertEquals("ERR wrong number of arguments for 'get' command", arity.getMessage());
        assertEquals("PONG", jedis.ping());
    }

    @Test
    void valuesOverTheStoreLimitAreRefused() {
        byte[] big = new byte[1024 * 1024 + 1];
        JedisDataException e = assertThrows(JedisDataException.class, () -> jedis.set("big".getBytes(), big));
        assertEquals("ERR string exceeds maximum allowed size (proto-max-bulk-len)", e.getMessage());
        byte[] ok = new byte[1024 * 1024];
        assertEquals("OK", jedis.set("ok".getBytes(), ok));
        assertEquals(ok.length, jedis.get("ok".getBytes()).length);
    }

    @Test
    void authQuitAndNoauth() throws Exception {
        try (CairnNode secured = CairnNode.start(options(dir.resolve("secured"), "s3cret"));
             Jedis client = new Jedis("127.0.0.1", secured.port())) {
            JedisDataException noauth = assertThrows(JedisDataException.class, () -> client.get("k"));
            assertEquals("NOAUTH Authentication required.", noauth.getMessage());
            JedisDataException wrong = assertThrows(JedisDataException.class, () -> client.auth("nope"));
            assertTrue(wrong.getMessage().startsWith("WRONGPASS"));
            assertEquals("OK", client.auth("s3cret"));
            assertEquals("OK", client.set("k", "v"));
            assertEquals("OK", text(client.sendCommand(() -> SafeEncoder.encode("QUIT"))));
        }
        JedisDataException noPassword = assertThrows(JedisDataException.class, () -> jedis.auth("x"));
        assertTrue(noPassword.getMessage().startsWith("ERR AUTH <password> called without any password configured"));
    }

    @Test
    void pipelinedRepliesComeBackInOrder() {
        var pipeline = jedis.pipelined();
        List<redis.clients.jedis.Response<String>> responses = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            pipeline.set("p" + i, "v" + i);
            responses.add(pipeline.get("p" + i));
        }
        pipeline.sync();
        for (int i = 0; i < 500; i++) {
            assertEquals("v" + i, responses.get(i).get());
        }
    }
}
