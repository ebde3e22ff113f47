/*
 * The POSIX socket layer over WAMR's socket imports (wasock's C guest SDK).
 *
 * Fixes WAMR's guest-library defects without changing the import ABI (spec §12, §14.4):
 * *addrlen / *optlen are honoured (POSIX truncation, no writes through NULL), bad lengths are
 * EINVAL rather than assert(), socket() accepts SOCK_NONBLOCK/SOCK_CLOEXEC, accept4 exists,
 * MSG_PEEK/WAITALL/NOSIGNAL/DONTWAIT are accepted, sendmsg honours msg_name, recvmsg fills
 * msg_name/msg_flags, SO_ERROR is emulated, and getaddrinfo handles ai_socktype 0, AI_PASSIVE,
 * AI_NUMERICHOST/NUMERICSERV and numeric services, with EAI_* codes a POSIX program expects.
 * Only imports listed in the spec are used, so a module built with this library is also a
 * valid WAMR (iwasm) application.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wasi_socket_ext.h"

/* Sets errno from a WASI errno and returns -1, or returns 0. */
static int fail(__wasi_errno_t err) {
    if (err == 0)
        return 0;
    errno = err;
    return -1;
}

/* ---- address conversion ---- */

static int to_wasi_addr(const struct sockaddr *sa, socklen_t len, __wasi_addr_t *out) {
    if (sa == NULL || len < (socklen_t)sizeof(sa_family_t))
        return EINVAL;
    memset(out, 0, sizeof *out);
    if (sa->sa_family == AF_INET) {
        if (len < (socklen_t)sizeof(struct sockaddr_in))
            return EINVAL;
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        const uint8_t *b = (const uint8_t *)&in->sin_addr.s_addr;
        out->kind = IPv4;
        out->addr.ip4.addr.n0 = b[0];
        out->addr.ip4.addr.n1 = b[1];
        out->addr.ip4.addr.n2 = b[2];
        out->addr.ip4.addr.n3 = b[3];
        out->addr.ip4.port = ntohs(in->sin_port);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        if (len < (socklen_t)sizeof(struct sockaddr_in6))
            return EINVAL;
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const uint8_t *b = in6->sin6_addr.s6_addr;
        uint16_t g[8];
        for (int i = 0; i < 8; i++)
            g[i] = (uint16_t)((b[2 * i] << 8) | b[2 * i + 1]);
        out->kind = IPv6;
        out->addr.ip6.addr = (__wasi_addr_ip6_t){g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]};
        out->addr.ip6.port = ntohs(in6->sin6_port);
        return 0;
    }
    return EAFNOSUPPORT;
}

/* Builds the sockaddr for `a` in `st`; returns its length, or 0 for an unknown kind. */
static socklen_t from_wasi_addr(const __wasi_addr_t *a, struct sockaddr_storage *st) {
    memset(st, 0, sizeof *st);
    if (a->kind == IPv4) {
        struct sockaddr_in *in = (struct sockaddr_in *)st;
        uint8_t *b = (uint8_t *)&in->sin_addr.s_addr;
        in->sin_family = AF_INET;
        in->sin_port = htons(a->addr.ip4.port);
        b[0] = a->addr.ip4.addr.n0;
        b[1] = a->addr.ip4.addr.n1;
        b[2] = a->addr.ip4.addr.n2;
        b[3] = a->addr.ip4.addr.n3;
        return sizeof(struct sockaddr_in);
    }
    if (a->kind == IPv6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)st;
        const __wasi_addr_ip6_t *g = &a->addr.ip6.addr;
        uint16_t groups[8] = {g->n0, g->n1, g->n2, g->n3, g->h0, g->h1, g->h2, g->h3};
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(a->addr.ip6.port);
        for (int i = 0; i < 8; i++) {
            in6->sin6_addr.s6_addr[2 * i] = (uint8_t)(groups[i] >> 8);
            in6->sin6_addr.s6_addr[2 * i + 1] = (uint8_t)groups[i];
        }
        return sizeof(struct sockaddr_in6);
    }
    return 0;
}

/* POSIX out-address: copies at most *len bytes, then sets *len to the full size. */
static int store_addr(const __wasi_addr_t *a, struct sockaddr *sa, socklen_t *len) {
    if (sa == NULL || len == NULL)
        return 0;
    struct sockaddr_storage st;
    socklen_t full = from_wasi_addr(a, &st);
    if (full == 0)
        return EAFNOSUPPORT;
    memcpy(sa, &st, *len < full ? *len : full);
    *len = full;
    return 0;
}

