/* A hostile guest against the raw socket imports (declared here, so any i32 can be passed).
 * Run with --addr-pool=127.0.0.1/32. Checks:
 *   efault_*       every pointer parameter of every socket import, out of bounds (0xFFFFFFF0) or
 *                  straddling the end of memory, is EFAULT (21) - no trap - and the call has no
 *                  effect (no data consumed or sent, no connection accepted, no fd leaked);
 *   unterminated   a host/service string running into the end of memory is EFAULT;
 *   exact_fit      a getter whose slot ends exactly at the end of memory succeeds;
 *   count_only     sock_addr_resolve with n = 0 is a count-only query;
 *   bad_kind       __wasi_addr_t.kind outside {0, 1} is EPROTONOSUPPORT (66);
 *   ebadf          every import on fd 99 is EBADF (8);
 *   not_a_socket   bind/connect/listen/accept/addr_* on stdout are ENOTCAPABLE (76), options and
 *                  shutdown ENOTSOCK (57);
 *   alive          after all that, a normal connection still works and the guest exits 0. */
#include "net.h"

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
typedef int32_t i32;

i32 raw_sock_open(i32 poolfd, i32 af, i32 type, i32 fd_out) IMPORT("sock_open");
i32 raw_sock_bind(i32 fd, i32 addr) IMPORT("sock_bind");
i32 raw_sock_connect(i32 fd, i32 addr) IMPORT("sock_connect");
i32 raw_sock_listen(i32 fd, i32 backlog) IMPORT("sock_listen");
i32 raw_sock_accept(i32 fd, i32 flags, i32 fd_out) IMPORT("sock_accept");
i32 raw_sock_addr_local(i32 fd, i32 addr_out) IMPORT("sock_addr_local");
i32 raw_sock_addr_remote(i32 fd, i32 addr_out) IMPORT("sock_addr_remote");
i32 raw_sock_addr_resolve(i32 host, i32 service, i32 hints, i32 out, i32 n, i32 total_out) IMPORT("sock_addr_resolve");
i32 raw_sock_send_to(i32 fd, i32 iovs, i32 iovs_len, i32 flags, i32 dest, i32 sent_out) IMPORT("sock_send_to");
i32 raw_sock_recv_from(i32 fd, i32 iovs, i32 iovs_len, i32 flags, i32 src_out, i32 recvd_out) IMPORT("sock_recv_from");
i32 raw_sock_close(i32 fd) IMPORT("sock_close");
i32 raw_sock_recv(i32 fd, i32 iovs, i32 iovs_len, i32 flags, i32 recvd_out, i32 roflags_out) IMPORT("sock_recv");
i32 raw_sock_send(i32 fd, i32 iovs, i32 iovs_len, i32 flags, i32 sent_out) IMPORT("sock_send");
i32 raw_sock_shutdown(i32 fd, i32 how) IMPORT("sock_shutdown");
i32 raw_get_linger(i32 fd, i32 on_out, i32 secs_out) IMPORT("sock_get_linger");
i32 raw_set_linger(i32 fd, i32 on, i32 secs) IMPORT("sock_set_linger");
i32 raw_get_ip_multicast_loop(i32 fd, i32 ipv6, i32 out) IMPORT("sock_get_ip_multicast_loop");
i32 raw_set_ip_multicast_loop(i32 fd, i32 ipv6, i32 on) IMPORT("sock_set_ip_multicast_loop");
i32 raw_set_ip_add_membership(i32 fd, i32 group, i32 iface) IMPORT("sock_set_ip_add_membership");
i32 raw_set_ip_drop_membership(i32 fd, i32 group, i32 iface) IMPORT("sock_set_ip_drop_membership");
i32 raw_set_recv_timeout(i32 fd, int64_t us) IMPORT("sock_set_recv_timeout");
i32 raw_set_send_timeout(i32 fd, int64_t us) IMPORT("sock_set_send_timeout");

