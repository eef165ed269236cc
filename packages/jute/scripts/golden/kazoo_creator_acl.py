# kazoo's CREATOR_ALL_ACL as its users write it, through the recording proxy at
# 127.0.0.1:$PROXY_PORT: kazoo sends Id("auth", "") with the empty id as a null string.
import os

from kazoo.client import KazooClient
from kazoo.security import CREATOR_ALL_ACL

zk = KazooClient(hosts="127.0.0.1:%s" % os.environ["PROXY_PORT"], timeout=10.0)
zk.start(timeout=20)
zk.add_auth("digest", "golden:secret")
print("create", zk.create("/golden-creator-acl", b"mine", acl=CREATOR_ALL_ACL))
acls, stat = zk.get_acls("/golden-creator-acl")
print("acl", [(a.perms, a.id.scheme, a.id.id) for a in acls])
zk.delete("/golden-creator-acl")
zk.stop()
zk.close()
