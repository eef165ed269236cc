import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ensemble column's pause in the middle of a program: with MATRIX_CHECKPOINT set, print
 * "checkpoint", wait until the harness (having killed the leader and seen a new one serve)
 * creates that file, then until every given session answers again, because a call made while
 * the client is still reconnecting fails with ConnectionLoss, which is timing, not server
 * behaviour. Without the variable (standalone column) it does nothing.
 */
final class Checkpoint {
    private Checkpoint() {}

    static void reach(ZooKeeper... sessions) throws Exception {
        String file = System.getenv("MATRIX_CHECKPOINT");
        if (file == null) return;
        System.out.println("checkpoint");
        System.out.flush();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(Path.of(file))) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no release from the checkpoint within 60 s");
            Thread.sleep(50);
        }
        // getState() is no proof: after losing its server the client keeps reporting CONNECTED
        // through the random pause (up to 1 s) before its next attempt. A read that comes back is.
        for (ZooKeeper zk : sessions) {
            while (true) {
                try {
                    zk.exists("/", false);
                    break;
                } catch (KeeperException.ConnectionLossException e) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("session not connected again within 60 s");
                    Thread.sleep(50);
                }
            }
        }
    }

    /**
     * Brings the member `zk` is connected to up to date with the leader before a read of what
     * another session wrote: in an ensemble a follower may not have applied it yet, as
     * ZooKeeper's consistency guarantees allow (a standalone server always has).
     */
    static void catchUp(ZooKeeper zk, String path) throws Exception {
        CountDownLatch synced = new CountDownLatch(1);
        zk.sync(path, (rc, p, ctx) -> synced.countDown(), null);
        if (!synced.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("sync did not complete within 20 s");
    }
}