/* The 16 (fd, *out) getters and their (fd, i32) setters, with the getter's slot size
 * (docs/socket-abi.md: booleans and TTLs 1 byte, buffer sizes and keep-alive times 4,
 * timeouts 8). */
#define OPT(name)                                                                                   \
    i32 raw_get_##name(i32 fd, i32 out) IMPORT("sock_get_" #name);                                  \
    i32 raw_set_##name(i32 fd, i32 v) IMPORT("sock_set_" #name);
OPT(broadcast)
OPT(keep_alive)
OPT(reuse_addr)
OPT(reuse_port)
OPT(tcp_fastopen_connect)
OPT(tcp_no_delay)
OPT(tcp_quick_ack)
OPT(ipv6_only)
OPT(recv_buf_size)
OPT(send_buf_size)
OPT(tcp_keep_idle)
OPT(tcp_keep_intvl)
OPT(ip_ttl)
OPT(ip_multicast_ttl)
#undef OPT
i32 raw_get_recv_timeout(i32 fd, i32 out) IMPORT("sock_get_recv_timeout");
i32 raw_get_send_timeout(i32 fd, i32 out) IMPORT("sock_get_send_timeout");

struct getter {
    const char *name;
    i32 (*get)(i32, i32);
    i32 (*set)(i32, i32); /* NULL: the setter takes an i64 (timeouts) */
    int size;
    int sock; /* the socket it applies to: TCP4 (connected), TCP6 or UDP4 */
};
enum { TCP4, TCP6, UDP4 };
#define G(name, size, sock) {#name, raw_get_##name, raw_set_##name, size, sock}
static const struct getter GETTERS[] = {
    G(broadcast, 1, UDP4),     G(keep_alive, 1, TCP4),    G(reuse_addr, 1, TCP4),
    G(reuse_port, 1, TCP4),    G(tcp_fastopen_connect, 1, TCP4), G(tcp_no_delay, 1, TCP4),
    G(tcp_quick_ack, 1, TCP4), G(ipv6_only, 1, TCP6),     G(recv_buf_size, 4, TCP4),
    G(send_buf_size, 4, TCP4), G(tcp_keep_idle, 4, TCP4), G(tcp_keep_intvl, 4, TCP4),
    G(ip_ttl, 1, TCP4),        G(ip_multicast_ttl, 1, UDP4),
    {"recv_timeout", raw_get_recv_timeout, NULL, 8, TCP4},
    {"send_timeout", raw_get_send_timeout, NULL, 8, TCP4},
};
#define NGETTERS (int)(sizeof GETTERS / sizeof GETTERS[0])

#define BAD ((i32)0xFFFFFFF0u)
#define P(x) ((i32)(intptr_t)(x))