/* ---- fd flags (NONBLOCK) ---- */

static __wasi_errno_t get_fdflags(int fd, __wasi_fdflags_t *flags) {
    __wasi_fdstat_t st;
    __wasi_errno_t err = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
    if (err == 0)
        *flags = st.fs_flags;
    return err;
}

static __wasi_errno_t set_nonblock(int fd, int on) {
    __wasi_fdflags_t flags;
    __wasi_errno_t err = get_fdflags(fd, &flags);
    if (err)
        return err;
    flags = on ? (flags | __WASI_FDFLAGS_NONBLOCK) : (flags & ~__WASI_FDFLAGS_NONBLOCK);
    return __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, flags);
}

/* MSG_DONTWAIT: make this one call non-blocking, restoring the fd's mode afterwards. */
struct dontwait {
    int fd, restore;
};

static __wasi_errno_t dontwait_begin(int fd, int flags, struct dontwait *d) {
    d->fd = fd;
    d->restore = 0;
    if (!(flags & MSG_DONTWAIT))
        return 0;
    __wasi_fdflags_t f;
    __wasi_errno_t err = get_fdflags(fd, &f);
    if (err || (f & __WASI_FDFLAGS_NONBLOCK))
        return err;
    d->restore = 1;
    return set_nonblock(fd, 1);
}

static void dontwait_end(struct dontwait *d) {
    if (d->restore) {
        int saved = errno;
        set_nonblock(d->fd, 0);
        errno = saved;
    }
}

#define SEND_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT)
#define RECV_FLAGS (MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT)

static __wasi_riflags_t riflags(int flags) {
    return (__wasi_riflags_t)(((flags & MSG_PEEK) ? __WASI_RIFLAGS_RECV_PEEK : 0) |
                              ((flags & MSG_WAITALL) ? __WASI_RIFLAGS_RECV_WAITALL : 0));
}

/* ---- socket lifecycle ---- */

int socket(int domain, int type, int protocol) {
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    __wasi_address_family_t af;
    __wasi_sock_type_t st;
    if (domain == AF_INET)
        af = INET4;
    else if (domain == AF_INET6)
        af = INET6;
    else
        return fail(EAFNOSUPPORT);
    if (type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP))
        st = SOCKET_STREAM;
    else if (type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP))
        st = SOCKET_DGRAM;
    else if (type == SOCK_STREAM || type == SOCK_DGRAM)
        return fail(EPROTONOSUPPORT);
    else
        return fail(EINVAL);
    __wasi_fd_t fd;
    __wasi_errno_t err = __wasi_sock_open((__wasi_fd_t)-1, af, st, &fd);
    if (err)
        return fail(err);
    /* SOCK_CLOEXEC needs nothing: WASI has no exec. */
    if ((flags & SOCK_NONBLOCK) && (err = set_nonblock((int)fd, 1))) {
        close((int)fd);
        return fail(err);
    }
    return (int)fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    __wasi_addr_t a;
    int err = to_wasi_addr(addr, len, &a);
    return fail(err ? (__wasi_errno_t)err : __wasi_sock_bind((__wasi_fd_t)fd, &a));
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    __wasi_addr_t a;
    int err = to_wasi_addr(addr, len, &a);
    return fail(err ? (__wasi_errno_t)err : __wasi_sock_connect((__wasi_fd_t)fd, &a));
}

int listen(int fd, int backlog) {
    return fail(__wasi_sock_listen((__wasi_fd_t)fd, (__wasi_size_t)(backlog < 0 ? 0 : backlog)));
}

/* Defines accept and accept4 together so wasi-libc's accept object (which holds both) is never
 * linked in: no duplicate symbols, and ours fill in the peer address. */
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return fail(EINVAL);
    if (addr != NULL && len == NULL)
        return fail(EFAULT);
    __wasi_fd_t nfd;
    __wasi_errno_t err = __wasi_sock_accept((__wasi_fd_t)fd, 0, &nfd);
    if (err)
        return fail(err);
    /* Set NONBLOCK explicitly: iwasm ignores sock_accept's flags. */
    if ((flags & SOCK_NONBLOCK) && (err = set_nonblock((int)nfd, 1))) {
        close((int)nfd);
        return fail(err);
    }
    if (addr != NULL) {
        __wasi_addr_t peer;
        if (__wasi_sock_addr_remote(nfd, &peer) || store_addr(&peer, addr, len)) {
            /* The peer vanished between accept and getpeername: report it as POSIX allows. */
            close((int)nfd);
            return fail(ECONNABORTED);
        }
    }
    return (int)nfd;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len) { return accept4(fd, addr, len, 0); }

