# kazoo's coordination recipes: Election, Barrier, DoubleBarrier, Party and ShallowParty,
# SetPartitioner, with two or three clients taking part.
import threading
from kazoo.client import KazooClient

ROOT = "/matrix-kazoo-coordination"
clients = [KazooClient(hosts=HOSTS, timeout=10.0) for _ in range(3)]
for c in clients:
    c.start(timeout=20)
a, b, c3 = clients

elected = []
leading = threading.Event()
release = threading.Event()
def lead(name):
    elected.append(name)
    leading.set()
    release.wait(10)
election_a = a.Election(ROOT + "/election", "alice")
election_b = b.Election(ROOT + "/election", "bob")
runner_a = threading.Thread(target=election_a.run, args=(lead, "alice"))
runner_a.start()
print("a leads", leading.wait(10), elected)
leading.clear()
runner_b = threading.Thread(target=election_b.run, args=(lead, "bob"))
runner_b.start()
print("b waits", leading.wait(0.5))
print("contenders", election_b.contenders())
# In the ensemble column the leader dies here, while bob's election watches alice's node.
checkpoint(a, b, c3)
release.set()
runner_a.join(10)
print("b leads after a", leading.wait(10), elected)
runner_b.join(10)

barrier = a.Barrier(ROOT + "/barrier")
barrier.create()
# In an ensemble a member may lag behind another session's writes: the reader syncs first.
b.sync(ROOT + "/barrier")
print("barrier wait while up", b.Barrier(ROOT + "/barrier").wait(0.5))
opened = []
waiter = threading.Thread(target=lambda: opened.append(b.Barrier(ROOT + "/barrier").wait(10)))
waiter.start()
barrier.remove()
waiter.join(10)
print("barrier opened on remove", opened)

entered = []
def double(client, name):
    gate = client.DoubleBarrier(ROOT + "/double", 2, identifier=name)
    gate.enter()
    entered.append(name)
    gate.leave()
threads = [threading.Thread(target=double, args=(cl, n)) for cl, n in ((a, "one"), (b, "two"))]
for t in threads:
    t.start()
for t in threads:
    t.join(15)
print("double barrier entered", sorted(entered), "left", [t.is_alive() for t in threads])

party_a = a.Party(ROOT + "/party", "alice")
party_b = b.Party(ROOT + "/party", "bob")
party_a.join()
party_b.join()
a.sync(ROOT + "/party")
print("party", sorted(party_a), len(party_a))
party_b.leave()
a.sync(ROOT + "/party")
print("party after leave", sorted(party_a), len(party_a))
shallow = a.ShallowParty(ROOT + "/shallow", "carol")
shallow.join()
print("shallow party", sorted(shallow))
shallow.leave()
party_a.leave()

partitioners = [cl.SetPartitioner(ROOT + "/partition", set=(1, 2, 3, 4, 5, 6), identifier=name, time_boundary=0.5)
                for cl, name in ((a, "a"), (b, "b"))]
def settled():
    for p in partitioners:
        p.wait_for_acquire(10)
    return all(p.acquired for p in partitioners)
ok = False
for attempt in range(20):
    if settled():
        ok = True
        break
    for p in partitioners:
        if p.release:
            p.release_set()
shares = [sorted(p) for p in partitioners]
print("partitioned", ok, sorted(x for s in shares for x in s), sorted(len(s) for s in shares))
for p in partitioners:
    p.finish()
print("partitioners finished", [p.state for p in partitioners])

a.delete(ROOT, recursive=True)
print("cleaned", a.exists(ROOT))
for cl in clients:
    cl.stop()
    cl.close()
print("done")
