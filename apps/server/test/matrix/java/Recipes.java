import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.recipes.leader.LeaderElectionSupport;
import org.apache.zookeeper.recipes.lock.LockListener;
import org.apache.zookeeper.recipes.lock.WriteLock;
import org.apache.zookeeper.recipes.queue.DistributedQueue;

/**
 * ZooKeeper's own recipe jars (zookeeper-recipes-lock, -election, -queue, as Debian packages
 * them) with two sessions each: a lock handed over, a leader elected then replaced, a queue
 * filled and drained.
 */
public final class Recipes {
    static final String ROOT = "/matrix-java-recipes";

    public static void main(String[] args) throws Exception {
        ZooKeeper a = Connect.to(args[0]);
        ZooKeeper b = Connect.to(args[0]);
        a.create(ROOT, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        WriteLock lockA = new WriteLock(a, ROOT + "/lock", Ids.OPEN_ACL_UNSAFE);
        CountDownLatch bAcquired = new CountDownLatch(1);
        WriteLock lockB = new WriteLock(b, ROOT + "/lock", Ids.OPEN_ACL_UNSAFE, new LockListener() {
            public void lockAcquired() { bAcquired.countDown(); }
            public void lockReleased() {}
        });
        print("lock a", lockA.lock(), lockA.isOwner());
        // In the ensemble column the leader dies here, while a holds the lock: its ephemeral
        // lock node must outlive the failover for b to queue behind it. (Not later, while b's
        // LockWatcher waits: the recipe calls lock() again for every connection-state event it
        // is handed, and a spare watcher firing after b's unlock() makes a new lock node, on
        // either server, depending only on timing.)
        Checkpoint.reach(a, b);
        print("lock b waits", lockB.lock(), lockB.isOwner());
        lockA.unlock();
        print("lock b after a unlocks", bAcquired.await(10, TimeUnit.SECONDS), lockB.isOwner());
        lockB.unlock();
        Checkpoint.catchUp(a, ROOT + "/lock");
        print("lock nodes left", a.getChildren(ROOT + "/lock", false));

        a.create(ROOT + "/election", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        LeaderElectionSupport first = election(a, "host-a");
        LeaderElectionSupport second = election(b, "host-b");
        CountDownLatch firstReady = new CountDownLatch(1);
        CountDownLatch secondElected = new CountDownLatch(1);
        List<String> firstEvents = Collections.synchronizedList(new ArrayList<>());
        List<String> secondEvents = Collections.synchronizedList(new ArrayList<>());
        first.addListener(event -> {
            firstEvents.add(event.name());
            if (event == LeaderElectionSupport.EventType.ELECTED_COMPLETE) firstReady.countDown();
        });
        second.addListener(event -> {
            secondEvents.add(event.name());
            if (event == LeaderElectionSupport.EventType.ELECTED_COMPLETE) secondElected.countDown();
        });
        first.start();
        print("first elected", firstReady.await(10, TimeUnit.SECONDS));
        second.start();
        print("leader", second.getLeaderHostName());
        first.stop();
        print("second elected after first stops", secondElected.await(10, TimeUnit.SECONDS), second.getLeaderHostName());
        second.stop();
        print("first events", firstEvents);
        print("second events", secondEvents);

        DistributedQueue producer = new DistributedQueue(a, ROOT + "/queue", Ids.OPEN_ACL_UNSAFE);
        DistributedQueue consumer = new DistributedQueue(b, ROOT + "/queue", Ids.OPEN_ACL_UNSAFE);
        try {
            consumer.remove();
        } catch (NoSuchElementException e) {
            print("remove from empty", "NoSuchElementException");
        }
        print("poll empty", consumer.poll());
        for (String item : List.of("one", "two", "three")) producer.offer(bytes(item));
        Checkpoint.catchUp(b, ROOT + "/queue");
        print("peek", text(consumer.peek()));
        print("take", text(consumer.take()), text(consumer.remove()), text(consumer.poll()), consumer.poll());
        CountDownLatch taken = new CountDownLatch(1);
        List<String> got = new ArrayList<>();
        Thread taker = new Thread(() -> {
            try {
                got.add(text(consumer.take()));
                taken.countDown();
            } catch (Exception e) {
                got.add(e.toString());
            }
        });
        taker.start();
        Thread.sleep(300);
        producer.offer(bytes("late"));
        print("blocking take", taken.await(10, TimeUnit.SECONDS), got);

        for (String dir : List.of("/queue", "/election", "/lock")) {
            for (String child : a.getChildren(ROOT + dir, false)) a.delete(ROOT + dir + "/" + child, -1);
            a.delete(ROOT + dir, -1);
        }
        a.delete(ROOT, -1);
        print("cleaned", a.exists(ROOT, false));
        b.close();
        a.close();
        print("done");
    }

    static LeaderElectionSupport election(ZooKeeper zk, String host) {
        LeaderElectionSupport election = new LeaderElectionSupport();
        election.setZooKeeper(zk);
        election.setRootNodeName(ROOT + "/election");
        election.setHostName(host);
        return election;
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
            line.append(String.valueOf(part));
        }
        System.out.println(line);
    }
}
