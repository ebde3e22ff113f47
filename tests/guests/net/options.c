/* Every socket option the SDK supports, set then read back, on TCP, UDP and IPv6 sockets. */
#include "net.h"
#include <sys/time.h>

static int geti(int fd, int level, int opt) {
    int v = -12345;
    socklen_t len = sizeof v;
    CHECK(getsockopt(fd, level, opt, &v, &len) == 0 && len == sizeof(int));
    return v;
}

static void seti(int fd, int level, int opt, int v) { CHECK(setsockopt(fd, level, opt, &v, sizeof v) == 0); }

static void bool_roundtrip(int fd, int level, int opt) {
    seti(fd, level, opt, 1);
    CHECK(geti(fd, level, opt) == 1);
    seti(fd, level, opt, 0);
    CHECK(geti(fd, level, opt) == 0);
    seti(fd, level, opt, 0x100); /* POSIX: any non-zero is true (WAMR used only the low byte) */
    CHECK(geti(fd, level, opt) == 1);
}

int main(void) {
    int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), t6 = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(t >= 0 && u >= 0 && t6 >= 0);
    CHECK(geti(t, SOL_SOCKET, SO_TYPE) == SOCK_STREAM && geti(u, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM);
    int fd1 = geti(t, SOL_SOCKET, SO_ERROR);
    CHECK(fd1 == 0);
    OK("type_error");

    bool_roundtrip(t, SOL_SOCKET, SO_REUSEADDR);
    bool_roundtrip(t, SOL_SOCKET, SO_KEEPALIVE);
    bool_roundtrip(t, SOL_SOCKET, SO_REUSEPORT);
    bool_roundtrip(u, SOL_SOCKET, SO_BROADCAST);
    bool_roundtrip(t, IPPROTO_TCP, TCP_NODELAY);
    bool_roundtrip(t, IPPROTO_TCP, TCP_FASTOPEN_CONNECT);
    seti(t, IPPROTO_TCP, TCP_QUICKACK, 1); /* the kernel may clear quickack at any time */
    CHECK(geti(t, IPPROTO_TCP, TCP_QUICKACK) >= 0);
    bool_roundtrip(u, IPPROTO_IP, IP_MULTICAST_LOOP);
    bool_roundtrip(t6, IPPROTO_IPV6, IPV6_V6ONLY);
    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    bool_roundtrip(u6, IPPROTO_IPV6, IPV6_MULTICAST_LOOP);
    OK("booleans");

    seti(t, SOL_SOCKET, SO_SNDBUF, 65536);
    CHECK(geti(t, SOL_SOCKET, SO_SNDBUF) >= 65536); /* Linux doubles it */
    seti(u, SOL_SOCKET, SO_RCVBUF, 32768);
    CHECK(geti(u, SOL_SOCKET, SO_RCVBUF) >= 32768);
    seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 123);
    CHECK(geti(t, IPPROTO_TCP, TCP_KEEPIDLE) == 123);
    seti(t, IPPROTO_TCP, TCP_KEEPINTVL, 17);
    CHECK(geti(t, IPPROTO_TCP, TCP_KEEPINTVL) == 17);
    seti(t, IPPROTO_IP, IP_TTL, 200);
    CHECK(geti(t, IPPROTO_IP, IP_TTL) == 200);
    int big = 256;
    CHECK_ERR(setsockopt(t, IPPROTO_IP, IP_TTL, &big, sizeof big), EINVAL); /* WAMR silently set 0 */
    seti(u, IPPROTO_IP, IP_MULTICAST_TTL, 7);
    CHECK(geti(u, IPPROTO_IP, IP_MULTICAST_TTL) == 7);
    OK("values");

    struct linger l = {1, 9}, lg;
    socklen_t len = sizeof lg;
    CHECK(setsockopt(t, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    CHECK(getsockopt(t, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff == 1 && lg.l_linger == 9);
    l.l_onoff = 0;
    CHECK(setsockopt(t, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    CHECK(getsockopt(t, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff == 0);
    struct timeval tv = {1, 500000}, tg;
    len = sizeof tg;
    CHECK(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    CHECK(getsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tg, &len) == 0 && tg.tv_sec == 1 && tg.tv_usec == 500000);
    OK("linger_timeouts");

    struct ip_mreq m;
    CHECK(inet_pton(AF_INET, "224.0.0.251", &m.imr_multiaddr) == 1);
    m.imr_interface.s_addr = htonl(INADDR_ANY);
    int r = setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
    /* A sandbox without a multicast route answers ENODEV; anything else must succeed. */
    CHECK(r == 0 || errno == ENODEV);
    if (r == 0)
        CHECK(setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m) == 0);
    CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, 4), EINVAL);
    OK("membership");

    int v = 1;
    CHECK_ERR(setsockopt(t, SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT);
    CHECK_ERR(setsockopt(t, 1234, 1, &v, sizeof v), ENOPROTOOPT);
    len = sizeof v;
    CHECK_ERR(getsockopt(t, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
    /* POSIX truncation: a 2-byte buffer gets the low 2 bytes of the int (SO_REUSEADDR is 1 here). */
    v = 0x7f7f7f7f;
    len = 2;
    CHECK(getsockopt(t, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0 && len == 2 && v == 0x7f7f0001);
    len = sizeof v;
    CHECK_ERR(getsockopt(1, SOL_SOCKET, SO_REUSEADDR, &v, &len), ENOTSOCK);
    CHECK_ERR(setsockopt(1, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), ENOTSOCK);
    OK("errors");
    return 0;
}