int getsockname(int fd, struct sockaddr *addr, socklen_t *len) {
    if (addr == NULL || len == NULL)
        return fail(EFAULT);
    __wasi_addr_t a;
    __wasi_errno_t err = __wasi_sock_addr_local((__wasi_fd_t)fd, &a);
    return fail(err ? err : (__wasi_errno_t)store_addr(&a, addr, len));
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len) {
    if (addr == NULL || len == NULL)
        return fail(EFAULT);
    __wasi_addr_t a;
    __wasi_errno_t err = __wasi_sock_addr_remote((__wasi_fd_t)fd, &a);
    return fail(err ? err : (__wasi_errno_t)store_addr(&a, addr, len));
}

/* ---- data transfer ---- */

static ssize_t send_iov(int fd, const __wasi_ciovec_t *iov, size_t n, int flags, const struct sockaddr *dest,
                        socklen_t destlen) {
    if (flags & ~SEND_FLAGS)
        return fail(EOPNOTSUPP);
    __wasi_addr_t a;
    int cerr = dest ? to_wasi_addr(dest, destlen, &a) : 0;
    if (cerr)
        return fail((__wasi_errno_t)cerr);
    struct dontwait d;
    __wasi_errno_t err = dontwait_begin(fd, flags, &d);
    if (err)
        return fail(err);
    /* MSG_NOSIGNAL needs nothing: the runtime never raises SIGPIPE. */
    __wasi_size_t sent = 0;
    uint32_t sent_to = 0;
    if (dest)
        err = __wasi_sock_send_to((__wasi_fd_t)fd, iov, (uint32_t)n, 0, &a, &sent_to), sent = sent_to;
    else
        err = __wasi_sock_send((__wasi_fd_t)fd, iov, n, 0, &sent);
    dontwait_end(&d);
    return err ? fail(err) : (ssize_t)sent;
}

static ssize_t recv_iov(int fd, __wasi_iovec_t *iov, size_t n, int flags, struct sockaddr *src, socklen_t *srclen,
                        int *msg_flags) {
    if (flags & ~RECV_FLAGS)
        return fail(EOPNOTSUPP);
    if (src != NULL && srclen == NULL)
        return fail(EFAULT);
    struct dontwait d;
    __wasi_errno_t err = dontwait_begin(fd, flags, &d);
    if (err)
        return fail(err);
    __wasi_size_t got = 0;
    uint32_t got_from = 0;
    __wasi_roflags_t ro = 0;
    __wasi_addr_t from;
    if (src)
        err = __wasi_sock_recv_from((__wasi_fd_t)fd, (__wasi_ciovec_t *)iov, (uint32_t)n, riflags(flags), &from,
                                    &got_from),
        got = got_from;
    else
        err = __wasi_sock_recv((__wasi_fd_t)fd, iov, n, riflags(flags), &got, &ro);
    dontwait_end(&d);
    if (err)
        return fail(err);
    if (src && store_addr(&from, src, srclen))
        *srclen = 0;
    if (msg_flags)
        *msg_flags = (ro & __WASI_ROFLAGS_RECV_DATA_TRUNCATED) ? MSG_TRUNC : 0;
    return (ssize_t)got;
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
    __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
    return send_iov(fd, &iov, 1, flags, NULL, 0);
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
    __wasi_iovec_t iov = {(uint8_t *)buf, len};
    return recv_iov(fd, &iov, 1, flags, NULL, NULL, NULL);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *dest, socklen_t destlen) {
    __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
    return send_iov(fd, &iov, 1, flags, dest, destlen);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *src, socklen_t *srclen) {
    __wasi_iovec_t iov = {(uint8_t *)buf, len};
    return recv_iov(fd, &iov, 1, flags, src, srclen, NULL);
}

