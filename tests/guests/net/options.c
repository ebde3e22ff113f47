/* Every socket option the SDK supports (sdk/c/README.md), set then read back, on TCP and UDP
 * sockets (IPv4 and IPv6). Options need no --addr-pool grant.
 *   type_error       SO_TYPE per socket type, SO_ERROR 0
 *   booleans         each boolean option on, off, and "any non-zero is true", per socket type
 *   values           buffer sizes (Linux doubles: >= the value set), keep-alive times, TTLs
 *   linger_timeouts  SO_LINGER and SO_RCVTIMEO/SO_SNDTIMEO on both socket types
 *   getter_widths    the raw getters write exactly their slot (1-byte booleans/TTLs, 4-byte
 *                    sizes, 8-byte timeouts) and nothing past it
 *   membership       IP_ADD/DROP_MEMBERSHIP 224.0.0.251 on the loopback interface
 *   errors           unknown options/levels, short optlen, truncation, non-sockets */
#include "net.h"
#include <sys/time.h>

static int geti(int fd, int level, int opt) {
    int v = -12345;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, opt, &v, &len) != 0 || len != sizeof(int)) {
        fprintf(stderr, "FAIL: getsockopt(fd %d, level %d, opt %d) (errno=%d len=%u)\n", fd, level, opt, errno,
                (unsigned)len);
        exit(1);
    }
    return v;
}

static void seti(int fd, int level, int opt, int v) {
    if (setsockopt(fd, level, opt, &v, sizeof v) != 0) {
        fprintf(stderr, "FAIL: setsockopt(fd %d, level %d, opt %d, %d) (errno=%d)\n", fd, level, opt, v, errno);
        exit(1);
    }
}

static void expect(int fd, int level, int opt, int got, int want, const char *how) {
    if (got != want) {
        fprintf(stderr, "FAIL: fd %d level %d opt %d: got %d, want %s %d\n", fd, level, opt, got, how, want);
        exit(1);
    }
}

static void bool_roundtrip(int fd, int level, int opt) {
    seti(fd, level, opt, 1);
    expect(fd, level, opt, geti(fd, level, opt), 1, "");
    seti(fd, level, opt, 0);
    expect(fd, level, opt, geti(fd, level, opt), 0, "");
    seti(fd, level, opt, 0x100); /* POSIX: any non-zero is true (WAMR used only the low byte) */
    expect(fd, level, opt, geti(fd, level, opt), 1, "");
    seti(fd, level, opt, 0);
    expect(fd, level, opt, geti(fd, level, opt), 0, "");
}

static void value_roundtrip(int fd, int level, int opt, int v) {
    seti(fd, level, opt, v);
    expect(fd, level, opt, geti(fd, level, opt), v, "");
}

static void bufsize(int fd, int opt, int v) {
    seti(fd, SOL_SOCKET, opt, v);
    int got = geti(fd, SOL_SOCKET, opt);
    if (got < v) /* Linux doubles the value for bookkeeping; never less than asked */
        expect(fd, SOL_SOCKET, opt, got, v, ">=");
}

static void timeo(int fd, int opt, struct timeval tv) {
    struct timeval got = {-1, -1};
    socklen_t len = sizeof got;
    CHECK(setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) == 0);
    CHECK(getsockopt(fd, SOL_SOCKET, opt, &got, &len) == 0 && len == sizeof got);
    if (got.tv_sec != tv.tv_sec || got.tv_usec != tv.tv_usec) {
        fprintf(stderr, "FAIL: fd %d opt %d: got {%lld, %lld}, want {%lld, %lld}\n", fd, opt, (long long)got.tv_sec,
                (long long)got.tv_usec, (long long)tv.tv_sec, (long long)tv.tv_usec);
        exit(1);
    }
}

static void linger_roundtrip(int fd) {
    struct linger l = {1, 9}, got;
    socklen_t len = sizeof got;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    memset(&got, 0x7f, sizeof got);
    CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &got, &len) == 0 && len == sizeof got);
    CHECK(got.l_onoff == 1 && got.l_linger == 9);
    l = (struct linger){0, 0};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &got, &len) == 0 && got.l_onoff == 0);
}

