/* Non-blocking sockets, self-contained over 127.0.0.1 (run with --addr-pool=127.0.0.1/32):
 *   accept_eagain        fcntl(O_NONBLOCK) on a listener: accept() is -1/EAGAIN with nothing
 *                        pending, succeeds once a connection is queued, and the accepted socket
 *                        is blocking (POSIX: O_NONBLOCK is not inherited)
 *   connect_einprogress  a connect() on an fcntl-non-blocking socket is -1/EINPROGRESS, completes
 *                        (poll POLLOUT, SO_ERROR 0, getpeername works), then connect() is EISCONN
 *   recv_eagain          fcntl(O_NONBLOCK) on a connected socket: recv()/read() are -1/EAGAIN with
 *                        no data, data is returned once sent, clearing the flag makes it blocking
 *   short_read           after a recv that took less than it asked for: poll's POLLIN is
 *                        followed by data, so is a MSG_PEEK that found some, so is a read after
 *                        a sleep, a read loop that never waits gets it, a socket made blocking
 *                        again waits
 *   send_eagain          a non-blocking send() into a full connection ends in -1/EAGAIN
 *   sock_nonblock        socket(SOCK_NONBLOCK) and accept4(SOCK_NONBLOCK)
 *   dontwait             MSG_DONTWAIT on a blocking socket, which stays blocking
 *   so_error_refused     a non-blocking connect to a closed port reports ECONNREFUSED */
#include "net.h"

static int flags_of(int fd) {
    int f = fcntl(fd, F_GETFL);
    CHECK(f >= 0);
    return f;
}

