/* Address-pool enforcement. Every refused target is another loopback address (127.0.0.2, ::1,
 * the wildcards), so nothing could leave the machine even if a check were missing.
 *
 * `policy NATIVE_PORT` runs with --addr-pool=127.0.0.1/32; NATIVE_PORT is a listener of the test
 * on 127.0.0.1, which must see exactly one connection (from the IPv4-mapped connect).
 *   connect_bind     connect/bind 127.0.0.2:80 (TCP and UDP), bind 0.0.0.0, IPv6 ::1 / :: are
 *                    EACCES; repeated attempts too (the Rust side checks one stderr line each)
 *   sendto           sendto/sendmsg to 127.0.0.2:80 are EACCES; to 127.0.0.1 they work
 *   listen_autobind  listen() on a never-bound socket is EACCES (the kernel would bind 0.0.0.0)
 *   mapped_ipv6      an AF_INET6 socket (IPV6_V6ONLY off) is refused ::ffff:127.0.0.2 but may
 *                    reach ::ffff:127.0.0.1 (the native listener)
 *
 * `policy ports LO HI` runs with --addr-pool=127.0.0.1/32:LO-HI (nobody listens on LO..HI).
 *   port_range       ports outside LO..HI are EACCES, inside they are allowed */
#include "net.h"

static int ports(int lo, int hi) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = v4("127.0.0.1", 0);
    CHECK_ERR(bind(fd, SA(a), sizeof a), EACCES); /* port 0 is not in the range */
    a = v4("127.0.0.1", lo - 1);
    CHECK_ERR(connect(fd, SA(a), sizeof a), EACCES);
    a = v4("127.0.0.1", hi + 1);
    CHECK_ERR(connect(fd, SA(a), sizeof a), EACCES);
    CHECK_ERR(connect(fd, SA(a), sizeof a), EACCES); /* reported once */
    a = v4("127.0.0.1", lo); /* inside the range: allowed, and nobody listens there */
    CHECK_ERR(connect(fd, SA(a), sizeof a), ECONNREFUSED);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    a = v4("127.0.0.1", hi + 1);
    CHECK_ERR(sendto(u, "x", 1, 0, SA(a), sizeof a), EACCES);
    a = v4("127.0.0.1", hi);
    CHECK(sendto(u, "x", 1, 0, SA(a), sizeof a) == 1);
    int b = socket(AF_INET, SOCK_STREAM, 0);
    int r = bind(b, SA(a), sizeof a); /* hi is granted: the pool lets it through to the kernel */
    CHECK(r == 0 || errno == EADDRINUSE);
    OK("port_range");
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "ports") == 0)
        return ports(atoi(argv[2]), atoi(argv[3]));
    CHECK(argc == 2);
    int native = atoi(argv[1]);
    CHECK(native > 0);

    int port;
    int ls = listener(&port); /* binding 127.0.0.1 is granted */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in out = v4("127.0.0.2", 80);
    CHECK_ERR(connect(fd, SA(out), sizeof out), EACCES);
    CHECK_ERR(connect(fd, SA(out), sizeof out), EACCES); /* reported once on stderr */
    CHECK_ERR(bind(fd, SA(out), sizeof out), EACCES);
    struct sockaddr_in any = v4("0.0.0.0", 0);
    CHECK_ERR(bind(fd, SA(any), sizeof any), EACCES); /* the wildcard is not granted */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK_ERR(connect(u, SA(out), sizeof out), EACCES); /* a UDP default peer is checked too */
    CHECK_ERR(bind(u, SA(out), sizeof out), EACCES);
    int t6 = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 lo6 = v6("::1", 80), any6 = v6("::", 0);
    CHECK_ERR(connect(t6, SA(lo6), sizeof lo6), EACCES); /* ::1 is not 127.0.0.1 */
    CHECK_ERR(bind(t6, SA(any6), sizeof any6), EACCES);
    /* The refused sockets are still usable where the pool allows. */
    struct sockaddr_in mine = v4("127.0.0.1", port);
    CHECK(connect(fd, SA(mine), sizeof mine) == 0);
    int acc = accept(ls, NULL, NULL);
    CHECK(acc >= 0);
    OK("connect_bind");

    CHECK_ERR(sendto(u, "x", 1, 0, SA(out), sizeof out), EACCES);
    CHECK_ERR(sendto(u, "x", 1, 0, SA(out), sizeof out), EACCES);
    struct iovec iov = {"x", 1};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = &out;
    msg.msg_namelen = sizeof out;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    CHECK_ERR(sendmsg(u, &msg, 0), EACCES);
    /* Allowed: u sends to itself on 127.0.0.1 and gets the datagram. */
    struct sockaddr_in self = v4("127.0.0.1", 0);
    CHECK(bind(u, SA(self), sizeof self) == 0);
    socklen_t len = sizeof self;
    CHECK(getsockname(u, SA(self), &len) == 0);
    CHECK(sendto(u, "ok", 2, 0, SA(self), sizeof self) == 2);
    char buf[8];
    CHECK(recv(u, buf, sizeof buf, 0) == 2 && memcmp(buf, "ok", 2) == 0);
    OK("sendto");

    int n = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(listen(n, 1), EACCES); /* the kernel would auto-bind 0.0.0.0: not granted */
    CHECK_ERR(listen(n, 1), EACCES);
    OK("listen_autobind");

    int s6 = socket(AF_INET6, SOCK_STREAM, 0);
    int off = 0;
    CHECK(setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0);
    struct sockaddr_in6 mapped_out = v6("::ffff:127.0.0.2", 80);
    CHECK_ERR(connect(s6, SA(mapped_out), sizeof mapped_out), EACCES);
    CHECK_ERR(bind(s6, SA(mapped_out), sizeof mapped_out), EACCES);
    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    CHECK(setsockopt(u6, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0);
    CHECK_ERR(sendto(u6, "x", 1, 0, SA(mapped_out), sizeof mapped_out), EACCES);
    struct sockaddr_in6 mapped_in = v6("::ffff:127.0.0.1", native);
    CHECK(connect(s6, SA(mapped_in), sizeof mapped_in) == 0); /* the same as 127.0.0.1 */
    CHECK(send(s6, "mapped", 6, 0) == 6);
    struct sockaddr_in6 peer;
    len = sizeof peer;
    CHECK(getpeername(s6, SA(peer), &len) == 0 && peer.sin6_family == AF_INET6);
    CHECK(memcmp(&peer.sin6_addr, &mapped_in.sin6_addr, 16) == 0 && peer.sin6_port == htons((uint16_t)native));
    CHECK(shutdown(s6, SHUT_WR) == 0);
    CHECK(recv(s6, buf, sizeof buf, 0) == 0); /* the test closes after reading */
    OK("mapped_ipv6");
    return 0;
}
