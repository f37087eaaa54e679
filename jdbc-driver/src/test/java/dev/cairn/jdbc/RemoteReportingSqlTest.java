package dev.cairn.jdbc;

import dev.cairn.server.CairnNode;
import dev.cairn.server.ServerOptions;
import dev.cairn.storage.SyncMode;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;

/**
 * The same queries through the remote driver, against a live cairn-server: the SQL engine runs in
 * the client and reads pages with {@code CAIRN.SCANRANGE}.
 */
class RemoteReportingSqlTest extends ReportingSqlTest {
    private CairnNode node;

    @Override
    String url() throws Exception {
        node = CairnNode.start(new ServerOptions(0, "127.0.0.1", Files.createTempDirectory("cairn-reporting"), SyncMode.NONE,
                null, 100, 2 * 1024 * 1024, 1024 * 1024, true));
        return "jdbc:cairn://127.0.0.1:" + node.port();
    }

    @AfterAll
    void stopServer() {
        if (node != null) {
            node.close();
        }
    }
}