/* The call returns exactly this WASI errno. */
#define EQ(call, want)                                                                              \
    do {                                                                                            \
        int _e = (int)(call);                                                                       \
        if (_e != (int)(want)) {                                                                    \
            fprintf(stderr, "FAIL: %s:%d: %s = %d, want %d\n", __FILE__, __LINE__, #call, _e, (int)(want)); \
            exit(1);                                                                                \
        }                                                                                           \
    } while (0)

/* Same, naming the getter under test. */
#define EQG(g, call, want)                                                                          \
    do {                                                                                            \
        int _e = (int)(call);                                                                       \
        if (_e != (int)(want)) {                                                                    \
            fprintf(stderr, "FAIL: %s:%d: [%s] %s = %d, want %d\n", __FILE__, __LINE__, (g)->name, #call, _e, \
                    (int)(want));                                                                   \
            exit(1);                                                                                \
        }                                                                                           \
    } while (0)

static __wasi_addr_t v4addr(int port) {
    __wasi_addr_t a;
    memset(&a, 0, sizeof a);
    a.kind = IPv4;
    a.addr.ip4.addr = (__wasi_addr_ip4_t){127, 0, 0, 1};
    a.addr.ip4.port = (uint16_t)port;
    return a;
}

/* A UDP socket bound to 127.0.0.1 with a kernel-chosen port. */
static int udp_socket(int *port) {
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(u >= 0);
    struct sockaddr_in a = loopback(0);
    CHECK(bind(u, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(u, (struct sockaddr *)&a, &len) == 0);
    *port = ntohs(a.sin_port);
    return u;
}

int main(void) {
    /* A page of our own at the very end of linear memory (sbrk is how wasi-libc grows it, so
     * malloc keeps working): `end` is one past the last valid address. */
    char *page = sbrk(65536);
    CHECK(page != (void *)-1);
    uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
    CHECK((uint32_t)(uintptr_t)page + 65536u == end);

    int port, c, s, uport;
    int ls = listener(&port);
    tcp_pair(ls, port, &c, &s);
    set_nonblocking(ls);
    set_nonblocking(c);
    set_nonblocking(s);
    int u = udp_socket(&uport);
    set_nonblocking(u);
    int t6 = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(t6 >= 0);
    char buf[64];
    uint32_t n32 = 0;
    uint16_t ro = 0;
    __wasi_addr_t addr = v4addr(port);
    __wasi_ciovec_t good = {(const uint8_t *)buf, 1};
    __wasi_ciovec_t badbuf = {(const uint8_t *)(uintptr_t)BAD, 8};
    __wasi_ciovec_t huge = {(const uint8_t *)buf, 0xFFFFFFFFu};       /* runs past the end */
    __wasi_ciovec_t straddle = {(const uint8_t *)(uintptr_t)(end - 4), 8}; /* 4 in, 4 out */

    /* sock_open: no fd is created (the next socket gets the lowest free number, POSIX). */
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(probe >= 0);
    CHECK(close(probe) == 0);
    EQ(raw_sock_open(-1, INET4, SOCKET_STREAM, BAD), __WASI_ERRNO_FAULT);
    EQ(raw_sock_open(-1, INET4, SOCKET_STREAM, P(end - 2)), __WASI_ERRNO_FAULT);
    int again = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(again == probe); /* the failed opens leaked nothing */
    CHECK(close(again) == 0);

    /* Addresses in: bind, connect (24-byte __wasi_addr_t). */
    int fresh = socket(AF_INET, SOCK_STREAM, 0);
    EQ(raw_sock_bind(fresh, BAD), __WASI_ERRNO_FAULT);
    EQ(raw_sock_bind(fresh, P(end - 12)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_connect(fresh, BAD), __WASI_ERRNO_FAULT);
    EQ(raw_sock_connect(fresh, P(end - 23)), __WASI_ERRNO_FAULT);
    CHECK_ERR(accept(ls, NULL, NULL), EAGAIN); /* the failed connect reached nobody */
    /* Addresses out: addr_local, addr_remote. */
    EQ(raw_sock_addr_local(s, BAD), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_local(s, P(end - 20)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_remote(s, BAD), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_remote(s, P(end - 1)), __WASI_ERRNO_FAULT);
    OK("efault_addr");

    /* sock_accept: a pending connection survives a bad fd_out. */
    int pending = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in la = loopback(port);
    CHECK(connect(pending, (struct sockaddr *)&la, sizeof la) == 0);
    struct pollfd lp = {ls, POLLIN, 0};
    CHECK(poll(&lp, 1, 5000) == 1);
    EQ(raw_sock_accept(ls, 0, BAD), __WASI_ERRNO_FAULT);
    EQ(raw_sock_accept(ls, 0, P(end - 3)), __WASI_ERRNO_FAULT);
    int acc = accept(ls, NULL, NULL);
    CHECK(acc >= 0); /* still queued: the bad calls accepted nothing */
    CHECK(close(acc) == 0 && close(pending) == 0);
    OK("efault_accept");

    /* sock_recv: one byte waits on s; no bad call may consume it. */
    CHECK(send(c, "x", 1, 0) == 1);
    struct pollfd sp = {s, POLLIN, 0};
    CHECK(poll(&sp, 1, 5000) == 1);
    __wasi_iovec_t rgood = {(uint8_t *)buf, sizeof buf};
    __wasi_iovec_t rbad = {(uint8_t *)(uintptr_t)BAD, 8};
    __wasi_iovec_t rhuge = {(uint8_t *)buf, 0xFFFFFFFFu};
    __wasi_iovec_t rstraddle = {(uint8_t *)(uintptr_t)(end - 4), 8};
    EQ(raw_sock_recv(s, BAD, 1, 0, P(&n32), P(&ro)), __WASI_ERRNO_FAULT);           /* iovec array */
    EQ(raw_sock_recv(s, P(end - 4), 1, 0, P(&n32), P(&ro)), __WASI_ERRNO_FAULT);    /* half an iovec */
    EQ(raw_sock_recv(s, P(&rgood), 0x20000000, 0, P(&n32), P(&ro)), __WASI_ERRNO_FAULT); /* 4 GiB of iovecs */
    EQ(raw_sock_recv(s, P(&rbad), 1, 0, P(&n32), P(&ro)), __WASI_ERRNO_FAULT);      /* buffer */
    EQ(raw_sock_recv(s, P(&rhuge), 1, 0, P(&n32), P(&ro)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv(s, P(&rstraddle), 1, 0, P(&n32), P(&ro)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv(s, P(&rgood), 1, 0, BAD, P(&ro)), __WASI_ERRNO_FAULT);         /* recvd_out */
    EQ(raw_sock_recv(s, P(&rgood), 1, 0, P(&n32), BAD), __WASI_ERRNO_FAULT);        /* roflags_out */
    EQ(raw_sock_recv(s, P(&rgood), 1, 0, P(&n32), P(end - 1)), __WASI_ERRNO_FAULT);
    /* sock_recv_from on the TCP socket too. */
    EQ(raw_sock_recv_from(s, BAD, 1, 0, P(&addr), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv_from(s, P(&rbad), 1, 0, P(&addr), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv_from(s, P(&rgood), 1, 0, BAD, P(&n32)), __WASI_ERRNO_FAULT);   /* src_out */
    EQ(raw_sock_recv_from(s, P(&rgood), 1, 0, P(end - 10), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv_from(s, P(&rgood), 1, 0, P(&addr), BAD), __WASI_ERRNO_FAULT);  /* recvd_out */
    CHECK(recv(s, buf, sizeof buf, 0) == 1 && buf[0] == 'x'); /* nothing was consumed */
    CHECK_ERR(recv(s, buf, sizeof buf, 0), EAGAIN);
    OK("efault_recv");

    /* sock_send: nothing may be sent by a failing call. A marker sent afterwards must be the
     * first byte the peer sees (TCP keeps order, so a leaked byte would come before it). */
    buf[0] = 'L';
    EQ(raw_sock_send(c, BAD, 1, 0, P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send(c, P(end - 4), 1, 0, P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send(c, P(&good), 0x20000000, 0, P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send(c, P(&badbuf), 1, 0, P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send(c, P(&huge), 1, 0, P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send(c, P(&straddle), 1, 0, P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send(c, P(&good), 1, 0, BAD), __WASI_ERRNO_FAULT); /* sent_out */
    EQ(raw_sock_send(c, P(&good), 1, 0, P(end - 2)), __WASI_ERRNO_FAULT);
    CHECK(send(c, "M", 1, 0) == 1);
    CHECK(poll(&sp, 1, 5000) == 1);
    CHECK(recv(s, buf, sizeof buf, 0) == 1 && buf[0] == 'M');
    OK("efault_send");

    /* sock_send_to / sock_recv_from on UDP: u sends to itself. */
    __wasi_addr_t self = v4addr(uport);
    buf[0] = 'L';
    EQ(raw_sock_send_to(u, BAD, 1, 0, P(&self), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send_to(u, P(&badbuf), 1, 0, P(&self), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send_to(u, P(&huge), 1, 0, P(&self), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send_to(u, P(&good), 0x20000000, 0, P(&self), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send_to(u, P(&good), 1, 0, BAD, P(&n32)), __WASI_ERRNO_FAULT);      /* dest */
    EQ(raw_sock_send_to(u, P(&good), 1, 0, P(end - 20), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_send_to(u, P(&good), 1, 0, P(&self), BAD), __WASI_ERRNO_FAULT);     /* sent_out */
    __wasi_ciovec_t marker = {(const uint8_t *)"M", 1};
    EQ(raw_sock_send_to(u, P(&marker), 1, 0, P(&self), P(&n32)), 0);
    CHECK(n32 == 1);
    struct pollfd up = {u, POLLIN, 0};
    CHECK(poll(&up, 1, 5000) == 1);
    EQ(raw_sock_recv_from(u, BAD, 1, 0, P(&addr), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv_from(u, P(&rbad), 1, 0, P(&addr), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv_from(u, P(&rhuge), 1, 0, P(&addr), P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv_from(u, P(&rgood), 1, 0, BAD, P(&n32)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv_from(u, P(&rgood), 1, 0, P(&addr), BAD), __WASI_ERRNO_FAULT);
    EQ(raw_sock_recv(u, P(&rgood), 1, 0, BAD, P(&ro)), __WASI_ERRNO_FAULT);
    memset(&addr, 0, sizeof addr);
    n32 = 0;
    EQ(raw_sock_recv_from(u, P(&rgood), 1, 0, P(&addr), P(&n32)), 0);
    CHECK(n32 == 1 && buf[0] == 'M'); /* the only datagram: nothing leaked, nothing consumed */
    CHECK(addr.kind == IPv4 && addr.addr.ip4.port == uport && addr.addr.ip4.addr.n0 == 127);
    CHECK_ERR(recv(u, buf, sizeof buf, 0), EAGAIN);
    OK("efault_udp");

    /* sock_addr_resolve: every pointer; literals need no --allow-resolve. */
    __wasi_size_t total = 0;
    __wasi_addr_info_hints_t hints = {SOCKET_STREAM, INET4, 1};
    __wasi_addr_info_t info[2];
    EQ(raw_sock_addr_resolve(BAD, P(""), P(&hints), P(info), 2, P(&total)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), BAD, P(&hints), P(info), 2, P(&total)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), P(""), BAD, P(info), 2, P(&total)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), P(""), P(end - 6), P(info), 2, P(&total)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), P(""), P(&hints), BAD, 2, P(&total)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), P(""), P(&hints), P(end - 28), 2, P(&total)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), P(""), P(&hints), P(info), 0x20000000, P(&total)),
       __WASI_ERRNO_FAULT); /* 28 * n overflows 32 bits */
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), P(""), P(&hints), P(info), 2, BAD), __WASI_ERRNO_FAULT);
    OK("efault_resolve");

    /* Strings with no NUL before the end of memory. */
    memset(page + 65536 - 16, 'a', 16);
    EQ(raw_sock_addr_resolve(P(end - 16), P(""), P(&hints), P(info), 2, P(&total)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), P(end - 16), P(&hints), P(info), 2, P(&total)), __WASI_ERRNO_FAULT);
    EQ(raw_sock_addr_resolve(P(end), P(""), P(&hints), P(info), 2, P(&total)), __WASI_ERRNO_FAULT);
    /* The same string NUL-terminated on the last byte of memory is fine. */
    memcpy(page + 65536 - 10, "127.0.0.1", 10);
    total = 0;
    EQ(raw_sock_addr_resolve(P(end - 10), P(""), P(&hints), P(info), 2, P(&total)), 0);
    CHECK(total == 1 && info[0].addr.kind == IPv4 && info[0].addr.addr.ip4.addr.n3 == 1);
    OK("unterminated");

    /* Option getters: bad and straddling slots fault; a slot ending exactly at the end of memory
     * works. Then the pointer-taking setters and the two-pointer getters. */
    for (int i = 0; i < NGETTERS; i++) {
        const struct getter *g = &GETTERS[i];
        int fd = g->sock == TCP6 ? t6 : g->sock == UDP4 ? u : c;
        EQG(g, g->get(fd, BAD), __WASI_ERRNO_FAULT);
        EQG(g, g->get(fd, P(end - g->size + 1)), __WASI_ERRNO_FAULT);
        EQG(g, g->get(fd, P(end)), __WASI_ERRNO_FAULT);
        EQG(g, g->get(fd, P(end - g->size)), 0);
    }
    EQ(raw_get_linger(c, BAD, P(buf)), __WASI_ERRNO_FAULT);
    EQ(raw_get_linger(c, P(buf), BAD), __WASI_ERRNO_FAULT);
    EQ(raw_get_linger(c, P(buf), P(end - 3)), __WASI_ERRNO_FAULT);
    EQ(raw_get_linger(c, P(end - 1), P(end - 8)), 0);
    EQ(raw_get_ip_multicast_loop(u, 0, BAD), __WASI_ERRNO_FAULT);
    EQ(raw_get_ip_multicast_loop(u, 0, P(end)), __WASI_ERRNO_FAULT);
    EQ(raw_get_ip_multicast_loop(u, 0, P(end - 1)), 0);
    EQ(raw_set_ip_add_membership(u, BAD, 0), __WASI_ERRNO_FAULT);
    EQ(raw_set_ip_add_membership(u, P(end - 10), 0), __WASI_ERRNO_FAULT);
    EQ(raw_set_ip_drop_membership(u, BAD, 0), __WASI_ERRNO_FAULT);
    OK("efault_options");
    OK("exact_fit");

    /* n = 0 asks only for the count (WAMR divided by zero). */
    total = 0;
    EQ(raw_sock_addr_resolve(P("127.0.0.1"), P("80"), P(&hints), P(info), 0, P(&total)), 0);
    EQ(total, 1);
    OK("count_only");

    /* Unknown address kinds. */
    int k = socket(AF_INET, SOCK_STREAM, 0);
    __wasi_addr_t a;
    const uint32_t kinds[] = {2, 7, 0xFFFFFFFFu, 0x100};
    for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        a = v4addr(port);
        a.kind = kinds[i];
        EQ(raw_sock_bind(k, P(&a)), __WASI_ERRNO_PROTONOSUPPORT);
        EQ(raw_sock_connect(k, P(&a)), __WASI_ERRNO_PROTONOSUPPORT);
        EQ(raw_sock_send_to(u, P(&good), 1, 0, P(&a), P(&n32)), __WASI_ERRNO_PROTONOSUPPORT);
    }
    CHECK_ERR(accept(ls, NULL, NULL), EAGAIN); /* none of those connected */
    OK("bad_kind");

    /* fd 99 is not open. Addresses are granted ones, so the pool does not answer first. */
    a = v4addr(port);
    __wasi_addr_t out;
    EQ(raw_sock_bind(99, P(&a)), __WASI_ERRNO_BADF);
    EQ(raw_sock_connect(99, P(&a)), __WASI_ERRNO_BADF);
    EQ(raw_sock_listen(99, 1), __WASI_ERRNO_BADF);
    EQ(raw_sock_accept(99, 0, P(&n32)), __WASI_ERRNO_BADF);
    EQ(raw_sock_addr_local(99, P(&out)), __WASI_ERRNO_BADF);
    EQ(raw_sock_addr_remote(99, P(&out)), __WASI_ERRNO_BADF);
    EQ(raw_sock_recv(99, P(&rgood), 1, 0, P(&n32), P(&ro)), __WASI_ERRNO_BADF);
    EQ(raw_sock_send(99, P(&good), 1, 0, P(&n32)), __WASI_ERRNO_BADF);
    EQ(raw_sock_recv_from(99, P(&rgood), 1, 0, P(&out), P(&n32)), __WASI_ERRNO_BADF);
    EQ(raw_sock_send_to(99, P(&good), 1, 0, P(&a), P(&n32)), __WASI_ERRNO_BADF);
    EQ(raw_sock_shutdown(99, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
    EQ(raw_sock_close(99), __WASI_ERRNO_BADF);
    uint64_t slot;
    for (int i = 0; i < NGETTERS; i++) {
        const struct getter *g = &GETTERS[i];
        EQG(g, g->get(99, P(&slot)), __WASI_ERRNO_BADF);
        if (g->set)
            EQG(g, g->set(99, 1), __WASI_ERRNO_BADF);
    }
    EQ(raw_set_recv_timeout(99, 1000), __WASI_ERRNO_BADF);
    EQ(raw_set_send_timeout(99, 1000), __WASI_ERRNO_BADF);
    EQ(raw_get_linger(99, P(buf), P(&slot)), __WASI_ERRNO_BADF);
    EQ(raw_set_linger(99, 1, 1), __WASI_ERRNO_BADF);
    EQ(raw_get_ip_multicast_loop(99, 0, P(buf)), __WASI_ERRNO_BADF);
    EQ(raw_set_ip_multicast_loop(99, 0, 1), __WASI_ERRNO_BADF);
    __wasi_addr_ip_t group;
    memset(&group, 0, sizeof group);
    group.kind = IPv4;
    group.addr.ip4 = (__wasi_addr_ip4_t){224, 0, 0, 251};
    EQ(raw_set_ip_add_membership(99, P(&group), 0), __WASI_ERRNO_BADF);
    EQ(raw_set_ip_drop_membership(99, P(&group), 0), __WASI_ERRNO_BADF);
    OK("ebadf");

    /* stdout is open but is no socket. */
    EQ(raw_sock_bind(1, P(&a)), __WASI_ERRNO_NOTCAPABLE);
    EQ(raw_sock_connect(1, P(&a)), __WASI_ERRNO_NOTCAPABLE);
    EQ(raw_sock_listen(1, 1), __WASI_ERRNO_NOTCAPABLE);
    EQ(raw_sock_accept(1, 0, P(&n32)), __WASI_ERRNO_NOTCAPABLE);
    EQ(raw_sock_addr_local(1, P(&out)), __WASI_ERRNO_NOTCAPABLE);
    EQ(raw_sock_addr_remote(1, P(&out)), __WASI_ERRNO_NOTCAPABLE);
    EQ(raw_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
    for (int i = 0; i < NGETTERS; i++) {
        const struct getter *g = &GETTERS[i];
        EQG(g, g->get(1, P(&slot)), __WASI_ERRNO_NOTSOCK);
        if (g->set)
            EQG(g, g->set(1, 1), __WASI_ERRNO_NOTSOCK);
    }
    EQ(raw_set_recv_timeout(1, 1000), __WASI_ERRNO_NOTSOCK);
    EQ(raw_get_linger(1, P(buf), P(&slot)), __WASI_ERRNO_NOTSOCK);
    EQ(raw_set_linger(1, 1, 1), __WASI_ERRNO_NOTSOCK);
    EQ(raw_get_ip_multicast_loop(1, 0, P(buf)), __WASI_ERRNO_NOTSOCK);
    EQ(raw_set_ip_add_membership(1, P(&group), 0), __WASI_ERRNO_NOTSOCK);
    OK("not_a_socket");

    /* Still a working runtime: a fresh connection carries data both ways. */
    int c2, s2;
    int ls2 = listener(&port);
    tcp_pair(ls2, port, &c2, &s2);
    CHECK(send(c2, "ping", 4, 0) == 4);
    CHECK(recv(s2, buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "ping", 4) == 0);
    CHECK(send(s2, "pong", 4, 0) == 4);
    CHECK(recv(c2, buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "pong", 4) == 0);
    OK("alive");
    return 0;
}
