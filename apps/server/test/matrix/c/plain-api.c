/*
 * The C client (libzookeeper_mt) against one server: sync calls, async calls with their
 * completions, one-shot watches (and removing one), multi that commits and that fails.
 * (The 3.8 C client has no persistent-watch call.) Prints one line per result; argv[1] is the
 * connect string.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

#define ROOT "/matrix-c-plain"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int connected = 0;
static int completions = 0;
static char events[16][160];
static int event_count = 0;

static const char *type_name(int type) {
    if (type == ZOO_CREATED_EVENT) return "created";
    if (type == ZOO_DELETED_EVENT) return "deleted";
    if (type == ZOO_CHANGED_EVENT) return "changed";
    if (type == ZOO_CHILD_EVENT) return "child";
    if (type == ZOO_SESSION_EVENT) return "session";
    return "other";
}

static void record(const char *line) {
    pthread_mutex_lock(&lock);
    if (event_count < 16) snprintf(events[event_count++], sizeof events[0], "%s", line);
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void session_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh; (void)path; (void)ctx;
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) {
        pthread_mutex_lock(&lock);
        connected = 1;
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
    }
}

static void node_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh; (void)state;
    /* The C client hands connection-state changes to every registered watcher as well. */
    if (type == ZOO_SESSION_EVENT) return;
    char line[160];
    snprintf(line, sizeof line, "%s %s %s", (const char *)ctx, type_name(type), path);
    record(line);
}

/* Waits until `*value` reaches `target` or 10 s pass; returns whether it did. */
static int await_count(int *value, int target) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&lock);
    while (*value < target) {
        if (pthread_cond_timedwait(&changed, &lock, &deadline) != 0) break;
    }
    int reached = *value >= target;
    pthread_mutex_unlock(&lock);
    return reached;
}

/*
 * The ensemble column's pause: with MATRIX_CHECKPOINT set, print "checkpoint", wait until the
 * harness (having killed the leader and seen a new one serve) creates that file, then until the
 * session is connected again, since a call made while it reconnects fails with
 * ZCONNECTIONLOSS, which is timing, not server behaviour. Without the variable it does nothing.
 */
static int checkpoint(zhandle_t *zh) {
    const char *file = getenv("MATRIX_CHECKPOINT");
    if (file == NULL) return 1;
    printf("checkpoint\n");
    fflush(stdout);
    struct timespec pause = {0, 50 * 1000 * 1000};
    int waited = 0;
    for (; access(file, F_OK) != 0 && waited < 1200; waited++) nanosleep(&pause, NULL);
    for (; zoo_state(zh) != ZOO_CONNECTED_STATE && waited < 1200; waited++) nanosleep(&pause, NULL);
    return waited < 1200;
}

