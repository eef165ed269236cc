# kazoo's lock family: Lock, ReadLock/WriteLock, Semaphore and NonBlockingLease, each with a
# second client contending, so the recipes' sequential-node ordering and watches are exercised.
import datetime
import threading
from kazoo.client import KazooClient
from kazoo.recipe.lease import NonBlockingLease

ROOT = "/matrix-kazoo-locks"
a = KazooClient(hosts=HOSTS, timeout=10.0)
b = KazooClient(hosts=HOSTS, timeout=10.0)
a.start(timeout=20)
b.start(timeout=20)

lock_a = a.Lock(ROOT + "/lock", "alice")
lock_b = b.Lock(ROOT + "/lock", "bob")
print("lock a acquired", lock_a.acquire(timeout=5))
print("lock b non-blocking", lock_b.acquire(blocking=False))
print("contenders", lock_b.contenders())
got = threading.Event()
def take():
    # The wait spans the ensemble column's checkpoint, which lasts as long as its round needs.
    lock_b.acquire(timeout=45)
    got.set()
waiter = threading.Thread(target=take)
waiter.start()
print("b waits while a holds", got.wait(0.5))
# In the ensemble column the leader dies here, while b watches a's lock node.
checkpoint(a, b)
lock_a.release()
print("b gets it after release", got.wait(10))
waiter.join()
print("contenders after handover", lock_b.contenders())
lock_b.release()
# In an ensemble a's member may not have applied b's release yet: sync first.
a.sync(ROOT + "/lock")
print("lock children", a.get_children(ROOT + "/lock"))

read_a = a.ReadLock(ROOT + "/rw", "reader-a")
read_b = b.ReadLock(ROOT + "/rw", "reader-b")
write_b = b.WriteLock(ROOT + "/rw", "writer-b")
print("read a", read_a.acquire(timeout=5))
print("read b shares", read_b.acquire(timeout=5))
print("write b blocked", write_b.acquire(blocking=False))
read_a.release()
read_b.release()
print("write b after readers", write_b.acquire(timeout=5))
print("read a blocked by writer", read_a.acquire(blocking=False))
write_b.release()

sem_a = a.Semaphore(ROOT + "/sem", "a", max_leases=2)
sem_b = b.Semaphore(ROOT + "/sem", "b", max_leases=2)
sem_c = b.Semaphore(ROOT + "/sem", "c", max_leases=2)
print("sem a", sem_a.acquire(timeout=5))
print("sem b", sem_b.acquire(timeout=5))
print("sem c non-blocking", sem_c.acquire(blocking=False))
print("lease holders", sorted(sem_c.lease_holders()))
sem_a.release()
print("sem c after a releases", sem_c.acquire(timeout=5))
print("lease holders now", sorted(sem_c.lease_holders()))
sem_b.release()
sem_c.release()

now = datetime.datetime(2026, 1, 1, 12, 0, 0)
clock_a = lambda: now
later = lambda: now + datetime.timedelta(minutes=2)
lease_a = NonBlockingLease(a, ROOT + "/lease", datetime.timedelta(minutes=1), identifier="a", utcnow=clock_a)
print("lease a", bool(lease_a))
lease_b = NonBlockingLease(b, ROOT + "/lease", datetime.timedelta(minutes=1), identifier="b", utcnow=clock_a)
print("lease b while a holds", bool(lease_b))
lease_b_later = NonBlockingLease(b, ROOT + "/lease", datetime.timedelta(minutes=1), identifier="b", utcnow=later)
print("lease b after expiry", bool(lease_b_later))

a.delete(ROOT, recursive=True)
print("cleaned", a.exists(ROOT))
b.stop()
b.close()
a.stop()
a.close()
print("done")
