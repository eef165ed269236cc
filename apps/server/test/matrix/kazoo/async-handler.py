# kazoo with a cooperative handler (HANDLER names gevent or eventlet): async calls, a watch
# delivered on the handler's greenlets, a lock and a transaction.
if HANDLER == "gevent":
    import gevent.monkey
    gevent.monkey.patch_all()
    from kazoo.handlers.gevent import SequentialGeventHandler as Handler
else:
    import eventlet
    eventlet.monkey_patch()
    from kazoo.handlers.eventlet import SequentialEventletHandler as Handler
from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError

ROOT = "/matrix-kazoo-" + HANDLER
handler = Handler()
zk = KazooClient(hosts=HOSTS, timeout=10.0, handler=handler)
zk.start(timeout=20)
print("handler", type(zk.handler).__name__)
print("create async", zk.create_async(ROOT, b"v0").get(timeout=10))
events = []
seen = handler.event_object()
def on_change(event):
    events.append((event.type, event.path))
    seen.set()
data, stat = zk.get(ROOT, watch=on_change)
print("get", data, stat.version)
# In the ensemble column the leader dies here, with the data watch set.
checkpoint(zk)
print("set async", zk.set_async(ROOT, b"v1").get(timeout=10).version)
print("watch fired", seen.wait(10), events)
futures = [zk.create_async(ROOT + "/s-", b"", sequence=True) for _ in range(5)]
print("sequential", [f.get(timeout=10) for f in futures])
print("children async", sorted(zk.get_children_async(ROOT).get(timeout=10)))
try:
    zk.get_async(ROOT + "/missing").get(timeout=10)
except NoNodeError:
    print("NoNodeError")
lock = zk.Lock(ROOT + "/lock", "me")
with lock:
    print("lock held", lock.is_acquired, lock.contenders())
tx = zk.transaction()
tx.create(ROOT + "/t", b"t")
tx.check(ROOT, 1)
print("transaction", tx.commit())
zk.delete(ROOT, recursive=True)
print("cleaned", zk.exists(ROOT))
zk.stop()
zk.close()
print("done")