/* struct iovec and the WASI iovecs share one layout {pointer, length}. */
_Static_assert(sizeof(struct iovec) == sizeof(__wasi_ciovec_t), "iovec layout");

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    if (msg == NULL || msg->msg_iovlen < 0)
        return fail(EINVAL);
    return send_iov(fd, (const __wasi_ciovec_t *)msg->msg_iov, (size_t)msg->msg_iovlen, flags,
                    (const struct sockaddr *)msg->msg_name, msg->msg_name ? msg->msg_namelen : 0);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    if (msg == NULL || msg->msg_iovlen < 0)
        return fail(EINVAL);
    int mflags = 0;
    ssize_t n = recv_iov(fd, (__wasi_iovec_t *)msg->msg_iov, (size_t)msg->msg_iovlen, flags,
                         (struct sockaddr *)msg->msg_name, msg->msg_name ? &msg->msg_namelen : NULL, &mflags);
    if (n >= 0) {
        msg->msg_flags = mflags;
        msg->msg_controllen = 0;
    }
    return n;
}

int shutdown(int fd, int how) {
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return fail(EINVAL);
    return fail(__wasi_sock_shutdown((__wasi_fd_t)fd, (__wasi_sdflags_t)how));
}

/* ---- options ---- */

static int opt_int(const void *v, socklen_t len, int *out) {
    if (v == NULL || len < (socklen_t)sizeof(int))
        return EINVAL;
    memcpy(out, v, sizeof(int));
    return 0;
}

static int set_bool(int fd, int which, const void *v, socklen_t len) {
    int x, err = opt_int(v, len, &x);
    if (err)
        return err;
    bool on = x != 0;
    switch (which) {
    case 0: return __wasi_sock_set_reuse_addr((__wasi_fd_t)fd, on);
    case 1: return __wasi_sock_set_broadcast((__wasi_fd_t)fd, on);
    case 2: return __wasi_sock_set_keep_alive((__wasi_fd_t)fd, on);
    case 3: return __wasi_sock_set_reuse_port((__wasi_fd_t)fd, on);
    case 4: return __wasi_sock_set_tcp_no_delay((__wasi_fd_t)fd, on);
    case 5: return __wasi_sock_set_tcp_quick_ack((__wasi_fd_t)fd, on);
    case 6: return __wasi_sock_set_tcp_fastopen_connect((__wasi_fd_t)fd, on);
    case 7: return __wasi_sock_set_ipv6_only((__wasi_fd_t)fd, on);
    case 8: return __wasi_sock_set_ip_multicast_loop((__wasi_fd_t)fd, false, on);
    default: return __wasi_sock_set_ip_multicast_loop((__wasi_fd_t)fd, true, on);
    }
}

static int get_bool(int fd, int which, bool *on) {
    switch (which) {
    case 0: return __wasi_sock_get_reuse_addr((__wasi_fd_t)fd, on);
    case 1: return __wasi_sock_get_broadcast((__wasi_fd_t)fd, on);
    case 2: return __wasi_sock_get_keep_alive((__wasi_fd_t)fd, on);
    case 3: return __wasi_sock_get_reuse_port((__wasi_fd_t)fd, on);
    case 4: return __wasi_sock_get_tcp_no_delay((__wasi_fd_t)fd, on);
    case 5: return __wasi_sock_get_tcp_quick_ack((__wasi_fd_t)fd, on);
    case 6: return __wasi_sock_get_tcp_fastopen_connect((__wasi_fd_t)fd, on);
    case 7: return __wasi_sock_get_ipv6_only((__wasi_fd_t)fd, on);
    case 8: return __wasi_sock_get_ip_multicast_loop((__wasi_fd_t)fd, false, on);
    default: return __wasi_sock_get_ip_multicast_loop((__wasi_fd_t)fd, true, on);
    }
}

/* Which boolean option (index into set_bool/get_bool), or -1. */
static int bool_option(int level, int name) {
    if (level == SOL_SOCKET)
        return name == SO_REUSEADDR ? 0 : name == SO_BROADCAST ? 1 : name == SO_KEEPALIVE ? 2 : name == SO_REUSEPORT ? 3 : -1;
    if (level == IPPROTO_TCP)
        return name == TCP_NODELAY ? 4 : name == TCP_QUICKACK ? 5 : name == TCP_FASTOPEN_CONNECT ? 6 : -1;
    if (level == IPPROTO_IPV6)
        return name == IPV6_V6ONLY ? 7 : name == IPV6_MULTICAST_LOOP ? 9 : -1;
    if (level == IPPROTO_IP)
        return name == IP_MULTICAST_LOOP ? 8 : -1;
    return -1;
}

