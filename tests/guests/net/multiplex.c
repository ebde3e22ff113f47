/* `multiplex poll`: poll() over 201 sockets (a listener, 100 clients connected to it, the 100
 * accepted ends); `multiplex select`: select() over a handful. Exact revents / fd_set contents.
 *   poll_idle      nothing pending: poll(all, 0) is 0 and every revents is 0
 *   poll_100       client i writes byte i; polling all 201 fds until each accepted socket has
 *                  reported POLLIN once: only accepted sockets report, exactly POLLIN, carrying
 *                  their own byte (even clients first, then odd ones)
 *   poll_pollout   every connected socket is writable: revents == POLLOUT exactly
 *   poll_listener  a pending connection makes the listener (and nothing else) readable
 *   poll_reuse     a connection closed and replaced by a new one on the same fd numbers, between
 *                  two polls of the same set: the new socket's data is reported (the host keeps
 *                  an epoll set for large polls with few fds ready, and must notice that the fd
 *                  is another socket)
 *   poll_eof       a closed client makes its accepted end readable, recv() is 0
 *   select         select() with nothing ready (zero and 50 ms timeouts) is 0 with empty sets;
 *                  then exactly the written sockets are set; write sets list every connected
 *                  socket; a pending connection sets only the listener */
#include "net.h"
#include <sys/select.h>
#include <time.h>

#define N 100
#define NFDS (2 * N + 1)

static int c[N], s[N], ls;
static struct pollfd p[NFDS];
/* p[0] = listener, p[1 + i] = client i, p[1 + N + i] = accepted end of client i */

static void arm(short events) {
    p[0] = (struct pollfd){ls, events, 0x5555};
    for (int i = 0; i < N; i++) {
        p[1 + i] = (struct pollfd){c[i], events, 0x5555}; /* revents must be overwritten */
        p[1 + N + i] = (struct pollfd){s[i], events, 0x5555};
    }
}

/* Sends byte i on every client i with i % 2 == parity, then polls all fds until each of those
 * accepted ends reported POLLIN once. */
static void half(int parity) {
    for (int i = parity; i < N; i += 2)
        CHECK(send(c[i], &(unsigned char){(unsigned char)i}, 1, 0) == 1);
    int seen[N] = {0}, total = 0;
    for (int round = 0; round < 100 && total < N / 2; round++) {
        arm(POLLIN);
        int r = poll(p, NFDS, 5000);
        CHECK(r > 0);
        int ready = 0;
        for (int k = 0; k < NFDS; k++) {
            if (!p[k].revents)
                continue;
            ready++;
            int i = k - 1 - N;
            if (k <= N || i % 2 != parity || seen[i]) {
                fprintf(stderr, "FAIL: %s:%d: unexpected revents %#x on pollfd %d (round %d)\n", __FILE__, __LINE__,
                        p[k].revents, k, round);
                exit(1);
            }
            CHECK(p[k].revents == POLLIN);
            unsigned char b = 0xFF;
            CHECK(recv(s[i], &b, 1, 0) == 1 && b == i);
            seen[i] = 1;
            total++;
        }
        CHECK(ready == r); /* poll's count is the number of fds with revents */
    }
    CHECK(total == N / 2);
}

static int run_select(int port);

