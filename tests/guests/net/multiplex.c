/* poll() over 100 connections (200+ fds) and select() with a timeout. */
#include "net.h"
#include <sys/select.h>
#include <time.h>

#define N 100

int main(void) {
    int port, c[N], s[N];
    int ls = listener(&port);
    for (int i = 0; i < N; i++)
        tcp_pair(ls, port, &c[i], &s[i]);
    for (int i = 0; i < N; i += 2) /* every other client writes */
        CHECK(send(c[i], "x", 1, 0) == 1);
    struct pollfd p[N];
    int seen[N] = {0}, total = 0;
    for (int round = 0; round < 50 && total < N / 2; round++) {
        for (int i = 0; i < N; i++)
            p[i] = (struct pollfd){s[i], POLLIN, 0};
        int r = poll(p, N, 2000);
        CHECK(r > 0);
        int ready = 0;
        for (int i = 0; i < N; i++) {
            if (!p[i].revents)
                continue;
            ready++;
            CHECK(i % 2 == 0 && p[i].revents == POLLIN); /* exactly the writers, readable */
            char ch;
            CHECK(recv(s[i], &ch, 1, 0) == 1 && ch == 'x');
            if (!seen[i]++)
                total++;
        }
        CHECK(ready == r);
    }
    CHECK(total == N / 2);
    for (int i = 0; i < N; i++)
        p[i] = (struct pollfd){s[i], POLLIN, 0};
    CHECK(poll(p, N, 0) == 0); /* everything consumed */
    OK("poll_100");

    fd_set rd;
    FD_ZERO(&rd);
    int maxfd = 0;
    for (int i = 0; i < 8; i++) {
        FD_SET(s[i], &rd);
        maxfd = s[i] > maxfd ? s[i] : maxfd;
    }
    struct timeval tv = {0, 50000};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(select(maxfd + 1, &rd, NULL, NULL, &tv) == 0); /* nothing ready: times out */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec) >= 50000000LL);
    CHECK(send(c[3], "y", 1, 0) == 1 && send(c[5], "z", 1, 0) == 1);
    int got = 0;
    for (int round = 0; round < 50 && got < 2; round++) {
        FD_ZERO(&rd);
        for (int i = 0; i < 8; i++)
            FD_SET(s[i], &rd);
        tv = (struct timeval){2, 0};
        int r = select(maxfd + 1, &rd, NULL, NULL, &tv);
        CHECK(r >= 1);
        for (int i = 0; i < 8; i++)
            if (FD_ISSET(s[i], &rd)) {
                CHECK(i == 3 || i == 5);
                char ch;
                CHECK(recv(s[i], &ch, 1, 0) == 1);
                got++;
            }
    }
    CHECK(got == 2);
    OK("select");
    return 0;
}