/* wasi-libc's time64 values (66/67) and WAMR's (20/21) both name the timeouts. */
static int is_rcvtimeo(int name) { return name == SO_RCVTIMEO || name == 20 || name == 66; }
static int is_sndtimeo(int name) { return name == SO_SNDTIMEO || name == 21 || name == 67; }

static int membership(int fd, int level, int name, const void *v, socklen_t len) {
    __wasi_addr_ip_t group;
    memset(&group, 0, sizeof group);
    uint32_t iface;
    if (level == IPPROTO_IP) {
        if (v == NULL || len < (socklen_t)sizeof(struct ip_mreq))
            return EINVAL;
        struct ip_mreq m;
        memcpy(&m, v, sizeof m);
        const uint8_t *b = (const uint8_t *)&m.imr_multiaddr.s_addr;
        group.kind = IPv4;
        group.addr.ip4 = (__wasi_addr_ip4_t){b[0], b[1], b[2], b[3]};
        iface = m.imr_interface.s_addr; /* raw, network order, as WAMR passes it */
    } else {
        if (v == NULL || len < (socklen_t)sizeof(struct ipv6_mreq))
            return EINVAL;
        struct ipv6_mreq m;
        memcpy(&m, v, sizeof m);
        const uint8_t *b = m.ipv6mr_multiaddr.s6_addr;
        uint16_t g[8];
        for (int i = 0; i < 8; i++)
            g[i] = (uint16_t)((b[2 * i] << 8) | b[2 * i + 1]);
        group.kind = IPv6;
        group.addr.ip6 = (__wasi_addr_ip6_t){g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]};
        iface = m.ipv6mr_interface;
    }
    int join = name == IP_ADD_MEMBERSHIP || name == IPV6_JOIN_GROUP;
    return join ? __wasi_sock_set_ip_add_membership((__wasi_fd_t)fd, &group, iface)
                : __wasi_sock_set_ip_drop_membership((__wasi_fd_t)fd, &group, iface);
}

int setsockopt(int fd, int level, int name, const void *v, socklen_t len) {
    int b = bool_option(level, name), x, err;
    if (b >= 0)
        return fail((__wasi_errno_t)set_bool(fd, b, v, len));
    if (level == SOL_SOCKET && (is_rcvtimeo(name) || is_sndtimeo(name))) {
        if (v == NULL || len < (socklen_t)sizeof(struct timeval))
            return fail(EINVAL);
        struct timeval tv;
        memcpy(&tv, v, sizeof tv);
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return fail(EDOM);
        uint64_t us = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
        return fail(is_rcvtimeo(name) ? __wasi_sock_set_recv_timeout((__wasi_fd_t)fd, us)
                                      : __wasi_sock_set_send_timeout((__wasi_fd_t)fd, us));
    }
    if (level == SOL_SOCKET && name == SO_LINGER) {
        if (v == NULL || len < (socklen_t)sizeof(struct linger))
            return fail(EINVAL);
        struct linger l;
        memcpy(&l, v, sizeof l);
        return fail(__wasi_sock_set_linger((__wasi_fd_t)fd, l.l_onoff != 0, l.l_linger));
    }
    if ((level == IPPROTO_IP && (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP)) ||
        (level == IPPROTO_IPV6 && (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP)))
        return fail((__wasi_errno_t)membership(fd, level, name, v, len));
    int known = (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF)) ||
                (level == IPPROTO_TCP && (name == TCP_KEEPIDLE || name == TCP_KEEPINTVL)) ||
                (level == IPPROTO_IP && (name == IP_TTL || name == IP_MULTICAST_TTL));
    if (!known)
        return fail(ENOPROTOOPT);
    if ((err = opt_int(v, len, &x)))
        return fail((__wasi_errno_t)err);
    if (x < 0 || ((name == IP_TTL || name == IP_MULTICAST_TTL) && level == IPPROTO_IP && x > 255))
        return fail(EINVAL);
    if (level == SOL_SOCKET)
        return fail(name == SO_SNDBUF ? __wasi_sock_set_send_buf_size((__wasi_fd_t)fd, (size_t)x)
                                      : __wasi_sock_set_recv_buf_size((__wasi_fd_t)fd, (size_t)x));
    if (level == IPPROTO_TCP)
        return fail(name == TCP_KEEPIDLE ? __wasi_sock_set_tcp_keep_idle((__wasi_fd_t)fd, (uint32_t)x)
                                         : __wasi_sock_set_tcp_keep_intvl((__wasi_fd_t)fd, (uint32_t)x));
    return fail(name == IP_TTL ? __wasi_sock_set_ip_ttl((__wasi_fd_t)fd, (uint8_t)x)
                               : __wasi_sock_set_ip_multicast_ttl((__wasi_fd_t)fd, (uint8_t)x));
}