int main(void) {
    char buf[64];
    int port;
    int ls = listener(&port);
    CHECK(!(flags_of(ls) & O_NONBLOCK));
    set_nonblocking(ls);
    CHECK(flags_of(ls) & O_NONBLOCK);
    CHECK_ERR(accept(ls, NULL, NULL), EAGAIN);
    CHECK_ERR(accept(ls, NULL, NULL), EAGAIN); /* and again: nothing changed */
    OK("accept_eagain_empty");

    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(c >= 0);
    set_nonblocking(c);
    CHECK(flags_of(c) & O_NONBLOCK);
    struct sockaddr_in a = loopback(port);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EINPROGRESS);
    struct pollfd p = {c, POLLOUT, 0};
    CHECK(poll(&p, 1, 5000) == 1 && p.revents == POLLOUT);
    int err = -1;
    socklen_t len = sizeof err;
    CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0);
    struct sockaddr_in peer;
    len = sizeof peer;
    CHECK(getpeername(c, (struct sockaddr *)&peer, &len) == 0 && peer.sin_port == htons((uint16_t)port));
    /* Linux answers the first connect() after completion with 0 (the pending connect's result),
     * later ones with EISCONN. */
    int again = connect(c, (struct sockaddr *)&a, sizeof a);
    CHECK(again == 0 || errno == EISCONN);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EISCONN);
    OK("connect_einprogress");

    struct pollfd lp = {ls, POLLIN, 0};
    CHECK(poll(&lp, 1, 5000) == 1 && lp.revents == POLLIN);
    int s = accept(ls, NULL, NULL);
    CHECK(s >= 0);
    CHECK(!(flags_of(s) & O_NONBLOCK)); /* accept() does not pass O_NONBLOCK on */
    CHECK_ERR(accept(ls, NULL, NULL), EAGAIN);
    OK("accept_eagain");

    set_nonblocking(s);
    CHECK(flags_of(s) & O_NONBLOCK);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), EAGAIN);
    CHECK_ERR(read(s, buf, sizeof buf), EAGAIN);
    CHECK_ERR(recv(c, buf, sizeof buf, 0), EAGAIN);
    CHECK(send(c, "abc", 3, 0) == 3);
    struct pollfd sp = {s, POLLIN, 0};
    CHECK(poll(&sp, 1, 5000) == 1);
    CHECK(recv(s, buf, sizeof buf, 0) == 3 && memcmp(buf, "abc", 3) == 0);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), EAGAIN); /* drained */
    /* Clearing the flag makes it blocking again. */
    CHECK(fcntl(s, F_SETFL, flags_of(s) & ~O_NONBLOCK) == 0);
    CHECK(!(flags_of(s) & O_NONBLOCK));
    CHECK(send(c, "d", 1, 0) == 1);
    CHECK(recv(s, buf, sizeof buf, 0) == 1 && buf[0] == 'd'); /* blocking recv waits for it */
    OK("recv_eagain");

    /* After a read that took less than it asked for, wasock answers the next read within
     * 100 us EAGAIN without asking the kernel (it was empty a moment ago), once. Readiness
     * from poll() ends that, so do a peek and a sleep: each is followed by the data; a loop
     * that never waits gets it too; and a blocking socket is never answered so. */
    set_nonblocking(s);
    CHECK(send(c, "ping", 4, 0) == 4);
    CHECK(poll(&sp, 1, 5000) == 1);
    CHECK(recv(s, buf, sizeof buf, 0) == 4 && memcmp(buf, "ping", 4) == 0);
    CHECK(send(c, "pong", 4, 0) == 4);
    CHECK(poll(&sp, 1, 5000) == 1 && (sp.revents & POLLIN));
    CHECK(recv(s, buf, sizeof buf, 0) == 4 && memcmp(buf, "pong", 4) == 0);
    CHECK(send(c, "peek", 4, 0) == 4);
    ssize_t peeked = -1;
    for (int i = 0; i < 1000000 && peeked < 0; i++) {
        peeked = recv(s, buf, sizeof buf, MSG_PEEK);
        CHECK(peeked > 0 || errno == EAGAIN);
    }
    CHECK(peeked == 4 && recv(s, buf, sizeof buf, 0) == 4 && memcmp(buf, "peek", 4) == 0);
    CHECK(send(c, "slept", 5, 0) == 5);
    usleep(50000); /* a guest that slept (no poll) since its short read sees what came */
    CHECK(recv(s, buf, sizeof buf, 0) == 5 && memcmp(buf, "slept", 5) == 0);
    CHECK(send(c, "last", 4, 0) == 4);
    ssize_t got = -1;
    for (int i = 0; i < 1000000 && got < 0; i++) {
        got = read(s, buf, sizeof buf);
        CHECK(got > 0 || errno == EAGAIN);
    }
    CHECK(got == 4 && memcmp(buf, "last", 4) == 0);
    CHECK(fcntl(s, F_SETFL, flags_of(s) & ~O_NONBLOCK) == 0);
    CHECK(send(c, "end", 3, 0) == 3);
    CHECK(recv(s, buf, sizeof buf, 0) == 3 && memcmp(buf, "end", 3) == 0);
    OK("short_read");

    /* Fill the connection: c sends without s reading, bounded by a small send buffer. */
    int small = 4096;
    CHECK(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
    CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    static char chunk[16384];
    memset(chunk, 'f', sizeof chunk);
    long sent = 0;
    int full = 0;
    for (int i = 0; i < 100000 && !full; i++) {
        ssize_t w = send(c, chunk, sizeof chunk, 0);
        if (w < 0) {
            CHECK(errno == EAGAIN);
            full = 1;
        } else {
            CHECK(w > 0);
            sent += w;
        }
    }
    CHECK(full && sent > 0);
    /* Drain what was sent, so the pair is clean again. */
    set_nonblocking(s);
    long drained = 0;
    for (int i = 0; i < 100000 && drained < sent; i++) {
        ssize_t r = recv(s, chunk, sizeof chunk, 0);
        if (r < 0) {
            CHECK(errno == EAGAIN);
            CHECK(poll(&sp, 1, 5000) == 1);
            continue;
        }
        CHECK(r > 0);
        drained += r;
    }
    CHECK(drained == sent);
    OK("send_eagain");

    int n = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(n >= 0 && (flags_of(n) & O_NONBLOCK));
    CHECK_ERR(connect(n, (struct sockaddr *)&a, sizeof a), EINPROGRESS);
    p = (struct pollfd){n, POLLOUT, 0};
    CHECK(poll(&p, 1, 5000) == 1 && p.revents == POLLOUT);
    CHECK(poll(&lp, 1, 5000) == 1);
    int s4 = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
    CHECK(s4 >= 0 && (flags_of(s4) & O_NONBLOCK));
    CHECK_ERR(recv(s4, buf, sizeof buf, 0), EAGAIN);
    OK("sock_nonblock");

    int bc, bs;
    int ls2 = listener(&port);
    tcp_pair(ls2, port, &bc, &bs); /* blocking sockets */
    CHECK_ERR(recv(bs, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK(!(flags_of(bs) & O_NONBLOCK)); /* the socket stays blocking */
    CHECK(send(bc, "x", 1, MSG_DONTWAIT) == 1);
    CHECK(recv(bs, buf, sizeof buf, 0) == 1 && buf[0] == 'x');
    OK("dontwait");

    /* A port nobody listens on: the listener is closed first. */
    int gone_port;
    CHECK(close(listener(&gone_port)) == 0);
    int f = socket(AF_INET, SOCK_STREAM, 0);
    set_nonblocking(f);
    a = loopback(gone_port);
    int r = connect(f, (struct sockaddr *)&a, sizeof a);
    CHECK(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED));
    if (errno == EINPROGRESS) {
        struct pollfd fp = {f, POLLOUT, 0};
        CHECK(poll(&fp, 1, 5000) == 1 && fp.revents != 0);
        len = sizeof err;
        CHECK(getsockopt(f, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED);
        len = sizeof err;
        CHECK(getsockopt(f, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0); /* read once */
    }
    OK("so_error_refused");
    return 0;
}
