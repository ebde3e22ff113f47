/* Run with --addr-pool=127.0.0.1/32: everything outside is EACCES, and no address form gets
 * around the pool. `policy ports LO HI` runs with --addr-pool=127.0.0.1/32:LO-HI instead. */
#include "net.h"

static struct sockaddr_in v4(const char *ip, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static struct sockaddr_in6 v6(const char *ip, int port) {
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((uint16_t)port);
    CHECK(inet_pton(AF_INET6, ip, &a.sin6_addr) == 1);
    return a;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "ports") == 0) {
        int lo = atoi(argv[2]);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = v4("127.0.0.1", 0);
        CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof a), EACCES); /* port 0 not in the range */
        a = v4("127.0.0.1", lo - 1);
        CHECK_ERR(connect(fd, (struct sockaddr *)&a, sizeof a), EACCES);
        a = v4("127.0.0.1", lo); /* inside the range: allowed, and nobody listens there */
        CHECK_ERR(connect(fd, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
        OK("port_range");
        return 0;
    }
    int port;
    int ls = listener(&port); /* binding 127.0.0.1 is granted */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in out = v4("127.0.0.2", port);
    CHECK_ERR(connect(fd, (struct sockaddr *)&out, sizeof out), EACCES);
    CHECK_ERR(connect(fd, (struct sockaddr *)&out, sizeof out), EACCES); /* reported once on stderr */
    CHECK_ERR(bind(fd, (struct sockaddr *)&out, sizeof out), EACCES);
    struct sockaddr_in any = v4("0.0.0.0", 0);
    CHECK_ERR(bind(fd, (struct sockaddr *)&any, sizeof any), EACCES); /* the wildcard is not granted */
    OK("connect_bind");

    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&out, sizeof out), EACCES);
    struct iovec iov = {"x", 1};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = &out;
    msg.msg_namelen = sizeof out;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    CHECK_ERR(sendmsg(u, &msg, 0), EACCES);
    OK("sendto");

    int n = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(listen(n, 1), EACCES); /* the kernel would auto-bind 0.0.0.0: not granted */
    OK("listen_autobind");

    int s6 = socket(AF_INET6, SOCK_STREAM, 0);
    int off = 0;
    CHECK(setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0);
    struct sockaddr_in6 mapped_out = v6("::ffff:127.0.0.2", port);
    CHECK_ERR(connect(s6, (struct sockaddr *)&mapped_out, sizeof mapped_out), EACCES);
    struct sockaddr_in6 mapped_in = v6("::ffff:127.0.0.1", port);
    CHECK(connect(s6, (struct sockaddr *)&mapped_in, sizeof mapped_in) == 0); /* same as 127.0.0.1 */
    int acc = accept(ls, NULL, NULL);
    CHECK(acc >= 0);
    int s6b = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 lo6 = v6("::1", port);
    CHECK_ERR(connect(s6b, (struct sockaddr *)&lo6, sizeof lo6), EACCES); /* ::1 is not 127.0.0.1 */
    OK("mapped_ipv6");
    return 0;
}