/* Writes an int option result, POSIX-style. */
static int put_int(void *v, socklen_t *len, int x) {
    if (*len < (socklen_t)sizeof(int))
        return EINVAL;
    memcpy(v, &x, sizeof x);
    *len = sizeof(int);
    return 0;
}

/* SO_ERROR without a host getter: a connected socket has none; otherwise a peeking,
 * non-blocking recv reports (and clears) a pending error such as a refused connect. */
static int so_error(int fd) {
    __wasi_addr_t peer;
    if (__wasi_sock_addr_remote((__wasi_fd_t)fd, &peer) == 0)
        return 0;
    uint8_t byte;
    int saved = errno;
    ssize_t r = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    int e = r < 0 ? errno : 0;
    errno = saved;
    switch (e) {
    case ECONNREFUSED: case ECONNRESET: case ETIMEDOUT: case EHOSTUNREACH: case ENETUNREACH: return e;
    default: return 0;
    }
}

int getsockopt(int fd, int level, int name, void *v, socklen_t *len) {
    if (v == NULL || len == NULL)
        return fail(EFAULT);
    int b = bool_option(level, name);
    if (b >= 0) {
        uint32_t slot = 0; /* the host writes one byte */
        __wasi_errno_t err = (__wasi_errno_t)get_bool(fd, b, (bool *)&slot);
        return fail(err ? err : (__wasi_errno_t)put_int(v, len, (slot & 0xff) != 0));
    }
    if (level == SOL_SOCKET && name == SO_TYPE) {
        __wasi_fdstat_t st;
        __wasi_errno_t err = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
        if (err)
            return fail(err);
        if (st.fs_filetype == __WASI_FILETYPE_SOCKET_DGRAM)
            return fail((__wasi_errno_t)put_int(v, len, SOCK_DGRAM));
        if (st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
            return fail((__wasi_errno_t)put_int(v, len, SOCK_STREAM));
        return fail(ENOTSOCK);
    }
    if (level == SOL_SOCKET && name == SO_ERROR)
        return fail((__wasi_errno_t)put_int(v, len, so_error(fd)));
    if (level == SOL_SOCKET && (is_rcvtimeo(name) || is_sndtimeo(name))) {
        if (*len < (socklen_t)sizeof(struct timeval))
            return fail(EINVAL);
        uint64_t us = 0;
        __wasi_errno_t err = is_rcvtimeo(name) ? __wasi_sock_get_recv_timeout((__wasi_fd_t)fd, &us)
                                               : __wasi_sock_get_send_timeout((__wasi_fd_t)fd, &us);
        if (err)
            return fail(err);
        struct timeval tv = {(time_t)(us / 1000000u), (suseconds_t)(us % 1000000u)};
        memcpy(v, &tv, sizeof tv);
        *len = sizeof tv;
        return 0;
    }
    if (level == SOL_SOCKET && name == SO_LINGER) {
        if (*len < (socklen_t)sizeof(struct linger))
            return fail(EINVAL);
        uint32_t on = 0;
        int secs = 0;
        __wasi_errno_t err = __wasi_sock_get_linger((__wasi_fd_t)fd, (bool *)&on, &secs);
        if (err)
            return fail(err);
        struct linger l = {(on & 0xff) != 0, secs};
        memcpy(v, &l, sizeof l);
        *len = sizeof l;
        return 0;
    }
    if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF)) {
        uint64_t slot = 0; /* WAMR writes 8 bytes here, wasock 4 */
        __wasi_errno_t err = name == SO_SNDBUF ? __wasi_sock_get_send_buf_size((__wasi_fd_t)fd, (size_t *)&slot)
                                               : __wasi_sock_get_recv_buf_size((__wasi_fd_t)fd, (size_t *)&slot);
        return fail(err ? err : (__wasi_errno_t)put_int(v, len, (int)(uint32_t)slot));
    }
    if (level == IPPROTO_TCP && (name == TCP_KEEPIDLE || name == TCP_KEEPINTVL)) {
        uint32_t x = 0;
        __wasi_errno_t err = name == TCP_KEEPIDLE ? __wasi_sock_get_tcp_keep_idle((__wasi_fd_t)fd, &x)
                                                  : __wasi_sock_get_tcp_keep_intvl((__wasi_fd_t)fd, &x);
        return fail(err ? err : (__wasi_errno_t)put_int(v, len, (int)x));
    }
    if (level == IPPROTO_IP && (name == IP_TTL || name == IP_MULTICAST_TTL)) {
        uint32_t slot = 0; /* one byte written */
        __wasi_errno_t err = name == IP_TTL ? __wasi_sock_get_ip_ttl((__wasi_fd_t)fd, (uint8_t *)&slot)
                                            : __wasi_sock_get_ip_multicast_ttl((__wasi_fd_t)fd, (uint8_t *)&slot);
        return fail(err ? err : (__wasi_errno_t)put_int(v, len, (int)(slot & 0xff)));
    }
    return fail(ENOPROTOOPT);
}