static void string_done(int rc, const char *name, const void *data) {
    char line[160];
    snprintf(line, sizeof line, "async create %s rc=%d %s", (const char *)data, rc, rc == ZOK ? name : "-");
    pthread_mutex_lock(&lock);
    printf("%s\n", line);
    completions++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void data_done(int rc, const char *value, int len, const struct Stat *stat, const void *data) {
    pthread_mutex_lock(&lock);
    printf("async get %s rc=%d %.*s version=%d\n", (const char *)data, rc, rc == ZOK ? len : 0, rc == ZOK ? value : "",
           rc == ZOK ? stat->version : -1);
    completions++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void print_events(void) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < event_count; i++) printf("event %s\n", events[i]);
    event_count = 0;
    pthread_mutex_unlock(&lock);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_children(zhandle_t *zh, const char *path) {
    struct String_vector children;
    int rc = zoo_get_children(zh, path, 0, &children);
    printf("children rc=%d", rc);
    if (rc == ZOK) {
        qsort(children.data, (size_t)children.count, sizeof(char *), compare_names);
        for (int i = 0; i < children.count; i++) printf(" %s", children.data[i]);
        deallocate_String_vector(&children);
    }
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zhandle_t *zh = zookeeper_init(argv[1], session_watcher, 10000, NULL, NULL, 0);
    if (zh == NULL || !await_count(&connected, 1)) {
        printf("no session\n");
        return 1;
    }
    char name[256];
    struct Stat stat;
    char value[64];
    int len;

    printf("create rc=%d\n", zoo_create(zh, ROOT, "v0", 2, &ZOO_OPEN_ACL_UNSAFE, 0, name, sizeof name));
    printf("create again rc=%d\n", zoo_create(zh, ROOT, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, name, sizeof name));
    int rc = zoo_create(zh, ROOT "/s-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, name, sizeof name);
    printf("sequential rc=%d %s\n", rc, name);
    rc = zoo_create(zh, ROOT "/e-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL | ZOO_SEQUENCE, name, sizeof name);
    printf("ephemeral sequential rc=%d %s\n", rc, name);
    rc = zoo_create2(zh, ROOT "/c", "box", 3, &ZOO_OPEN_ACL_UNSAFE, ZOO_CONTAINER, name, sizeof name, &stat);
    printf("create2 container rc=%d %s version=%d dataLength=%d\n", rc, name, stat.version, stat.dataLength);

    len = sizeof value;
    rc = zoo_wget(zh, ROOT, node_watcher, "get-watch", value, &len, &stat);
    printf("wget rc=%d %.*s version=%d numChildren=%d\n", rc, len, value, stat.version, stat.numChildren);
    printf("set rc=%d\n", zoo_set(zh, ROOT, "v1", 2, 0));
    printf("set bad version rc=%d\n", zoo_set(zh, ROOT, "v2", 2, 7));
    await_count(&event_count, 1);
    print_events();

    rc = zoo_wexists(zh, ROOT "/later", node_watcher, "exists-watch", &stat);
    printf("wexists missing rc=%d\n", rc);
    struct String_vector kids;
    rc = zoo_wget_children(zh, ROOT, node_watcher, "children-watch", &kids);
    printf("wget_children rc=%d count=%d\n", rc, kids.count);
    deallocate_String_vector(&kids);
    /* In the ensemble column the leader dies here, with an exists and a children watch set. */
    if (!checkpoint(zh)) {
        printf("not connected again after the checkpoint\n");
        return 1;
    }
    printf("create later rc=%d\n", zoo_create(zh, ROOT "/later", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, name, sizeof name));
    await_count(&event_count, 2);
    pthread_mutex_lock(&lock);
    if (event_count == 2 && strcmp(events[0], events[1]) > 0) {
        char swap[160];
        memcpy(swap, events[0], sizeof swap);
        memcpy(events[0], events[1], sizeof swap);
        memcpy(events[1], swap, sizeof swap);
    }
    pthread_mutex_unlock(&lock);
    print_events();
    print_children(zh, ROOT);

    zoo_op_t ops[4];
    zoo_op_result_t results[4];
    char created[64];
    zoo_create_op_init(&ops[0], ROOT "/m", "m", 1, &ZOO_OPEN_ACL_UNSAFE, 0, created, sizeof created);
    zoo_set_op_init(&ops[1], ROOT "/m", "m1", 2, 0, NULL);
    zoo_check_op_init(&ops[2], ROOT, 1);
    zoo_delete_op_init(&ops[3], ROOT "/later", 0);
    rc = zoo_multi(zh, 4, ops, results);
    printf("multi rc=%d results=%d,%d,%d,%d created=%s\n", rc, results[0].err, results[1].err, results[2].err, results[3].err, created);
    zoo_create_op_init(&ops[0], ROOT "/never", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, created, sizeof created);
    zoo_check_op_init(&ops[1], ROOT, 42);
    rc = zoo_multi(zh, 2, ops, results);
    printf("failed multi rc=%d results=%d,%d\n", rc, results[0].err, results[1].err);
    printf("never exists rc=%d\n", zoo_exists(zh, ROOT "/never", 0, &stat));

    int before = completions;
    zoo_acreate(zh, ROOT "/async", "a", 1, &ZOO_OPEN_ACL_UNSAFE, 0, string_done, "first");
    await_count(&completions, before + 1);
    zoo_aget(zh, ROOT "/async", 0, data_done, "existing");
    await_count(&completions, before + 2);
    zoo_aget(zh, ROOT "/missing", 0, data_done, "missing");
    await_count(&completions, before + 3);

    len = sizeof value;
    rc = zoo_wget(zh, ROOT "/m", node_watcher, "removed-watch", value, &len, &stat);
    printf("wget m rc=%d %.*s\n", rc, len, value);
    printf("remove watches rc=%d\n", zoo_remove_watches(zh, ROOT "/m", ZWATCHTYPE_DATA, node_watcher, "removed-watch", 0));
    printf("remove watches again rc=%d\n", zoo_remove_watches(zh, ROOT "/m", ZWATCHTYPE_DATA, node_watcher, "removed-watch", 0));
    printf("set m rc=%d\n", zoo_set(zh, ROOT "/m", "m2", 2, -1));
    printf("exists m rc=%d\n", zoo_exists(zh, ROOT "/m", 0, &stat));
    print_events();

    struct String_vector left;
    zoo_get_children(zh, ROOT, 0, &left);
    for (int i = 0; i < left.count; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", ROOT, left.data[i]);
        zoo_delete(zh, path, -1);
    }
    deallocate_String_vector(&left);
    printf("delete root rc=%d\n", zoo_delete(zh, ROOT, -1));
    printf("exists after delete rc=%d\n", zoo_exists(zh, ROOT, 0, &stat));
    zookeeper_close(zh);
    printf("done\n");
    return 0;
}
