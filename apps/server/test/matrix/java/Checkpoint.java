import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ensemble column's pause in the middle of a program: with MATRIX_CHECKPOINT set, print
 * "checkpoint", wait until the harness (having killed the leader and seen a new one serve)
 * creates that file, then until every given session is connected again, because a call made
 * while the client is still reconnecting fails with ConnectionLoss, which is timing, not
 * server behaviour. Without the variable (standalone column) it does nothing.
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
        for (ZooKeeper zk : sessions) {
            while (!zk.getState().isConnected()) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("session not connected again: " + zk.getState());
                Thread.sleep(50);
            }
        }
    }
}
