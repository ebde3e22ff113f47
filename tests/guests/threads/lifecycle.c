/* Process-wide ends: `lifecycle exit` (exit(9) from a thread while main blocks in accept),
 * `lifecycle trap` (a trap in a thread), `lifecycle return` (main returns while a thread is
 * blocked in recv), `lifecycle cap` (pthread_create fails with EAGAIN past --max-threads=2). */
#include "../net/net.h"
#include <pthread.h>
#include <time.h>

static int ls, port;

static void *exit_later(void *arg) {
    (void)arg;
    struct timespec t = {0, 100 * 1000 * 1000};
    nanosleep(&t, NULL);
    exit(9);
}

__attribute__((noinline)) static void *trap_later(void *arg) {
    (void)arg;
    struct timespec t = {0, 100 * 1000 * 1000};
    nanosleep(&t, NULL);
    __builtin_trap();
}

static void *block_in_recv(void *arg) {
    (void)arg;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    char b;
    recv(c, &b, 1, 0); /* nobody ever sends */
    return NULL;
}

static volatile int accept_result = 1, accept_errno;

static void *accept_blocked(void *arg) {
    (void)arg;
    accept_result = accept(ls, NULL, NULL);
    accept_errno = errno;
    return NULL;
}

static void *sleeper(void *arg) {
    (void)arg;
    struct timespec t = {30, 0};
    nanosleep(&t, NULL);
    return NULL;
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    ls = listener(&port);
    pthread_t t;
    if (!strcmp(argv[1], "exit")) {
        CHECK(pthread_create(&t, NULL, exit_later, NULL) == 0);
        accept(ls, NULL, NULL); /* blocks until the other thread ends the process */
        return 1;
    }
    if (!strcmp(argv[1], "trap")) {
        CHECK(pthread_create(&t, NULL, trap_later, NULL) == 0);
        accept(ls, NULL, NULL);
        return 1;
    }
    if (!strcmp(argv[1], "return")) {
        CHECK(pthread_create(&t, NULL, block_in_recv, NULL) == 0);
        int c = accept(ls, NULL, NULL);
        CHECK(c >= 0);
        OK("main_returns");
        return 0; /* the blocked thread must not keep the process alive */
    }
    if (!strcmp(argv[1], "block")) {
        CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0);
        accept(ls, NULL, NULL); /* nobody connects: only --timeout ends this run */
        return 1;
    }
    if (!strcmp(argv[1], "close")) {
        CHECK(pthread_create(&t, NULL, accept_blocked, NULL) == 0);
        struct timespec nap = {0, 200 * 1000 * 1000};
        nanosleep(&nap, NULL); /* let the thread block in accept */
        CHECK(close(ls) == 0);
        CHECK(pthread_join(t, NULL) == 0);
        CHECK(accept_result == -1); /* woken with an error instead of hanging */
        CHECK_ERR(accept(ls, NULL, NULL), EBADF);
        OK("close_while_blocked");
        return 0;
    }
    if (!strcmp(argv[1], "cap")) {
        pthread_t a, b, d;
        CHECK(pthread_create(&a, NULL, sleeper, NULL) == 0);
        CHECK(pthread_create(&b, NULL, sleeper, NULL) == 0);
        CHECK(pthread_create(&d, NULL, sleeper, NULL) == EAGAIN);
        OK("cap");
        return 0;
    }
    return 2;
}
