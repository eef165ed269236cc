# The ensemble column's pause, put before every kazoo program: with MATRIX_CHECKPOINT set,
# print "checkpoint", wait until the harness (having killed the leader and seen a new one
# serve) creates that file, then until every given client is connected again, since a call
# made while kazoo reconnects may fail with ConnectionLoss, which is timing, not server
# behaviour. Sleeping through the handler's own sleep keeps gevent and eventlet hubs running.
# Without the variable (standalone column) it does nothing.
import os as _checkpoint_os


def checkpoint(*clients):
    path = _checkpoint_os.environ.get("MATRIX_CHECKPOINT")
    if path is None:
        return
    print("checkpoint", flush=True)
    sleep = clients[0].handler.sleep_func
    for _ in range(1200):
        if _checkpoint_os.path.exists(path) and all(c.connected for c in clients):
            return
        sleep(0.05)
    raise RuntimeError("not connected again within 60 s of the checkpoint")