/* ---- name resolution ---- */

const char *gai_strerror(int code) {
    switch (code) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Invalid flags";
    case EAI_NONAME: return "Name does not resolve";
    case EAI_AGAIN: return "Try again";
    case EAI_FAIL: return "Non-recoverable error";
    case EAI_FAMILY: return "Unrecognized address family or invalid length";
    case EAI_SOCKTYPE: return "Unrecognized socket type";
    case EAI_SERVICE: return "Unrecognized service";
    case EAI_MEMORY: return "Out of memory";
    case EAI_SYSTEM: return "System error (see errno)";
    case EAI_OVERFLOW: return "Overflow";
    default: return "Unknown error";
    }
}

void freeaddrinfo(struct addrinfo *res) {
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res); /* the sockaddr lives in the same block */
        res = next;
    }
}

/* Appends one result (addrinfo + its sockaddr in one block). */
static int push_result(struct addrinfo ***tail, const __wasi_addr_t *a, int socktype, int port_override) {
    struct addrinfo *ai = calloc(1, sizeof(struct addrinfo) + sizeof(struct sockaddr_storage));
    if (ai == NULL)
        return EAI_MEMORY;
    struct sockaddr_storage *st = (struct sockaddr_storage *)(ai + 1);
    socklen_t len = from_wasi_addr(a, st);
    if (port_override >= 0)
        ((struct sockaddr_in *)st)->sin_port = htons((uint16_t)port_override); /* same offset for in6 */
    ai->ai_family = st->ss_family;
    ai->ai_socktype = socktype;
    ai->ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    ai->ai_addrlen = len;
    ai->ai_addr = (struct sockaddr *)st;
    **tail = ai;
    *tail = &ai->ai_next;
    return 0;
}

