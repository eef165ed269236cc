// Drives the Java client of Apache ZooKeeper 3.8 through the recording proxy, for the requests
// neither kazoo nor zkCli send: multiRead (a multi of read operations), a multi creating TTL and
// container nodes, and checkWatches (removing one specific watcher).
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class GoldenJavaDriver {
  public static void main(String[] args) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(args[0], 10000, event -> {
      if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
    });
    if (!connected.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected");
    String root = "/golden-java";
    zk.create(root, bytes("r"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    zk.create(root + "/a", bytes("a"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    print("multiRead", zk.multi(Arrays.asList(Op.getData(root + "/a"), Op.getChildren(root))));
    try {
      print("multiRead with a missing node", zk.multi(Arrays.asList(Op.getChildren(root), Op.getData(root + "/missing"))));
    } catch (KeeperException e) {
      System.out.println("multiRead with a missing node: " + e.code());
    }
    print("multi", zk.multi(Arrays.asList(
        Op.create(root + "/m-ttl", bytes("t"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 60000),
        Op.create(root + "/m-container", bytes("c"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER),
        Op.create(root + "/m-seq-", bytes("s"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL),
        Op.check(root + "/a", 0),
        Op.setData(root + "/a", bytes("a2"), 0),
        Op.delete(root + "/m-seq-0000000003", -1))));
    Watcher dataWatcher = event -> System.out.println("event " + event.getType() + " " + event.getPath());
    zk.getData(root + "/a", dataWatcher, null);
    zk.removeWatches(root + "/a", dataWatcher, Watcher.WatcherType.Data, false);
    System.out.println("removed one watcher");
    zk.close();
    System.out.println("closed");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void print(String what, List<OpResult> results) {
    StringBuilder line = new StringBuilder(what).append(":");
    for (OpResult r : results) line.append(' ').append(r.getClass().getSimpleName());
    System.out.println(line);
  }
}
