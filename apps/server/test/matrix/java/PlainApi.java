import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The Java client's plain API: create in every mode, getData/setData/exists/getChildren with
 * watches, multi that commits and that fails, async callbacks, and the 3.6+ calls
 * (persistent recursive watches, getEphemerals, getAllChildrenNumber).
 */
public final class PlainApi {
    static final String ROOT = "/matrix-java-plain";

    public static void main(String[] args) throws Exception {
        ZooKeeper zk = Connect.to(args[0]);
        List<String> events = Collections.synchronizedList(new ArrayList<>());

        print("create", zk.create(ROOT, bytes("v0"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        print("ephemeral", zk.create(ROOT + "/e", bytes(""), Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL));
        print("sequential", zk.create(ROOT + "/s-", bytes(""), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL));
        print("ephemeral sequential", zk.create(ROOT + "/es-", bytes(""), Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL));
        Stat created = new Stat();
        zk.create(ROOT + "/c", bytes("box"), Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER, created);
        print("container stat", created.getVersion(), created.getDataLength(), created.getEphemeralOwner());
        try {
            zk.create(ROOT, bytes(""), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException e) {
            print("create again", e.code());
        }

        CountDownLatch dataChanged = new CountDownLatch(1);
        Stat stat = new Stat();
        byte[] data = zk.getData(ROOT, event -> {
            events.add("data " + event.getType() + " " + event.getPath());
            dataChanged.countDown();
        }, stat);
        print("getData", text(data), stat.getVersion(), stat.getNumChildren());
        print("setData version", zk.setData(ROOT, bytes("v1"), 0).getVersion());
        print("data watch", dataChanged.await(10, TimeUnit.SECONDS), events);
        try {
            zk.setData(ROOT, bytes("v2"), 7);
        } catch (KeeperException e) {
            print("setData bad version", e.code());
        }
        CountDownLatch childAdded = new CountDownLatch(1);
        List<String> children = new ArrayList<>(zk.getChildren(ROOT, event -> {
            events.add("children " + event.getType() + " " + event.getPath());
            childAdded.countDown();
        }));
        Collections.sort(children);
        print("children", children);
        zk.create(ROOT + "/k", bytes(""), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        print("child watch", childAdded.await(10, TimeUnit.SECONDS));
        CountDownLatch createdLater = new CountDownLatch(1);
        print("exists missing", zk.exists(ROOT + "/later", event -> {
            events.add("exists " + event.getType() + " " + event.getPath());
            createdLater.countDown();
        }));
        zk.create(ROOT + "/later", bytes(""), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        print("exists watch", createdLater.await(10, TimeUnit.SECONDS));

        List<OpResult> results = zk.multi(List.of(
            Op.create(ROOT + "/m", bytes("m"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
            Op.setData(ROOT + "/m", bytes("m1"), 0),
            Op.check(ROOT, 1),
            Op.delete(ROOT + "/later", 0)));
        List<String> kinds = new ArrayList<>();
        for (OpResult r : results) kinds.add(r.getClass().getSimpleName() + ":" + r.getType());
        print("multi", kinds);
        try {
            zk.multi(List.of(
                Op.create(ROOT + "/never", bytes(""), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.check(ROOT, 42)));
        } catch (KeeperException e) {
            List<String> errors = new ArrayList<>();
            for (OpResult r : e.getResults()) errors.add(String.valueOf(((OpResult.ErrorResult) r).getErr()));
            print("multi failure", e.code(), errors, zk.exists(ROOT + "/never", false));
        }

        CountDownLatch asyncDone = new CountDownLatch(2);
        List<String> callbacks = Collections.synchronizedList(new ArrayList<>());
        zk.create(ROOT + "/async", bytes("a"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
            (rc, path, ctx, name) -> { callbacks.add("create " + rc + " " + name + " " + ctx); asyncDone.countDown(); }, "ctx1");
        zk.getData(ROOT + "/missing", false,
            (rc, path, ctx, bytes, s) -> { callbacks.add("getData " + rc + " " + path); asyncDone.countDown(); }, null);
        print("async", asyncDone.await(10, TimeUnit.SECONDS), callbacks);

        List<String> recursive = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch recursiveSeen = new CountDownLatch(3);
        zk.addWatch(ROOT, event -> {
            // The Java client hands connection-state changes (type None) to every watcher too.
            if (event.getType() == Watcher.Event.EventType.None) return;
            recursive.add(event.getType() + " " + event.getPath());
            recursiveSeen.countDown();
        }, AddWatchMode.PERSISTENT_RECURSIVE);
        // In the ensemble column the leader dies here: the session, its ephemerals and this
        // persistent watch must all be there on whichever member the client reaches next.
        Checkpoint.reach(zk);
        zk.create(ROOT + "/k/deep", bytes(""), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.setData(ROOT + "/k/deep", bytes("d"), -1);
        zk.delete(ROOT + "/k/deep", -1);
        print("persistent recursive watch", recursiveSeen.await(10, TimeUnit.SECONDS), recursive);
        List<String> ephemerals = new ArrayList<>(zk.getEphemerals(ROOT));
        Collections.sort(ephemerals);
        print("getEphemerals", ephemerals);
        print("getAllChildrenNumber", zk.getAllChildrenNumber(ROOT));

        zk.close();
        ZooKeeper cleaner = Connect.to(args[0]);
        List<String> left = new ArrayList<>(cleaner.getChildren(ROOT, false));
        Collections.sort(left);
        print("after close", left);
        for (String child : left) cleaner.delete(ROOT + "/" + child, -1);
        cleaner.delete(ROOT, -1);
        print("cleaned", cleaner.exists(ROOT, false));
        cleaner.close();
        print("done");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return b == null ? "null" : new String(b, StandardCharsets.UTF_8);
    }

    static void print(Object... parts) {
        StringBuilder line = new StringBuilder();
        for (Object part : parts) {
            if (line.length() > 0) line.append(' ');
            line.append(part instanceof Stat ? "stat" : String.valueOf(part));
        }
        System.out.println(line);
    }
}