/* Results for a literal or NULL node: one per family and socket type asked for. */
static int local_results(const __wasi_addr_t *addrs, int n, int socktype, int port, struct addrinfo ***tail) {
    static const int both[] = {SOCK_STREAM, SOCK_DGRAM};
    for (int i = 0; i < n; i++)
        for (int t = 0; t < 2; t++) {
            if (socktype && socktype != both[t])
                continue;
            int err = push_result(tail, &addrs[i], both[t], port);
            if (err)
                return err;
        }
    return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    int flags = hints ? hints->ai_flags : 0, family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0, protocol = hints ? hints->ai_protocol : 0;
    if (res == NULL)
        return EAI_SYSTEM;
    *res = NULL;
    if (flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV))
        return EAI_BADFLAGS;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    if (protocol != 0 && protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
        return EAI_SERVICE;
    if (socktype == 0 && protocol)
        socktype = protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
    if (node == NULL && service == NULL)
        return EAI_NONAME;

    /* A numeric service is a port we fill in ourselves; a name goes to the host resolver. */
    int port = -1;
    const char *host_service = "";
    if (service != NULL && *service) {
        char *end;
        long p = strtol(service, &end, 10);
        if (*end == 0) {
            if (p < 0 || p > 65535)
                return EAI_SERVICE;
            port = (int)p;
        } else if (flags & AI_NUMERICSERV) {
            return EAI_NONAME;
        } else {
            host_service = service;
        }
    }

    struct addrinfo *head = NULL, **tail = &head;
    __wasi_addr_t local[2];
    int nlocal = 0;
    if (node == NULL) {
        if (port < 0 && *host_service)
            return EAI_SERVICE; /* named services need a host to ask; keep it simple */
        uint8_t v4[4] = {0, 0, 0, 0};
        if (!(flags & AI_PASSIVE))
            v4[0] = 127, v4[3] = 1;
        if (family != AF_INET6) {
            memset(&local[nlocal], 0, sizeof local[0]);
            local[nlocal].kind = IPv4;
            local[nlocal++].addr.ip4.addr = (__wasi_addr_ip4_t){v4[0], v4[1], v4[2], v4[3]};
        }
        if (family != AF_INET) {
            memset(&local[nlocal], 0, sizeof local[0]);
            local[nlocal].kind = IPv6;
            local[nlocal++].addr.ip6.addr.h3 = (flags & AI_PASSIVE) ? 0 : 1;
        }
    } else {
        struct in_addr a4;
        struct in6_addr a6;
        if (family != AF_INET6 && inet_pton(AF_INET, node, &a4) == 1) {
            struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = a4};
            to_wasi_addr((struct sockaddr *)&sin, sizeof sin, &local[nlocal++]);
        } else if (family != AF_INET && inet_pton(AF_INET6, node, &a6) == 1) {
            struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = a6};
            to_wasi_addr((struct sockaddr *)&sin6, sizeof sin6, &local[nlocal++]);
        } else if (flags & AI_NUMERICHOST) {
            return EAI_NONAME;
        }
        if (nlocal && port < 0 && *host_service)
            return EAI_SERVICE;
    }
    if (nlocal) {
        int err = local_results(local, nlocal, socktype, port < 0 ? 0 : port, &tail);
        if (err)
            freeaddrinfo(head);
        else
            *res = head;
        return err;
    }

    /* Ask the host; it answers only for names --allow-resolve permits. */
    __wasi_addr_info_hints_t h;
    memset(&h, 0, sizeof h);
    h.hints_enabled = 1;
    h.type = socktype == SOCK_STREAM ? SOCKET_STREAM : socktype == SOCK_DGRAM ? SOCKET_DGRAM : SOCKET_ANY;
    h.family = family == AF_INET ? INET4 : family == AF_INET6 ? INET6 : INET_UNSPEC;
    __wasi_size_t cap = 16, total = 0;
    __wasi_addr_info_t *buf = NULL;
    for (;;) {
        free(buf);
        buf = calloc(cap, sizeof *buf);
        if (buf == NULL)
            return EAI_MEMORY;
        __wasi_errno_t err = __wasi_sock_addr_resolve(node, host_service, &h, buf, cap, &total);
        if (err) {
            free(buf);
            switch (err) {
            case __WASI_ERRNO_INVAL: return EAI_NONAME; /* the host's "unknown name" */
            case __WASI_ERRNO_AGAIN: return EAI_AGAIN;
            case __WASI_ERRNO_NOMEM: return EAI_MEMORY;
            default: errno = err; return EAI_SYSTEM; /* EACCES: denied by --allow-resolve */
            }
        }
        if (total <= cap)
            break;
        cap = total;
    }
    int err = 0;
    for (__wasi_size_t i = 0; i < total && !err; i++) {
        int t = buf[i].type == SOCKET_STREAM ? SOCK_STREAM : SOCK_DGRAM;
        if (socktype && t != socktype)
            continue;
        int fam = buf[i].addr.kind == IPv4 ? AF_INET : AF_INET6;
        if (family != AF_UNSPEC && fam != family)
            continue;
        err = push_result(&tail, &buf[i].addr, t, port);
    }
    free(buf);
    if (err) {
        freeaddrinfo(head);
        return err;
    }
    if (head == NULL)
        return EAI_NONAME;
    *res = head;
    return 0;
}

/* gethostbyname: IPv4 addresses through getaddrinfo, in a static buffer (not thread-safe, as
 * POSIX allows). */
struct hostent *gethostbyname(const char *name) {
    static struct hostent he;
    static char namebuf[256];
    static struct in_addr addrs[8];
    static char *list[9];
    static char *aliases[1];
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (name == NULL || getaddrinfo(name, NULL, &hints, &res) != 0)
        return NULL;
    int n = 0;
    for (ai = res; ai && n < 8; ai = ai->ai_next)
        addrs[n] = ((struct sockaddr_in *)ai->ai_addr)->sin_addr, list[n] = (char *)&addrs[n], n++;
    list[n] = NULL;
    freeaddrinfo(res);
    strncpy(namebuf, name, sizeof namebuf - 1);
    he.h_name = namebuf;
    he.h_aliases = aliases;
    he.h_addrtype = AF_INET;
    he.h_length = 4;
    he.h_addr_list = list;
    return &he;
}
