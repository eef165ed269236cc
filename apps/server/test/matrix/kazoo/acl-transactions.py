# kazoo's ACL helpers (make_digest_acl, make_acl, CREATOR_ALL_ACL, READ_ACL_UNSAFE,
# OPEN_ACL_UNSAFE) and transactions: what each client may do, and how a multi fails as one.
from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError, NoNodeError, BadVersionError, NodeExistsError, RolledBackError
from kazoo.security import (CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, make_acl,
                            make_digest_acl, make_digest_acl_credential)

ROOT = "/matrix-kazoo-acl"
def acls(client, path):
    found, stat = client.get_acls(path)
    return sorted((a.perms, a.id.scheme, a.id.id) for a in found), stat.aversion

owner = KazooClient(hosts=HOSTS, timeout=10.0, auth_data=[("digest", "alice:secret")])
guest = KazooClient(hosts=HOSTS, timeout=10.0)
owner.start(timeout=20)
guest.start(timeout=20)
owner.create(ROOT, b"")

alice_all = make_digest_acl("alice", "secret", all=True)
print("digest id", alice_all.id.id == make_digest_acl_credential("alice", "secret"))
owner.create(ROOT + "/private", b"p", acl=[alice_all])
owner.create(ROOT + "/public-read", b"r", acl=READ_ACL_UNSAFE)
owner.create(ROOT + "/creator", b"c", acl=CREATOR_ALL_ACL)
owner.create(ROOT + "/mixed", b"m", acl=[make_acl("world", "anyone", read=True, write=True), alice_all])
for name in ("private", "public-read", "creator", "mixed"):
    print(name, acls(owner, ROOT + "/" + name))
def attempt(label, action):
    try:
        print(label, action())
    except (NoAuthError, NoNodeError, BadVersionError, NodeExistsError) as error:
        print(label, type(error).__name__)
# In an ensemble the guest's member may not have applied the owner's writes yet: sync first,
# as ZooKeeper asks of a client that reads what another session wrote.
guest.sync(ROOT)
attempt("guest reads private", lambda: guest.get(ROOT + "/private")[0])
attempt("guest reads public-read", lambda: guest.get(ROOT + "/public-read")[0])
attempt("guest writes public-read", lambda: guest.set(ROOT + "/public-read", b"x").version)
attempt("guest writes mixed", lambda: guest.set(ROOT + "/mixed", b"x").version)
attempt("guest creates under creator", lambda: guest.create(ROOT + "/creator/kid"))
attempt("guest acl of private", lambda: acls(guest, ROOT + "/private"))
attempt("owner set_acls open", lambda: owner.set_acls(ROOT + "/private", OPEN_ACL_UNSAFE).aversion)
guest.sync(ROOT)
attempt("guest reads private now", lambda: guest.get(ROOT + "/private")[0])
attempt("owner set_acls bad version", lambda: owner.set_acls(ROOT + "/private", READ_ACL_UNSAFE, version=7))
guest.add_auth("digest", "alice:secret")
# In the ensemble column the leader dies here: the digest the guest added must be sent again
# when it reconnects, or its next write fails with NoAuth.
checkpoint(owner, guest)
attempt("guest as alice writes creator", lambda: guest.set(ROOT + "/creator", b"y").version)

tx = owner.transaction()
tx.create(ROOT + "/tx-a", b"a")
tx.create(ROOT + "/tx-b", b"b", acl=READ_ACL_UNSAFE)
tx.set_data(ROOT + "/tx-a", b"a2")
tx.check(ROOT + "/tx-a", 1)
tx.delete(ROOT + "/public-read")
print("transaction", tx.commit())
print("after", owner.get(ROOT + "/tx-a")[0], owner.exists(ROOT + "/public-read"))
bad = owner.transaction()
bad.create(ROOT + "/tx-c", b"c")
bad.check(ROOT + "/tx-a", 99)
bad.delete(ROOT + "/missing")
results = bad.commit()
print("failed transaction", [type(r).__name__ if isinstance(r, Exception) else r for r in results])
print("tx-c rolled back", owner.exists(ROOT + "/tx-c"))
with owner.transaction() as ctx:
    ctx.create(ROOT + "/ctx", b"")
print("context transaction", ctx.committed, owner.exists(ROOT + "/ctx") is not None)
guest_tx = KazooClient(hosts=HOSTS, timeout=10.0)
guest_tx.start(timeout=20)
nope = guest_tx.transaction()
nope.create(ROOT + "/tx-b/under-read-only", b"")
print("guest transaction under read-only", [type(r).__name__ if isinstance(r, Exception) else r for r in nope.commit()])
guest_tx.stop()
guest_tx.close()

owner.delete(ROOT, recursive=True)
print("cleaned", owner.exists(ROOT))
guest.stop()
guest.close()
owner.stop()
owner.close()
print("done")
