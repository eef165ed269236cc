import java.io.FileWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * A steady writer for the migration rehearsal: creates sequential znodes under
 * /migration/java every 20 ms until the file "stop" appears in the work directory, writing
 * each acknowledged one with its time to java-acks.txt. Connection losses are retried; the
 * session must live throughout.
 */
public class MigrationLoad {
    public static void main(String[] args) throws Exception {
        String connectString = args[0];
        Path work = Paths.get(args[1]);
        List<String> states = Collections.synchronizedList(new ArrayList<>());
        Watcher watcher = (WatchedEvent event) -> {
            if (event.getType() == Watcher.Event.EventType.None) states.add(event.getState().toString());
        };
        ZooKeeper zk = new ZooKeeper(connectString, 10000, watcher);
        for (int i = 0; i < 600 && !zk.getState().isConnected(); i++) Thread.sleep(50);
        long session = zk.getSessionId();
        for (String path : new String[] {"/migration", "/migration/java"}) {
            try {
                zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException e) {
                // Made by the other writer.
            }
        }
        int acked = 0;
        int losses = 0;
        try (PrintWriter acks = new PrintWriter(new FileWriter(work.resolve("java-acks.txt").toFile()), true)) {
            while (!Files.exists(work.resolve("stop"))) {
                try {
                    String created = zk.create("/migration/java/w-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
                    acks.println(System.currentTimeMillis() + " " + created);
                    acked++;
                } catch (KeeperException.ConnectionLossException e) {
                    losses++;
                    Thread.sleep(50);
                } catch (KeeperException.SessionExpiredException e) {
                    System.out.println("java session expired");
                    break;
                }
                Thread.sleep(20);
            }
        }
        System.out.println("java acked " + acked + " connection losses " + losses + " same session " + (zk.getSessionId() == session) + " states " + String.join(",", states));
        zk.close();
        System.out.println("done");
    }
}
