/* TCP semantics on one loopback connection: peek, waitall, shutdown halves, zero-length I/O,
 * read()/write() on sockets, addrlen truncation, accept with NULL address. */
#include "net.h"
#include <sys/ioctl.h>

int main(void) {
    int port, c, s;
    int ls = listener(&port);
    tcp_pair(ls, port, &c, &s);
    char buf[64];

    CHECK(write(c, "hello", 5) == 5); /* fd_write on a socket */
    CHECK(recv(s, buf, 5, MSG_PEEK) == 5 && memcmp(buf, "hello", 5) == 0);
    CHECK(read(s, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0); /* the peek did not consume */
    OK("peek_read_write");

    CHECK(send(c, "ab", 2, 0) == 2);
    CHECK(send(c, "cd", 2, MSG_NOSIGNAL) == 2);
    CHECK(recv(s, buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "abcd", 4) == 0);
    CHECK(send(c, buf, 0, 0) == 0); /* zero-length send is 0, not EINVAL */
    OK("waitall_nosignal_zero");

    CHECK(send(c, "1234567", 7, 0) == 7);
    struct pollfd pr = {s, POLLIN, 0};
    CHECK(poll(&pr, 1, 5000) == 1);
    int avail = -1;
    CHECK(ioctl(s, FIONREAD, &avail) == 0 && avail == 7); /* exact, one fd asked */
    CHECK(recv(s, buf, 7, MSG_WAITALL) == 7);
    OK("fionread");

    CHECK(shutdown(c, SHUT_WR) == 0);
    CHECK(recv(s, buf, sizeof buf, 0) == 0); /* EOF on the server side */
    CHECK(send(s, "late", 4, 0) == 4);       /* the other direction still works */
    CHECK(recv(c, buf, sizeof buf, 0) == 4 && memcmp(buf, "late", 4) == 0);
    CHECK_ERR(shutdown(c, 99), EINVAL);
    OK("shutdown_halves");

    struct sockaddr_in peer;
    socklen_t len = 4; /* too short: truncated, and told the real size */
    memset(&peer, 0xAA, sizeof peer);
    CHECK(getpeername(s, (struct sockaddr *)&peer, &len) == 0 && len == sizeof(struct sockaddr_in));
    CHECK(((unsigned char *)&peer)[4] == 0xAA); /* nothing written past the 4 bytes allowed */
    len = sizeof peer;
    CHECK(getpeername(s, (struct sockaddr *)&peer, &len) == 0 && peer.sin_family == AF_INET);
    CHECK(peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    OK("addrlen");

    int c2 = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    CHECK(connect(c2, (struct sockaddr *)&a, sizeof a) == 0);
    int s2 = accept(ls, NULL, NULL); /* WAMR's library wrote through NULL here */
    CHECK(s2 >= 0);
    struct sockaddr_in local;
    len = sizeof local;
    CHECK(getsockname(c2, (struct sockaddr *)&local, &len) == 0);
    len = sizeof peer;
    CHECK(getpeername(s2, (struct sockaddr *)&peer, &len) == 0 && peer.sin_port == local.sin_port);
    OK("accept_null");

    int a4 = accept4(ls, NULL, NULL, 0x7fff0000);
    CHECK(a4 == -1 && errno == EINVAL);
    close(c2);
    close(s2);
    close(c);
    close(s);
    CHECK_ERR(send(c, "x", 1, 0), EBADF);
    close(ls);
    OK("close");
    return 0;
}
