/* Two threads, each polling its own 41 sockets (a listener and 20 connected pairs) at the same
 * time, one byte ready per round: each must see exactly its own readiness. The host keeps an
 * epoll set for such polls, one per thread; a set shared between the threads would drop or
 * misreport the other's fds. Halfway, each thread replaces one of its pairs. */
#include "../net/net.h"
#include <poll.h>
#include <pthread.h>

#define PAIRS 20
#define NFDS (2 * PAIRS + 1)
#define ROUNDS 200

static void *worker(void *arg) {
    int id = (int)(long)arg, port, ls = listener(&port);
    int c[PAIRS], s[PAIRS];
    for (int i = 0; i < PAIRS; i++)
        tcp_pair(ls, port, &c[i], &s[i]);
    struct pollfd p[NFDS];
    for (int r = 0; r < ROUNDS; r++) {
        int i = (r * 7 + id) % PAIRS;
        if (r == ROUNDS / 2) {
            CHECK(close(c[i]) == 0 && close(s[i]) == 0);
            tcp_pair(ls, port, &c[i], &s[i]);
        }
        unsigned char b = (unsigned char)(r + 100 * id), got = 0;
        CHECK(send(c[i], &b, 1, 0) == 1);
        p[0] = (struct pollfd){ls, POLLIN, 0};
        for (int k = 0; k < PAIRS; k++) {
            p[1 + k] = (struct pollfd){c[k], POLLIN, 0};
            p[1 + PAIRS + k] = (struct pollfd){s[k], POLLIN, 0};
        }
        CHECK(poll(p, NFDS, 5000) == 1);
        CHECK(p[1 + PAIRS + i].revents == POLLIN);
        CHECK(recv(s[i], &got, 1, 0) == 1 && got == b);
    }
    return NULL;
}

int main(void) {
    pthread_t t[2];
    for (long k = 0; k < 2; k++)
        CHECK(pthread_create(&t[k], NULL, worker, (void *)k) == 0);
    for (int k = 0; k < 2; k++)
        CHECK(pthread_join(t[k], NULL) == 0);
    OK("poll_threads");
    return 0;
}
