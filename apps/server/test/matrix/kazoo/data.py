# kazoo's data recipes: Counter, Queue, LockingQueue, TreeCache, DataWatch and ChildrenWatch.
import threading
import time
from kazoo.client import KazooClient
from kazoo.recipe.cache import TreeCache, TreeEvent

ROOT = "/matrix-kazoo-data"
zk = KazooClient(hosts=HOSTS, timeout=10.0)
zk.start(timeout=20)
if zk.exists(ROOT):
    zk.delete(ROOT, recursive=True)
zk.ensure_path(ROOT)

counter = zk.Counter(ROOT + "/counter")
counter += 5
counter -= 2
print("counter", counter.value, counter.pre_value, counter.post_value)
fcounter = zk.Counter(ROOT + "/fcounter", default=0.5)
fcounter += 1.25
print("float counter", fcounter.value)

queue = zk.Queue(ROOT + "/queue")
for item in (b"one", b"two", b"three"):
    queue.put(item)
queue.put(b"urgent", priority=1)
print("queue length", len(queue))
print("queue order", [queue.get() for _ in range(4)], queue.get())

lq = zk.LockingQueue(ROOT + "/lqueue")
lq.put(b"job-a")
lq.put_all([b"job-b", b"job-c"], priority=50)
print("locking queue length", len(lq))
first = lq.get(timeout=5)
print("locking get", first, "holds lock", lq.holds_lock())
print("consume", lq.consume(), "holds lock", lq.holds_lock())
print("release", lq.get(timeout=5), lq.release(), len(lq))
print("remaining", lq.get(timeout=5), lq.consume(), lq.get(timeout=5), lq.consume(), len(lq))

data_events = []
data_seen = threading.Event()
@zk.DataWatch(ROOT + "/watched")
def on_data(data, stat, event):
    data_events.append((data, stat.version if stat else None, event.type if event else None))
    data_seen.set()
zk.create(ROOT + "/watched", b"first")
def await_events(store, seen, count):
    deadline = time.time() + 10
    while len(store) < count and time.time() < deadline:
        seen.wait(0.2)
        seen.clear()
await_events(data_events, data_seen, 2)
zk.set(ROOT + "/watched", b"second")
await_events(data_events, data_seen, 3)
zk.delete(ROOT + "/watched")
await_events(data_events, data_seen, 4)
print("data watch", data_events)

child_events = []
child_seen = threading.Event()
zk.ensure_path(ROOT + "/kids")
@zk.ChildrenWatch(ROOT + "/kids")
def on_children(children):
    child_events.append(sorted(children))
    child_seen.set()
await_events(child_events, child_seen, 1)
# In the ensemble column the leader dies here, with the ChildrenWatch set.
checkpoint(zk)
# After the leader's death the session may move more than once; ChildrenWatch reads the children
# again on each reconnection, and when a connection is lost moments after it was made, the read
# it started is retried while the next reconnection's read waits, which then reports what it
# reads even if that was just reported: one state twice, on either server (kazoo sends no
# SetWatches; the server's events are one per change, ensemble-watch-reconnect.test.ts). Wait for
# each state and print the changes between them.
def await_state(store, seen, state):
    deadline = time.time() + 10
    while (not store or store[-1] != state) and time.time() < deadline:
        seen.wait(0.2)
        seen.clear()
zk.create(ROOT + "/kids/x")
await_state(child_events, child_seen, ["x"])
zk.create(ROOT + "/kids/y")
await_state(child_events, child_seen, ["x", "y"])
zk.delete(ROOT + "/kids/x")
await_state(child_events, child_seen, ["y"])
print("children watch", [s for i, s in enumerate(child_events) if i == 0 or s != child_events[i - 1]])

tree_events = []
tree_seen = threading.Event()
cache = TreeCache(zk, ROOT + "/tree")
zk.create(ROOT + "/tree/a", b"1", makepath=True)
def on_tree(event):
    path = event.event_data.path if event.event_data else None
    tree_events.append((event.event_type, path))
    tree_seen.set()
cache.listen(on_tree)
cache.start()
def await_tree(kind, path):
    deadline = time.time() + 10
    while (kind, path) not in tree_events and time.time() < deadline:
        tree_seen.wait(0.2)
        tree_seen.clear()
await_tree(TreeEvent.INITIALIZED, None)
zk.create(ROOT + "/tree/a/b", b"2")
await_tree(TreeEvent.NODE_ADDED, ROOT + "/tree/a/b")
zk.set(ROOT + "/tree/a", b"3")
await_tree(TreeEvent.NODE_UPDATED, ROOT + "/tree/a")
zk.delete(ROOT + "/tree/a/b")
await_tree(TreeEvent.NODE_REMOVED, ROOT + "/tree/a/b")
print("tree events", sorted(set(tree_events), key=repr))
print("tree data", cache.get_data(ROOT + "/tree/a").data, sorted(cache.get_children(ROOT + "/tree")))
cache.close()

zk.delete(ROOT, recursive=True)
print("cleaned", zk.exists(ROOT))
zk.stop()
zk.close()
print("done")