int main(void) {
    int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
    int t6 = socket(AF_INET6, SOCK_STREAM, 0), u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    CHECK(t >= 0 && u >= 0 && t6 >= 0 && u6 >= 0);
    int all[] = {t, u, t6, u6}, stream[] = {t, t6}, v4[] = {t, u};
    CHECK(geti(t, SOL_SOCKET, SO_TYPE) == SOCK_STREAM && geti(t6, SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
    CHECK(geti(u, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM && geti(u6, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM);
    for (int i = 0; i < 4; i++)
        CHECK(geti(all[i], SOL_SOCKET, SO_ERROR) == 0);
    OK("type_error");

    for (int i = 0; i < 4; i++) {
        bool_roundtrip(all[i], SOL_SOCKET, SO_REUSEADDR);
        bool_roundtrip(all[i], SOL_SOCKET, SO_REUSEPORT);
        bool_roundtrip(all[i], SOL_SOCKET, SO_BROADCAST);
        bool_roundtrip(all[i], SOL_SOCKET, SO_KEEPALIVE);
    }
    for (int i = 0; i < 2; i++) {
        bool_roundtrip(stream[i], IPPROTO_TCP, TCP_NODELAY);
        bool_roundtrip(stream[i], IPPROTO_TCP, TCP_FASTOPEN_CONNECT);
        /* On an unconnected socket nothing else changes quick-ack mode, so it reads back. */
        value_roundtrip(stream[i], IPPROTO_TCP, TCP_QUICKACK, 0);
        value_roundtrip(stream[i], IPPROTO_TCP, TCP_QUICKACK, 1);
    }
    bool_roundtrip(u, IPPROTO_IP, IP_MULTICAST_LOOP);
    bool_roundtrip(t6, IPPROTO_IPV6, IPV6_V6ONLY);
    bool_roundtrip(u6, IPPROTO_IPV6, IPV6_V6ONLY);
    bool_roundtrip(u6, IPPROTO_IPV6, IPV6_MULTICAST_LOOP);
    OK("booleans");

    for (int i = 0; i < 4; i++) {
        bufsize(all[i], SO_SNDBUF, 65536);
        bufsize(all[i], SO_RCVBUF, 32768);
        bufsize(all[i], SO_SNDBUF, 12345);
    }
    for (int i = 0; i < 2; i++) {
        value_roundtrip(stream[i], IPPROTO_TCP, TCP_KEEPIDLE, 123);
        value_roundtrip(stream[i], IPPROTO_TCP, TCP_KEEPIDLE, 7200);
        value_roundtrip(stream[i], IPPROTO_TCP, TCP_KEEPINTVL, 17);
        value_roundtrip(stream[i], IPPROTO_TCP, TCP_KEEPINTVL, 75);
    }
    for (int i = 0; i < 2; i++) {
        value_roundtrip(v4[i], IPPROTO_IP, IP_TTL, 200);
        value_roundtrip(v4[i], IPPROTO_IP, IP_TTL, 1);
        value_roundtrip(v4[i], IPPROTO_IP, IP_TTL, 255);
    }
    int big = 256;
    CHECK_ERR(setsockopt(t, IPPROTO_IP, IP_TTL, &big, sizeof big), EINVAL); /* WAMR silently set 0 */
    CHECK(geti(t, IPPROTO_IP, IP_TTL) == 255);                              /* unchanged */
    value_roundtrip(u, IPPROTO_IP, IP_MULTICAST_TTL, 7);
    value_roundtrip(u, IPPROTO_IP, IP_MULTICAST_TTL, 0);
    value_roundtrip(u, IPPROTO_IP, IP_MULTICAST_TTL, 255);
    OK("values");

    for (int i = 0; i < 4; i++) {
        linger_roundtrip(all[i]);
        timeo(all[i], SO_RCVTIMEO, (struct timeval){1, 500000});
        timeo(all[i], SO_SNDTIMEO, (struct timeval){3, 0});
        timeo(all[i], SO_RCVTIMEO, (struct timeval){0, 0});
        timeo(all[i], SO_SNDTIMEO, (struct timeval){0, 0});
    }
    OK("linger_timeouts");

    /* The raw imports' output slots (docs/socket-abi.md): bytes past the slot stay untouched. */
    unsigned char slot[16];
    memset(slot, 0xAA, sizeof slot);
    CHECK(__wasi_sock_set_reuse_addr(t, 1) == 0);
    CHECK(__wasi_sock_get_reuse_addr(t, (bool *)slot) == 0 && slot[0] == 1 && slot[1] == 0xAA);
    memset(slot, 0xAA, sizeof slot);
    CHECK(__wasi_sock_get_ip_ttl(t, (uint8_t *)slot) == 0 && slot[0] == 255 && slot[1] == 0xAA);
    memset(slot, 0xAA, sizeof slot);
    CHECK(__wasi_sock_get_send_buf_size(t, (__wasi_size_t *)slot) == 0 && slot[4] == 0xAA && slot[5] == 0xAA);
    uint32_t size32;
    memcpy(&size32, slot, 4);
    CHECK(size32 == (uint32_t)geti(t, SOL_SOCKET, SO_SNDBUF));
    memset(slot, 0xAA, sizeof slot);
    CHECK(__wasi_sock_get_tcp_keep_idle(t, (uint32_t *)slot) == 0 && slot[4] == 0xAA);
    memcpy(&size32, slot, 4);
    CHECK(size32 == 7200);
    memset(slot, 0xAA, sizeof slot);
    CHECK(__wasi_sock_set_recv_timeout(t, 2500000) == 0);
    CHECK(__wasi_sock_get_recv_timeout(t, (uint64_t *)slot) == 0 && slot[8] == 0xAA);
    uint64_t us;
    memcpy(&us, slot, 8);
    CHECK(us == 2500000);
    memset(slot, 0xAA, sizeof slot);
    CHECK(__wasi_sock_get_linger(t, (bool *)slot, (int *)(slot + 4)) == 0 && slot[0] == 0 && slot[1] == 0xAA &&
          slot[8] == 0xAA);
    OK("getter_widths");

    struct ip_mreq m;
    CHECK(inet_pton(AF_INET, "224.0.0.251", &m.imr_multiaddr) == 1);
    /* Join on the loopback interface only: INADDR_ANY would let the kernel pick the default
     * interface and send an IGMP report off the machine. Loopback usually lacks the MULTICAST
     * flag, so the kernel may answer ENODEV; otherwise joining must work, twice is EADDRINUSE,
     * and the group can be left once. Either way nothing leaves the machine. */
    m.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
    int r = setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
    CHECK(r == 0 || errno == ENODEV);
    if (r == 0) {
        CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m), EADDRINUSE);
        CHECK(setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m) == 0);
        CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m), EADDRNOTAVAIL);
        printf("membership joined\n");
    } else {
        printf("membership ENODEV\n");
    }
    CHECK_ERR(setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, 4), EINVAL);
    OK("membership");

    int v = 1;
    CHECK_ERR(setsockopt(t, SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT);
    CHECK_ERR(setsockopt(t, 1234, 1, &v, sizeof v), ENOPROTOOPT);
    socklen_t len = sizeof v;
    CHECK_ERR(getsockopt(t, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
    CHECK_ERR(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL); /* short optlen: no abort */
    struct timeval tv = {1, 0};
    CHECK_ERR(setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);
    struct linger l = {1, 1};
    CHECK_ERR(setsockopt(t, SOL_SOCKET, SO_LINGER, &l, 4), EINVAL);
    /* POSIX truncation: a 2-byte buffer gets the low 2 bytes of the int (SO_REUSEADDR is 1 here). */
    v = 0x7f7f7f7f;
    len = 2;
    CHECK(getsockopt(t, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0 && len == 2 && v == 0x7f7f0001);
    len = sizeof v;
    CHECK_ERR(getsockopt(1, SOL_SOCKET, SO_REUSEADDR, &v, &len), ENOTSOCK);
    CHECK_ERR(setsockopt(1, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), ENOTSOCK);
    CHECK_ERR(getsockopt(99, SOL_SOCKET, SO_REUSEADDR, &v, &len), EBADF);
    OK("errors");
    return 0;
}
