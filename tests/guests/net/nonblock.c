/* Non-blocking sockets: EAGAIN from accept/recv, EINPROGRESS connect completed through poll,
 * MSG_DONTWAIT, SOCK_NONBLOCK/accept4, and SO_ERROR for a refused connect. */
#include "net.h"

int main(void) {
    int port;
    int ls = listener(&port);
    set_nonblocking(ls);
    CHECK_ERR(accept(ls, NULL, NULL), EAGAIN);
    OK("accept_eagain");

    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(c >= 0 && (fcntl(c, F_GETFL) & O_NONBLOCK));
    struct sockaddr_in a = loopback(port);
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    CHECK(r == 0 || errno == EINPROGRESS);
    struct pollfd p = {c, POLLOUT, 0};
    CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT));
    int err = -1;
    socklen_t len = sizeof err;
    CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0);
    OK("connect_einprogress");

    struct pollfd lp = {ls, POLLIN, 0};
    CHECK(poll(&lp, 1, 5000) == 1);
    int s = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
    CHECK(s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK));
    char buf[16];
    CHECK_ERR(recv(s, buf, sizeof buf, 0), EAGAIN);
    CHECK_ERR(read(s, buf, sizeof buf), EAGAIN);
    OK("recv_eagain");

    int bc, bs;
    int ls2 = listener(&port);
    tcp_pair(ls2, port, &bc, &bs); /* blocking sockets */
    CHECK_ERR(recv(bs, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK(!(fcntl(bs, F_GETFL) & O_NONBLOCK)); /* the socket stays blocking */
    CHECK(send(bc, "x", 1, MSG_DONTWAIT) == 1);
    CHECK(recv(bs, buf, sizeof buf, 0) == 1);
    OK("dontwait");

    /* A port nobody listens on: the listener is closed first. */
    int gone_port;
    close(listener(&gone_port));
    int f = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    a = loopback(gone_port);
    r = connect(f, (struct sockaddr *)&a, sizeof a);
    CHECK(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED));
    if (errno == EINPROGRESS) {
        struct pollfd fp = {f, POLLOUT, 0};
        CHECK(poll(&fp, 1, 5000) == 1);
        len = sizeof err;
        CHECK(getsockopt(f, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED);
    }
    OK("so_error_refused");
    return 0;
}