int main(int argc, char **argv) {
    CHECK(argc == 2);
    int port;
    ls = listener(&port);
    if (strcmp(argv[1], "select") == 0) {
        for (int i = 0; i < 8; i++)
            tcp_pair(ls, port, &c[i], &s[i]);
        return run_select(port);
    }
    CHECK(strcmp(argv[1], "poll") == 0);
    for (int i = 0; i < N; i++)
        tcp_pair(ls, port, &c[i], &s[i]);

    arm(POLLIN);
    CHECK(poll(p, NFDS, 0) == 0);
    for (int k = 0; k < NFDS; k++)
        CHECK(p[k].revents == 0);
    arm(POLLIN);
    CHECK(poll(p, NFDS, 100) == 0); /* a timeout with nothing ready */
    OK("poll_idle");

    half(0);
    half(1);
    arm(POLLIN);
    CHECK(poll(p, NFDS, 0) == 0); /* everything consumed */
    OK("poll_100");

    arm(POLLOUT);
    CHECK(poll(p, NFDS, 5000) == 2 * N);
    CHECK(p[0].revents == 0); /* a listener is never writable */
    for (int k = 1; k < NFDS; k++)
        CHECK(p[k].revents == POLLOUT);
    OK("poll_pollout");

    int extra = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    CHECK(connect(extra, (struct sockaddr *)&a, sizeof a) == 0);
    arm(POLLIN);
    CHECK(poll(p, NFDS, 5000) == 1 && p[0].revents == POLLIN);
    int se = accept(ls, NULL, NULL);
    CHECK(se >= 0);
    OK("poll_listener");

    /* Idle polls of one set: the host registers it (see poll_oneoff). 16 with nothing ready
     * make the host count the set as sparse whatever the calls before found. */
    for (int i = 0; i < 16; i++) {
        arm(POLLIN);
        CHECK(poll(p, NFDS, 0) == 0);
    }
    int old_c = c[5], old_s = s[5];
    CHECK(close(c[5]) == 0 && close(s[5]) == 0);
    tcp_pair(ls, port, &c[5], &s[5]);
    CHECK(c[5] == old_c && s[5] == old_s); /* lowest free fd first */
    CHECK(send(c[5], "r", 1, 0) == 1);
    arm(POLLIN);
    CHECK(poll(p, NFDS, 5000) == 1 && p[1 + N + 5].revents == POLLIN);
    CHECK(recv(s[5], &(char){0}, 1, 0) == 1);
    OK("poll_reuse");

    CHECK(close(c[7]) == 0);
    struct pollfd e = {s[7], POLLIN, 0};
    CHECK(poll(&e, 1, 5000) == 1 && (e.revents & POLLIN));
    char ch;
    CHECK(recv(s[7], &ch, 1, 0) == 0);
    CHECK(close(s[7]) == 0 && close(extra) == 0 && close(se) == 0);
    OK("poll_eof");
    return 0;
}

static int run_select(int port) {
    char ch;
    fd_set rd, wr;
    int maxfd = ls;
    for (int i = 0; i < 8; i++) {
        maxfd = s[i] > maxfd ? s[i] : maxfd;
        maxfd = c[i] > maxfd ? c[i] : maxfd;
    }
    FD_ZERO(&rd);
    for (int i = 0; i < 8; i++)
        FD_SET(s[i], &rd);
    struct timeval tv = {0, 0};
    CHECK(select(maxfd + 1, &rd, NULL, NULL, &tv) == 0); /* a zero timeout: just a look */
    for (int i = 0; i < 8; i++)
        CHECK(!FD_ISSET(s[i], &rd));
    FD_ZERO(&rd);
    for (int i = 0; i < 8; i++)
        FD_SET(s[i], &rd);
    tv = (struct timeval){0, 50000};
    CHECK(select(maxfd + 1, &rd, NULL, NULL, &tv) == 0); /* nothing ready: times out */
    for (int i = 0; i < 8; i++)
        CHECK(!FD_ISSET(s[i], &rd));
    CHECK(send(c[3], "y", 1, 0) == 1 && send(c[5], "z", 1, 0) == 1);
    int got = 0;
    for (int round = 0; round < 50 && got < 2; round++) {
        FD_ZERO(&rd);
        for (int i = 0; i < 8; i++)
            FD_SET(s[i], &rd);
        tv = (struct timeval){5, 0};
        int r = select(maxfd + 1, &rd, NULL, NULL, &tv);
        CHECK(r >= 1 && r <= 2);
        int set = 0;
        for (int i = 0; i < 8; i++)
            if (FD_ISSET(s[i], &rd)) {
                CHECK(i == 3 || i == 5);
                CHECK(recv(s[i], &ch, 1, 0) == 1 && ch == (i == 3 ? 'y' : 'z'));
                set++;
                got++;
            }
        CHECK(set == r);
    }
    CHECK(got == 2);
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    for (int i = 0; i < 8; i++) {
        FD_SET(s[i], &rd);
        FD_SET(c[i], &wr);
        FD_SET(s[i], &wr);
    }
    tv = (struct timeval){5, 0};
    CHECK(select(maxfd + 1, &rd, &wr, NULL, &tv) == 16); /* all writable, none readable */
    for (int i = 0; i < 8; i++)
        CHECK(!FD_ISSET(s[i], &rd) && FD_ISSET(c[i], &wr) && FD_ISSET(s[i], &wr));

    /* A pending connection makes the listener readable, and nothing else. */
    int extra = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    CHECK(connect(extra, (struct sockaddr *)&a, sizeof a) == 0);
    FD_ZERO(&rd);
    FD_SET(ls, &rd);
    for (int i = 0; i < 8; i++)
        FD_SET(s[i], &rd);
    tv = (struct timeval){5, 0};
    CHECK(select(maxfd + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(ls, &rd));
    for (int i = 0; i < 8; i++)
        CHECK(!FD_ISSET(s[i], &rd));
    CHECK(accept(ls, NULL, NULL) >= 0);
    OK("select");
    return 0;
}
