# Drives kazoo (python3-kazoo) through the recording proxy at 127.0.0.1:$PROXY_PORT.
# Each step prints a line so that a failed recording shows how far it got.
import os
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError, BadVersionError
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE

hosts = "127.0.0.1:%s" % os.environ["PROXY_PORT"]
root = "/golden-kazoo"

# A short session timeout makes kazoo send pings within a second of idling.
zk = KazooClient(hosts=hosts, timeout=2.0)
zk.start(timeout=20)
print("connected")

zk.create(root, b"root-data")
zk.create(root + "/persistent", b"p")
zk.create(root + "/ephemeral", b"e", ephemeral=True)
zk.create(root + "/seq-", b"s", sequence=True)
zk.create(root + "/eseq-", b"es", ephemeral=True, sequence=True)
zk.create(root + "/with-stat", b"c2", include_data=True)
print("created")

events = []
fired = threading.Event()


def watcher(event):
    events.append(event)
    if len(events) >= 3:
        fired.set()


zk.get(root + "/persistent", watch=watcher)
zk.exists(root + "/not-yet", watch=watcher)
zk.get_children(root, watch=watcher, include_data=True)
zk.get_children(root)
zk.set(root + "/persistent", b"p2")
zk.create(root + "/not-yet", b"")
fired.wait(10)
print("events", [(e.type, e.path) for e in events])

try:
    zk.get(root + "/missing")
except NoNodeError:
    print("nonode")

acls, stat = zk.get_acls(root + "/persistent")
zk.add_auth("digest", "golden:secret")
zk.set_acls(root + "/persistent", [make_digest_acl("golden", "secret", all=True)])
zk.get_acls(root + "/persistent")
zk.get(root + "/persistent")
print("acl")

tx = zk.transaction()
tx.create(root + "/multi-a", b"a")
tx.set_data(root + "/multi-a", b"a2")
tx.check(root + "/multi-a", 1)
tx.delete(root + "/multi-a")
print("multi ok", tx.commit())

tx = zk.transaction()
tx.create(root + "/multi-b", b"b")
tx.check(root + "/persistent", 99)
tx.create(root + "/multi-c", b"c")
print("multi failed", [type(r).__name__ for r in tx.commit()])

zk.sync(root)
try:
    zk.set(root + "/not-yet", b"x", version=5)
except BadVersionError:
    print("badversion")
zk.delete(root + "/not-yet")
zk.delete(root + "/with-stat", version=0)

# Idle long enough for at least one ping.
time.sleep(1.6)
print("pinged")

session_id, password = zk.client_id
zk.stop()
zk.close()
print("closed")

# A read-only capable client: the handshake carries readOnly=true.
ro = KazooClient(hosts=hosts, timeout=2.0, read_only=True)
ro.start(timeout=20)
print("read-only client", ro.get(root)[0])
ro.stop()
ro.close()

# Resuming the closed session (and a wrong password) gets the expired-session handshake reply:
# timeOut 0, sessionId 0, an all-zero password.
wrong = bytes(b ^ 0xFF for b in password)
stale = KazooClient(hosts=hosts, timeout=2.0, client_id=(session_id, wrong),
                    connection_retry={"max_tries": 0})
try:
    stale.start(timeout=3)
    print("stale session: connected")
except Exception as e:
    print("stale session:", type(e).__name__)
stale.stop()
stale.close()
