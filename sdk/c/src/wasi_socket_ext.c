/*
 * wasi_socket_ext.c - POSIX sockets over WAMR's socket imports (wasock's C guest SDK).
 *
 * Only the socket imports of docs/socket-abi.md and standard preview1 calls are used, so a module
 * linked with this file runs on wasock and on WAMR's iwasm. Behaviour that differs from WAMR's
 * own library (all of it on paths where WAMR's asserts, corrupts memory or refuses valid
 * input) is listed in sdk/c/README.md.
 *
 * errno: set through <errno.h>'s `errno`, whatever the libc makes of it (a plain or
 * thread-local variable in wasi-libc, `*__errno_location()` in musl-style headers), so the
 * archive needs no symbol the libc lacks. Build it with the same sysroot/target as the app.
 *
 * Symbols also defined by wasi-libc (accept, accept4, recv, send, shutdown, getsockopt) are
 * defined here, in the same object as everything else, so the linker never pulls wasi-libc's
 * versions (which would either clash, e.g. accept4 + accept in one object, or lack features).
 */
#ifndef __wasi__
#error "wasi_socket_ext.c is for WASI targets (wasm32-wasip1, wasm32-wasip1-threads)"
#endif

#include <wasi_socket_ext.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif
#ifndef EOPNOTSUPP
#define EOPNOTSUPP ENOTSUP
#endif

/* struct iovec and the preview1 (c)iovec share one layout: pass msg_iov through. */
_Static_assert(sizeof(struct iovec) == sizeof(__wasi_ciovec_t), "iovec size");
_Static_assert(offsetof(struct iovec, iov_base) == offsetof(__wasi_ciovec_t, buf), "iovec base");
_Static_assert(offsetof(struct iovec, iov_len) == offsetof(__wasi_ciovec_t, buf_len), "iovec len");
_Static_assert(sizeof(struct iovec) == sizeof(__wasi_iovec_t), "iovec size");

static int fail(int e)
{
    errno = e;
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * Address conversion (layouts: docs/socket-abi.md)
 * ------------------------------------------------------------------------------------------- */

/* sockaddr -> __wasi_addr_t. 0 or an errno. */
static int sockaddr_to_wasi(const struct sockaddr *sa, socklen_t len, __wasi_addr_t *out)
{
    sa_family_t family;
    if (sa == NULL || len < sizeof(sa_family_t))
        return EINVAL;
    memcpy(&family, sa, sizeof family); /* sa_family is at offset 0 */
    memset(out, 0, sizeof *out);
    if (family == AF_INET) {
        struct sockaddr_in sin;
        if (len < sizeof sin)
            return EINVAL;
        memcpy(&sin, sa, sizeof sin);
        const uint8_t *b = (const uint8_t *)&sin.sin_addr;
        out->kind = IPv4;
        out->addr.ip4.addr.n0 = b[0];
        out->addr.ip4.addr.n1 = b[1];
        out->addr.ip4.addr.n2 = b[2];
        out->addr.ip4.addr.n3 = b[3];
        out->addr.ip4.port = ntohs(sin.sin_port);
        return 0;
    }
    if (family == AF_INET6) {
        struct sockaddr_in6 sin6;
        /* 24 = up to and including the address (RFC 2133 size, accepted by Linux too). */
        if (len < offsetof(struct sockaddr_in6, sin6_addr) + sizeof(struct in6_addr))
            return EINVAL;
        memset(&sin6, 0, sizeof sin6);
        memcpy(&sin6, sa, len < sizeof sin6 ? len : sizeof sin6);
        const uint8_t *b = sin6.sin6_addr.s6_addr;
        uint16_t g[8];
        for (int i = 0; i < 8; i++)
            g[i] = (uint16_t)((b[2 * i] << 8) | b[2 * i + 1]);
        out->kind = IPv6;
        out->addr.ip6.addr.n0 = g[0];
        out->addr.ip6.addr.n1 = g[1];
        out->addr.ip6.addr.n2 = g[2];
        out->addr.ip6.addr.n3 = g[3];
        out->addr.ip6.addr.h0 = g[4];
        out->addr.ip6.addr.h1 = g[5];
        out->addr.ip6.addr.h2 = g[6];
        out->addr.ip6.addr.h3 = g[7];
        out->addr.ip6.port = ntohs(sin6.sin6_port);
        return 0;
    }
    return EAFNOSUPPORT;
}

typedef union {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
} any_sockaddr;

/* __wasi_addr_t -> full sockaddr in *out; *len = its size. 0 or an errno. */
static int wasi_to_any(const __wasi_addr_t *in, any_sockaddr *out, socklen_t *len)
{
    memset(out, 0, sizeof *out);
    if (in->kind == IPv4) {
        uint8_t *b = (uint8_t *)&out->in.sin_addr;
        out->in.sin_family = AF_INET;
        out->in.sin_port = htons(in->addr.ip4.port);
        b[0] = in->addr.ip4.addr.n0;
        b[1] = in->addr.ip4.addr.n1;
        b[2] = in->addr.ip4.addr.n2;
        b[3] = in->addr.ip4.addr.n3;
        *len = sizeof out->in;
        return 0;
    }
    if (in->kind == IPv6) {
        const __wasi_addr_ip6_t *a = &in->addr.ip6.addr;
        uint16_t g[8] = {a->n0, a->n1, a->n2, a->n3, a->h0, a->h1, a->h2, a->h3};
        out->in6.sin6_family = AF_INET6;
        out->in6.sin6_port = htons(in->addr.ip6.port);
        for (int i = 0; i < 8; i++) {
            out->in6.sin6_addr.s6_addr[2 * i] = (uint8_t)(g[i] >> 8);
            out->in6.sin6_addr.s6_addr[2 * i + 1] = (uint8_t)g[i];
        }
        *len = sizeof out->in6;
        return 0;
    }
    return EAFNOSUPPORT;
}

/* __wasi_addr_t -> caller's (addr, *addrlen) with POSIX truncation: at most *addrlen bytes are
 * stored, *addrlen becomes the full size. Nothing is written through NULL. */
static int wasi_to_sockaddr(const __wasi_addr_t *in, struct sockaddr *addr, socklen_t *addrlen)
{
    any_sockaddr tmp;
    socklen_t full;
    int e = wasi_to_any(in, &tmp, &full);
    if (e)
        return e;
    if (addr == NULL || addrlen == NULL)
        return 0;
    memcpy(addr, &tmp, *addrlen < full ? *addrlen : full);
    *addrlen = full;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Small helpers over standard preview1 calls
 * ------------------------------------------------------------------------------------------- */

static __wasi_errno_t fd_filetype(int fd, __wasi_filetype_t *type)
{
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
    if (e == 0)
        *type = st.fs_filetype;
    return e;
}

/* MSG_DONTWAIT: the imports have no such flag, so the call runs with the descriptor
 * temporarily switched to non-blocking (fd_fdstat_set_flags) and switched back afterwards.
 * (Another thread using the same descriptor meanwhile sees it non-blocking.) */
typedef struct {
    int active;
    __wasi_fdflags_t saved;
} nonblock_guard;

static __wasi_errno_t dontwait_begin(int fd, int flags, nonblock_guard *g)
{
    __wasi_fdstat_t st;
    __wasi_errno_t e;
    g->active = 0;
    if (!(flags & MSG_DONTWAIT))
        return 0;
    e = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
    if (e)
        return e;
    if (st.fs_flags & __WASI_FDFLAGS_NONBLOCK)
        return 0;
    e = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, st.fs_flags | __WASI_FDFLAGS_NONBLOCK);
    if (e)
        return e;
    g->active = 1;
    g->saved = st.fs_flags;
    return 0;
}

static void dontwait_end(int fd, const nonblock_guard *g)
{
    if (g->active) {
        __wasi_errno_t e = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, g->saved);
        (void)e;
    }
}

#define SEND_FLAGS_OK (MSG_NOSIGNAL | MSG_DONTWAIT)
#define RECV_FLAGS_OK (MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT | MSG_NOSIGNAL)

static __wasi_riflags_t riflags_of(int flags)
{
    __wasi_riflags_t ri = 0;
    if (flags & MSG_PEEK)
        ri |= __WASI_RIFLAGS_RECV_PEEK;
    if (flags & MSG_WAITALL)
        ri |= __WASI_RIFLAGS_RECV_WAITALL;
    return ri;
}

/* ---------------------------------------------------------------------------------------------
 * socket, bind, connect, listen, accept
 * ------------------------------------------------------------------------------------------- */

int socket(int domain, int type, int protocol)
{
    __wasi_address_family_t af;
    __wasi_sock_type_t st;
    __wasi_fd_t fd;
    __wasi_errno_t e;
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (domain == AF_INET)
        af = INET4;
    else if (domain == AF_INET6)
        af = INET6;
    else
        return fail(EAFNOSUPPORT);

    if (base == SOCK_STREAM) {
        st = SOCKET_STREAM;
        if (protocol != 0 && protocol != IPPROTO_TCP)
            return fail(EPROTONOSUPPORT);
    } else if (base == SOCK_DGRAM) {
        st = SOCKET_DGRAM;
        if (protocol != 0 && protocol != IPPROTO_UDP)
            return fail(EPROTONOSUPPORT);
    } else {
        return fail(EINVAL); /* Linux's answer for an unknown type; SOCK_RAW etc. do not exist */
    }

    e = __wasi_sock_open((__wasi_fd_t)-1, af, st, &fd);
    if (e)
        return fail(e);
    /* SOCK_CLOEXEC: there is no exec in WASI; accepted and ignored. */
    if (type & SOCK_NONBLOCK) {
        e = __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK);
        if (e) {
            close((int)fd);
            return fail(e);
        }
    }
    return (int)fd;
}

int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
{
    __wasi_addr_t wa;
    int e = sockaddr_to_wasi(addr, addrlen, &wa);
    if (e)
        return fail(e);
    e = __wasi_sock_bind((__wasi_fd_t)sockfd, &wa);
    return e ? fail(e) : 0;
}

int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
{
    __wasi_addr_t wa;
    int e = sockaddr_to_wasi(addr, addrlen, &wa);
    if (e)
        return fail(e);
    e = __wasi_sock_connect((__wasi_fd_t)sockfd, &wa);
    return e ? fail(e) : 0;
}

int listen(int sockfd, int backlog)
{
    __wasi_errno_t e = __wasi_sock_listen((__wasi_fd_t)sockfd, (__wasi_size_t)backlog);
    return e ? fail(e) : 0;
}

int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
    __wasi_fdflags_t fdflags = 0;
    __wasi_fd_t nfd;
    __wasi_errno_t e;

    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return fail(EINVAL);
    if (addr != NULL && addrlen == NULL)
        return fail(EFAULT);
    if (flags & SOCK_NONBLOCK)
        fdflags = __WASI_FDFLAGS_NONBLOCK;

    e = __wasi_sock_accept((__wasi_fd_t)sockfd, fdflags, &nfd);
    if (e)
        return fail(e);
    if (fdflags) {
        /* WAMR ignores sock_accept's flags; set them explicitly (a no-op on wasock). */
        e = __wasi_fd_fdstat_set_flags(nfd, fdflags);
        if (e)
            goto close_fail;
    }
    if (addr != NULL) {
        __wasi_addr_t wa;
        e = __wasi_sock_addr_remote(nfd, &wa);
        if (e == ENOTCONN)
            e = ECONNABORTED; /* the peer went away before we could ask: POSIX's answer */
        if (e == 0)
            e = (__wasi_errno_t)wasi_to_sockaddr(&wa, addr, addrlen);
        if (e)
            goto close_fail;
    }
    return (int)nfd;

close_fail:
    close((int)nfd);
    return fail(e);
}

int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen)
{
    return accept4(sockfd, addr, addrlen, 0);
}

int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen)
{
    __wasi_addr_t wa;
    __wasi_errno_t e;
    if (addr == NULL || addrlen == NULL)
        return fail(EFAULT);
    e = __wasi_sock_addr_local((__wasi_fd_t)sockfd, &wa);
    if (e == 0)
        e = (__wasi_errno_t)wasi_to_sockaddr(&wa, addr, addrlen);
    return e ? fail(e) : 0;
}

int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen)
{
    __wasi_addr_t wa;
    __wasi_errno_t e;
    if (addr == NULL || addrlen == NULL)
        return fail(EFAULT);
    e = __wasi_sock_addr_remote((__wasi_fd_t)sockfd, &wa);
    if (e == 0)
        e = (__wasi_errno_t)wasi_to_sockaddr(&wa, addr, addrlen);
    return e ? fail(e) : 0;
}

/* ---------------------------------------------------------------------------------------------
 * Data transfer
 * ------------------------------------------------------------------------------------------- */

/* Gathers iov[0..n) to the connected peer (dest NULL) or to dest. */
static ssize_t do_send(int fd, const __wasi_ciovec_t *iov, size_t n, int flags, const __wasi_addr_t *dest)
{
    nonblock_guard g;
    __wasi_size_t sent = 0;
    __wasi_errno_t e;
    if (flags & ~SEND_FLAGS_OK)
        return fail(EOPNOTSUPP);
    /* MSG_NOSIGNAL: wasock never raises SIGPIPE (EPIPE instead); nothing to do. */
    e = dontwait_begin(fd, flags, &g);
    if (e)
        return fail(e);
    if (dest) {
        uint32_t sent32 = 0;
        e = __wasi_sock_send_to((__wasi_fd_t)fd, iov, (uint32_t)n, 0, dest, &sent32);
        sent = sent32;
    } else
        e = __wasi_sock_send((__wasi_fd_t)fd, iov, n, 0, &sent);
    dontwait_end(fd, &g);
    return e ? fail(e) : (ssize_t)sent;
}

/* Scatters into iov[0..n); fills *src (if given) or *roflags. */
static ssize_t do_recv(int fd, const __wasi_iovec_t *iov, size_t n, int flags, __wasi_addr_t *src,
                       __wasi_roflags_t *roflags)
{
    nonblock_guard g;
    __wasi_size_t got = 0;
    __wasi_roflags_t ro = 0;
    __wasi_errno_t e;
    if (flags & ~RECV_FLAGS_OK)
        return fail(EOPNOTSUPP);
    e = dontwait_begin(fd, flags, &g);
    if (e)
        return fail(e);
    if (src) {
        uint32_t got32 = 0;
        e = __wasi_sock_recv_from((__wasi_fd_t)fd, (__wasi_ciovec_t *)(uintptr_t)iov, (uint32_t)n, riflags_of(flags),
                                  src, &got32);
        got = got32;
    } else
        e = __wasi_sock_recv((__wasi_fd_t)fd, iov, n, riflags_of(flags), &got, &ro);
    dontwait_end(fd, &g);
    if (e)
        return fail(e);
    if (roflags)
        *roflags = ro;
    return (ssize_t)got;
}

ssize_t send(int sockfd, const void *buf, size_t len, int flags)
{
    __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
    return do_send(sockfd, &iov, 1, flags, NULL);
}

ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr,
               socklen_t addrlen)
{
    __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
    __wasi_addr_t wa;
    int e;
    if (dest_addr == NULL || addrlen == 0) /* POSIX: no address = the connected peer */
        return do_send(sockfd, &iov, 1, flags, NULL);
    e = sockaddr_to_wasi(dest_addr, addrlen, &wa);
    if (e)
        return fail(e);
    return do_send(sockfd, &iov, 1, flags, &wa);
}

ssize_t recv(int sockfd, void *buf, size_t len, int flags)
{
    __wasi_iovec_t iov = {(uint8_t *)buf, len};
    return do_recv(sockfd, &iov, 1, flags, NULL, NULL);
}

ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen)
{
    __wasi_iovec_t iov = {(uint8_t *)buf, len};
    __wasi_addr_t wa;
    ssize_t n;
    int e;
    if (src_addr == NULL)
        return do_recv(sockfd, &iov, 1, flags, NULL, NULL);
    if (addrlen == NULL)
        return fail(EFAULT);
    n = do_recv(sockfd, &iov, 1, flags, &wa, NULL);
    if (n < 0)
        return n;
    e = wasi_to_sockaddr(&wa, src_addr, addrlen);
    if (e) /* no usable source address (e.g. a host without one): report none */
        *addrlen = 0;
    return n;
}

int shutdown(int sockfd, int how)
{
    __wasi_sdflags_t sd;
    __wasi_errno_t e;
    if (how == SHUT_RD)
        sd = __WASI_SDFLAGS_RD;
    else if (how == SHUT_WR)
        sd = __WASI_SDFLAGS_WR;
    else if (how == SHUT_RDWR)
        sd = __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR;
    else
        return fail(EINVAL);
    e = __wasi_sock_shutdown((__wasi_fd_t)sockfd, sd);
    return e ? fail(e) : 0;
}

static int check_msghdr(const struct msghdr *msg)
{
    if (msg == NULL)
        return EINVAL;
    if (msg->msg_iovlen < 0 || msg->msg_iovlen > IOV_MAX)
        return EMSGSIZE;
    if (msg->msg_iovlen > 0 && msg->msg_iov == NULL)
        return EFAULT;
    return 0;
}

ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags)
{
    __wasi_addr_t wa;
    int e = check_msghdr(msg);
    if (e)
        return fail(e);
    if (msg->msg_control != NULL && msg->msg_controllen > 0)
        return fail(EOPNOTSUPP); /* no ancillary data */
    if (msg->msg_name != NULL && msg->msg_namelen > 0) {
        e = sockaddr_to_wasi((const struct sockaddr *)msg->msg_name, msg->msg_namelen, &wa);
        if (e)
            return fail(e);
        return do_send(sockfd, (const __wasi_ciovec_t *)(const void *)msg->msg_iov, (size_t)msg->msg_iovlen, flags,
                       &wa);
    }
    return do_send(sockfd, (const __wasi_ciovec_t *)(const void *)msg->msg_iov, (size_t)msg->msg_iovlen, flags, NULL);
}

ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags)
{
    const __wasi_iovec_t *iov;
    ssize_t n;
    int e = check_msghdr(msg);
    if (e)
        return fail(e);
    iov = (const __wasi_iovec_t *)(const void *)msg->msg_iov;
    if (msg->msg_name != NULL && msg->msg_namelen > 0) {
        /* sock_recv_from reports the source but no truncation flag. */
        __wasi_addr_t wa;
        n = do_recv(sockfd, iov, (size_t)msg->msg_iovlen, flags, &wa, NULL);
        if (n < 0)
            return n;
        if (wasi_to_sockaddr(&wa, (struct sockaddr *)msg->msg_name, &msg->msg_namelen))
            msg->msg_namelen = 0;
        msg->msg_flags = 0;
    } else {
        __wasi_roflags_t ro = 0;
        n = do_recv(sockfd, iov, (size_t)msg->msg_iovlen, flags, NULL, &ro);
        if (n < 0)
            return n;
        msg->msg_namelen = 0;
        msg->msg_flags = (ro & __WASI_ROFLAGS_RECV_DATA_TRUNCATED) ? MSG_TRUNC : 0;
    }
    msg->msg_controllen = 0; /* no ancillary data */
    return n;
}

/* ---------------------------------------------------------------------------------------------
 * Socket options (imports: docs/socket-abi.md)
 *
 * Every getter hands the host a zeroed 8-byte slot (WAMR writes 8 bytes for buffer sizes and
 * 1 byte for booleans/TTLs, wasock the slot size of docs/socket-abi.md), then widens the value
 * into the caller's full int / struct. Unsupported options -> ENOPROTOOPT.
 * ------------------------------------------------------------------------------------------- */

typedef union {
    uint8_t u8;
    uint32_t u32;
    uint64_t u64;
    unsigned char bytes[8];
} opt_slot;

/* Stores the option value: *optlen must have room for all of it (else EINVAL, as a short
 * length was an assert() in WAMR's library), and becomes its size. */
/* POSIX: a buffer shorter than the value gets the value silently truncated, and *optlen says
 * how much was stored (as Linux does). */
static int put_opt(void *optval, socklen_t *optlen, const void *val, socklen_t len)
{
    socklen_t n = *optlen < len ? *optlen : len;
    memcpy(optval, val, n);
    *optlen = n;
    return 0;
}

static int put_int(void *optval, socklen_t *optlen, int v)
{
    return put_opt(optval, optlen, &v, sizeof v);
}

/* SO_RCVTIMEO/SO_SNDTIMEO: WAMR's numbers (20/21, this header's) and the time64 ones a newer
 * wasi-libc header may define (66/67) name the same options. */
static int is_rcvtimeo(int name)
{
    return name == SO_RCVTIMEO || name == 20 || name == 66;
}

static int is_sndtimeo(int name)
{
    return name == SO_SNDTIMEO || name == 21 || name == 67;
}

/* Reads an int option value: at least sizeof(int) bytes, or one byte where `allow_byte`
 * (Linux accepts a char for the IPPROTO_IP integer options). */
static int get_int_arg(const void *optval, socklen_t optlen, int allow_byte, int *out)
{
    if (optlen >= sizeof(int)) {
        memcpy(out, optval, sizeof(int));
        return 0;
    }
    if (allow_byte && optlen >= 1) {
        *out = *(const unsigned char *)optval;
        return 0;
    }
    return EINVAL;
}

/* SO_ERROR emulation (there is no import for it). A connected socket, a UDP socket, a
 * connection still in progress and a never-connected socket report 0. A TCP socket whose
 * connect failed is not connected, and a 1-byte MSG_PEEK|MSG_DONTWAIT receive on it returns the
 * pending error (ECONNREFUSED, ETIMEDOUT...), which the kernel clears exactly as SO_ERROR does. */
static int so_error(int fd, int *value)
{
    __wasi_filetype_t type;
    __wasi_addr_t wa;
    __wasi_errno_t e = fd_filetype(fd, &type);
    *value = 0;
    if (e)
        return e;
    if (type != __WASI_FILETYPE_SOCKET_STREAM && type != __WASI_FILETYPE_SOCKET_DGRAM)
        return ENOTSOCK;
    if (type == __WASI_FILETYPE_SOCKET_DGRAM)
        return 0;
    if (__wasi_sock_addr_remote((__wasi_fd_t)fd, &wa) == 0)
        return 0; /* connected */
    {
        uint8_t byte;
        __wasi_iovec_t iov = {&byte, 1};
        int saved = errno;
        if (do_recv(fd, &iov, 1, MSG_PEEK | MSG_DONTWAIT, NULL, NULL) < 0) {
            switch (errno) {
            case ECONNREFUSED:
            case ECONNRESET:
            case ECONNABORTED:
            case ETIMEDOUT:
            case EHOSTUNREACH:
            case ENETUNREACH:
            case ENETDOWN:
                *value = errno;
                break;
            default: /* ENOTCONN (never connected), EAGAIN (in progress)... */
                break;
            }
        }
        errno = saved;
    }
    return 0;
}

int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)
{
    __wasi_fd_t fd = (__wasi_fd_t)sockfd;
    opt_slot slot;
    __wasi_errno_t e;
    int v;

    if (optval == NULL || optlen == NULL)
        return fail(EFAULT);
    memset(&slot, 0, sizeof slot);

#define BOOL_GET(name)                                                                                     \
    do {                                                                                                   \
        e = (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_##name((int32_t)fd,                 \
                                                                              (int32_t)(intptr_t)&slot);   \
        if (e)                                                                                             \
            return fail(e);                                                                                \
        return put_int(optval, optlen, slot.bytes[0] != 0);                                                \
    } while (0)
#define U32_GET(name)                                                                                      \
    do {                                                                                                   \
        e = (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_##name((int32_t)fd,                 \
                                                                              (int32_t)(intptr_t)&slot);   \
        if (e)                                                                                             \
            return fail(e);                                                                                \
        return put_int(optval, optlen, (int)slot.u32);                                                     \
    } while (0)
#define U8_GET(name)                                                                                       \
    do {                                                                                                   \
        e = (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_##name((int32_t)fd,                 \
                                                                              (int32_t)(intptr_t)&slot);   \
        if (e)                                                                                             \
            return fail(e);                                                                                \
        return put_int(optval, optlen, (int)slot.bytes[0]);                                                \
    } while (0)

    if (level == SOL_SOCKET && (is_rcvtimeo(optname) || is_sndtimeo(optname))) {
        struct timeval tv;
        e = is_rcvtimeo(optname) ? __wasi_sock_get_recv_timeout(fd, &slot.u64)
                                 : __wasi_sock_get_send_timeout(fd, &slot.u64);
        if (e)
            return fail(e);
        memset(&tv, 0, sizeof tv);
        tv.tv_sec = (time_t)(slot.u64 / 1000000u);
        tv.tv_usec = (suseconds_t)(slot.u64 % 1000000u);
        return put_opt(optval, optlen, &tv, sizeof tv);
    }
    if (level == SOL_SOCKET) {
        switch (optname) {
        case SO_REUSEADDR:
            BOOL_GET(reuse_addr);
        case SO_BROADCAST:
            BOOL_GET(broadcast);
        case SO_KEEPALIVE:
            BOOL_GET(keep_alive);
        case SO_REUSEPORT:
            BOOL_GET(reuse_port);
        case SO_SNDBUF:
            U32_GET(send_buf_size);
        case SO_RCVBUF:
            U32_GET(recv_buf_size);
        case SO_LINGER: {
            int secs = 0;
            struct linger l;
            e = __wasi_sock_get_linger(fd, (bool *)(void *)&slot, &secs);
            if (e)
                return fail(e);
            l.l_onoff = slot.bytes[0] != 0;
            l.l_linger = secs;
            return put_opt(optval, optlen, &l, sizeof l);
        }
        case SO_TYPE: {
            __wasi_filetype_t type;
            e = fd_filetype(sockfd, &type);
            if (e)
                return fail(e);
            if (type == __WASI_FILETYPE_SOCKET_STREAM)
                return put_int(optval, optlen, SOCK_STREAM);
            if (type == __WASI_FILETYPE_SOCKET_DGRAM)
                return put_int(optval, optlen, SOCK_DGRAM);
            return fail(ENOTSOCK);
        }
        case SO_ERROR:
            e = (__wasi_errno_t)so_error(sockfd, &v);
            if (e)
                return fail(e);
            return put_int(optval, optlen, v);
        default:
            return fail(ENOPROTOOPT);
        }
    }
    if (level == IPPROTO_TCP) {
        switch (optname) {
        case TCP_NODELAY:
            BOOL_GET(tcp_no_delay);
        case TCP_QUICKACK:
            BOOL_GET(tcp_quick_ack);
        case TCP_FASTOPEN_CONNECT:
            BOOL_GET(tcp_fastopen_connect);
        case TCP_KEEPIDLE:
            U32_GET(tcp_keep_idle);
        case TCP_KEEPINTVL:
            U32_GET(tcp_keep_intvl);
        default:
            return fail(ENOPROTOOPT);
        }
    }
    if (level == IPPROTO_IP) {
        switch (optname) {
        case IP_TTL:
            U8_GET(ip_ttl);
        case IP_MULTICAST_TTL:
            U8_GET(ip_multicast_ttl);
        case IP_MULTICAST_LOOP:
            e = __wasi_sock_get_ip_multicast_loop(fd, false, (bool *)(void *)&slot);
            if (e)
                return fail(e);
            return put_int(optval, optlen, slot.bytes[0] != 0);
        default:
            return fail(ENOPROTOOPT);
        }
    }
    if (level == IPPROTO_IPV6) {
        switch (optname) {
        case IPV6_V6ONLY:
            BOOL_GET(ipv6_only);
        case IPV6_MULTICAST_LOOP:
            e = __wasi_sock_get_ip_multicast_loop(fd, true, (bool *)(void *)&slot);
            if (e)
                return fail(e);
            return put_int(optval, optlen, slot.bytes[0] != 0);
        default:
            return fail(ENOPROTOOPT);
        }
    }
    return fail(ENOPROTOOPT);
#undef BOOL_GET
#undef U32_GET
#undef U8_GET
}

/* struct ip_mreq / struct ipv6_mreq layouts (declared by <netinet/in.h> only with
 * _BSD_SOURCE/_GNU_SOURCE; spelled out here so the library builds in strict C modes too). */
struct mreq4 {
    struct in_addr multiaddr;
    struct in_addr iface;
};
struct mreq6 {
    struct in6_addr multiaddr;
    unsigned ifindex;
};
_Static_assert(sizeof(struct mreq4) == 8 && sizeof(struct mreq6) == 20, "ip_mreq/ipv6_mreq layouts");

static int set_membership(__wasi_fd_t fd, int ipv6, int add, const void *optval, socklen_t optlen)
{
    __wasi_addr_ip_t group;
    uint32_t iface;
    memset(&group, 0, sizeof group);
    if (!ipv6) {
        struct mreq4 m;
        if (optlen < sizeof m)
            return EINVAL;
        memcpy(&m, optval, sizeof m);
        const uint8_t *b = (const uint8_t *)&m.multiaddr;
        group.kind = IPv4;
        group.addr.ip4.n0 = b[0];
        group.addr.ip4.n1 = b[1];
        group.addr.ip4.n2 = b[2];
        group.addr.ip4.n3 = b[3];
        iface = m.iface.s_addr; /* raw, network order (the host passes it through) */
    } else {
        struct mreq6 m;
        if (optlen < sizeof m)
            return EINVAL;
        memcpy(&m, optval, sizeof m);
        const uint8_t *b = m.multiaddr.s6_addr;
        uint16_t g[8];
        for (int i = 0; i < 8; i++)
            g[i] = (uint16_t)((b[2 * i] << 8) | b[2 * i + 1]);
        group.kind = IPv6;
        group.addr.ip6.n0 = g[0];
        group.addr.ip6.n1 = g[1];
        group.addr.ip6.n2 = g[2];
        group.addr.ip6.n3 = g[3];
        group.addr.ip6.h0 = g[4];
        group.addr.ip6.h1 = g[5];
        group.addr.ip6.h2 = g[6];
        group.addr.ip6.h3 = g[7];
        iface = m.ifindex;
    }
    return add ? __wasi_sock_set_ip_add_membership(fd, &group, iface)
               : __wasi_sock_set_ip_drop_membership(fd, &group, iface);
}

int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen)
{
    __wasi_fd_t fd = (__wasi_fd_t)sockfd;
    __wasi_errno_t e;
    int v = 0;

    if (optval == NULL && optlen > 0)
        return fail(EFAULT);

/* Booleans are normalised to 0/1: the hosts only look at the low byte (0x100 would be false). */
#define INT_ARG(allow_byte)                                                                        \
    do {                                                                                           \
        int ae_ = get_int_arg(optval, optlen, allow_byte, &v);                                     \
        if (ae_)                                                                                   \
            return fail(ae_);                                                                      \
    } while (0)
#define BOOL_SET(name)                                                                             \
    do {                                                                                           \
        INT_ARG(0);                                                                                \
        e = __wasi_sock_set_##name(fd, v != 0);                                                    \
        return e ? fail(e) : 0;                                                                    \
    } while (0)
#define DONE(expr)                                                                                 \
    do {                                                                                           \
        e = (expr);                                                                                \
        return e ? fail(e) : 0;                                                                    \
    } while (0)

    if (level == SOL_SOCKET && (is_rcvtimeo(optname) || is_sndtimeo(optname))) {
        struct timeval tv;
        uint64_t us;
        if (optlen < sizeof tv)
            return fail(EINVAL);
        memcpy(&tv, optval, sizeof tv);
        if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return fail(EDOM);
        if (tv.tv_sec < 0) /* Linux: a negative timeout means none */
            us = 0;
        else if ((uint64_t)tv.tv_sec > (uint64_t)INT64_MAX / 1000000u - 1)
            us = 0; /* beyond any representable timeout: none */
        else
            us = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
        DONE(is_rcvtimeo(optname) ? __wasi_sock_set_recv_timeout(fd, us) : __wasi_sock_set_send_timeout(fd, us));
    }
    if (level == SOL_SOCKET) {
        switch (optname) {
        case SO_REUSEADDR:
            BOOL_SET(reuse_addr);
        case SO_BROADCAST:
            BOOL_SET(broadcast);
        case SO_KEEPALIVE:
            BOOL_SET(keep_alive);
        case SO_REUSEPORT:
            BOOL_SET(reuse_port);
        case SO_SNDBUF:
            INT_ARG(0);
            DONE(__wasi_sock_set_send_buf_size(fd, (__wasi_size_t)(unsigned)v)); /* as given, like Linux */
        case SO_RCVBUF:
            INT_ARG(0);
            DONE(__wasi_sock_set_recv_buf_size(fd, (__wasi_size_t)(unsigned)v));
        case SO_LINGER: {
            struct linger l;
            if (optlen < sizeof l)
                return fail(EINVAL);
            memcpy(&l, optval, sizeof l);
            DONE(__wasi_sock_set_linger(fd, l.l_onoff != 0, l.l_linger));
        }
        default:
            return fail(ENOPROTOOPT); /* includes the read-only SO_TYPE and SO_ERROR */
        }
    }
    if (level == IPPROTO_TCP) {
        switch (optname) {
        case TCP_NODELAY:
            BOOL_SET(tcp_no_delay);
        case TCP_QUICKACK:
            BOOL_SET(tcp_quick_ack);
        case TCP_FASTOPEN_CONNECT:
            BOOL_SET(tcp_fastopen_connect);
        case TCP_KEEPIDLE:
            INT_ARG(0);
            if (v < 1)
                return fail(EINVAL);
            DONE(__wasi_sock_set_tcp_keep_idle(fd, (uint32_t)v));
        case TCP_KEEPINTVL:
            INT_ARG(0);
            if (v < 1)
                return fail(EINVAL);
            DONE(__wasi_sock_set_tcp_keep_intvl(fd, (uint32_t)v));
        default:
            return fail(ENOPROTOOPT);
        }
    }
    if (level == IPPROTO_IP) {
        switch (optname) {
        case IP_TTL:
            INT_ARG(1);
            if (v == -1)
                v = 64; /* "the default": the imports carry a value only */
            if (v < 1 || v > 255)
                return fail(EINVAL);
            DONE(__wasi_sock_set_ip_ttl(fd, (uint8_t)v));
        case IP_MULTICAST_TTL:
            INT_ARG(1);
            if (v == -1)
                v = 1;
            if (v < 0 || v > 255)
                return fail(EINVAL);
            DONE(__wasi_sock_set_ip_multicast_ttl(fd, (uint8_t)v));
        case IP_MULTICAST_LOOP:
            INT_ARG(1);
            DONE(__wasi_sock_set_ip_multicast_loop(fd, false, v != 0));
        case IP_ADD_MEMBERSHIP:
        case IP_DROP_MEMBERSHIP:
            DONE((__wasi_errno_t)set_membership(fd, 0, optname == IP_ADD_MEMBERSHIP, optval, optlen));
        default:
            return fail(ENOPROTOOPT);
        }
    }
    if (level == IPPROTO_IPV6) {
        switch (optname) {
        case IPV6_V6ONLY:
            BOOL_SET(ipv6_only);
        case IPV6_MULTICAST_LOOP:
            INT_ARG(0);
            DONE(__wasi_sock_set_ip_multicast_loop(fd, true, v != 0));
        case IPV6_JOIN_GROUP:
        case IPV6_LEAVE_GROUP:
            DONE((__wasi_errno_t)set_membership(fd, 1, optname == IPV6_JOIN_GROUP, optval, optlen));
        default:
            return fail(ENOPROTOOPT);
        }
    }
    return fail(ENOPROTOOPT);
#undef INT_ARG
#undef BOOL_SET
#undef DONE
}

/* ---------------------------------------------------------------------------------------------
 * Name resolution (sock_addr_resolve: docs/socket-abi.md)
 * ------------------------------------------------------------------------------------------- */

/* One calloc'd block per result entry (canonical name included): freeaddrinfo frees each. */
struct gai_entry {
    struct addrinfo ai;
    any_sockaddr sa;
    char name[];
};

void freeaddrinfo(struct addrinfo *res)
{
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res);
        res = next;
    }
}

const char *gai_strerror(int errcode)
{
    switch (errcode) {
    case 0:
        return "Success";
    case EAI_BADFLAGS:
        return "Invalid flags";
    case EAI_NONAME:
        return "Name does not resolve";
    case EAI_AGAIN:
        return "Try again";
    case EAI_FAIL:
        return "Non-recoverable error";
#ifdef EAI_NODATA
    case EAI_NODATA:
        return "Name has no usable address";
#endif
    case EAI_FAMILY:
        return "Unrecognized address family or invalid length";
    case EAI_SOCKTYPE:
        return "Unrecognized socket type";
    case EAI_SERVICE:
        return "Unrecognized service";
    case EAI_MEMORY:
        return "Out of memory";
    case EAI_SYSTEM:
        return "System error (see errno)";
    case EAI_OVERFLOW:
        return "Overflow";
    default:
        return "Unknown error";
    }
}

/* Well-known services, resolved locally (so AI_PASSIVE servers need no host lookup). */
static const struct {
    const char *name;
    uint16_t port;
} known_services[] = {
    {"echo", 7},     {"discard", 9},  {"daytime", 13},   {"ftp-data", 20}, {"ftp", 21},     {"ssh", 22},
    {"telnet", 23},  {"smtp", 25},    {"time", 37},      {"domain", 53},   {"tftp", 69},    {"http", 80},
    {"www", 80},     {"pop3", 110},   {"ntp", 123},      {"imap", 143},    {"snmp", 161},   {"ldap", 389},
    {"https", 443},  {"syslog", 514}, {"submission", 587}, {"imaps", 993}, {"pop3s", 995},  {"mqtt", 1883},
    {"http-alt", 8080},
};

/* Service -> port. 0: *port set (and *named = 0); EAI_SERVICE-class failures as EAI codes;
 * *named = 1 when the name must be left to the host. */
static int parse_service(const char *service, int flags, int *port, int *named)
{
    *port = 0;
    *named = 0;
    if (service == NULL || service[0] == '\0')
        return 0;
    if (service[0] >= '0' && service[0] <= '9') {
        char *end;
        unsigned long p = strtoul(service, &end, 10);
        if (*end == '\0') {
            if (p > 65535)
                return EAI_SERVICE;
            *port = (int)p;
            return 0;
        }
    }
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    for (size_t i = 0; i < sizeof known_services / sizeof known_services[0]; i++) {
        if (strcmp(service, known_services[i].name) == 0) {
            *port = known_services[i].port;
            return 0;
        }
    }
    *named = 1;
    return 0;
}

typedef struct {
    struct addrinfo *head;
    struct addrinfo **tail;
    int count;
} gai_list;

/* Appends one entry (family from `sa`); EAI_MEMORY on allocation failure. */
static int gai_add(gai_list *l, const any_sockaddr *sa, socklen_t salen, int socktype, const char *canon)
{
    size_t extra = (canon && l->count == 0) ? strlen(canon) + 1 : 0;
    struct gai_entry *e = calloc(1, sizeof *e + extra);
    if (e == NULL)
        return EAI_MEMORY;
    e->sa = *sa;
    e->ai.ai_family = sa->sa.sa_family;
    e->ai.ai_socktype = socktype;
    e->ai.ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    e->ai.ai_addrlen = salen;
    e->ai.ai_addr = &e->sa.sa;
    if (extra) {
        memcpy(e->name, canon, extra);
        e->ai.ai_canonname = e->name;
    }
    *l->tail = &e->ai;
    l->tail = &e->ai.ai_next;
    l->count++;
    return 0;
}

/* The socket types a result is produced for: the hint's, or (type 0) what the protocol
 * allows, stream first. Returns the count written to types[2]. */
static int wanted_socktypes(const struct addrinfo *hints, int types[2])
{
    int n = 0;
    int st = hints ? hints->ai_socktype : 0;
    int proto = hints ? hints->ai_protocol : 0;
    if (st != 0) {
        types[n++] = st;
        return n;
    }
    if (proto == 0 || proto == IPPROTO_TCP)
        types[n++] = SOCK_STREAM;
    if (proto == 0 || proto == IPPROTO_UDP)
        types[n++] = SOCK_DGRAM;
    return n;
}

static void set_port(any_sockaddr *sa, int port)
{
    if (sa->sa.sa_family == AF_INET)
        sa->in.sin_port = htons((uint16_t)port);
    else
        sa->in6.sin6_port = htons((uint16_t)port);
}

static void map_v4_to_v6(any_sockaddr *sa, socklen_t *len)
{
    any_sockaddr m;
    memset(&m, 0, sizeof m);
    m.in6.sin6_family = AF_INET6;
    m.in6.sin6_port = sa->in.sin_port;
    m.in6.sin6_addr.s6_addr[10] = 0xff;
    m.in6.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&m.in6.sin6_addr.s6_addr[12], &sa->in.sin_addr, 4);
    *sa = m;
    *len = sizeof m.in6;
}

static int gai_errno(int eai, int e)
{
    errno = e;
    return eai;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    const int known_flags =
        AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV;
    int flags = hints ? hints->ai_flags : 0;
    int family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0;
    int protocol = hints ? hints->ai_protocol : 0;
    int types[2], ntypes, port, named, rc;
    gai_list list = {NULL, &list.head, 0};
    /* AI_V4MAPPED: IPv4 results become ::ffff:a.b.c.d when IPv6 was asked for. */
    int v4mapped = family == AF_INET6 && (flags & AI_V4MAPPED);

    if (res == NULL)
        return gai_errno(EAI_SYSTEM, EINVAL);
    *res = NULL;
    if (flags & ~known_flags)
        return EAI_BADFLAGS;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    if (protocol != 0 && protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
        return EAI_SERVICE; /* glibc/musl answer for an unsupported protocol */
    if ((socktype == SOCK_STREAM && protocol == IPPROTO_UDP) || (socktype == SOCK_DGRAM && protocol == IPPROTO_TCP))
        return EAI_SOCKTYPE;
    if (node == NULL && service == NULL)
        return EAI_NONAME;
    if (node != NULL && node[0] == '\0')
        return EAI_NONAME;

    rc = parse_service(service, flags, &port, &named);
    if (rc)
        return rc;
    ntypes = wanted_socktypes(hints, types);

    /* No node, or a numeric address: answered locally, no host lookup (AI_NUMERICHOST). */
    {
        any_sockaddr local[2];
        socklen_t local_len[2];
        int nlocal = 0;
        int literal = 0;
        memset(local, 0, sizeof local);
        if (node == NULL) {
            int passive = (flags & AI_PASSIVE) != 0;
            if (family != AF_INET6) {
                local[nlocal].in.sin_family = AF_INET;
                local[nlocal].in.sin_addr.s_addr = htonl(passive ? INADDR_ANY : INADDR_LOOPBACK);
                local_len[nlocal++] = sizeof(struct sockaddr_in);
            }
            if (family != AF_INET) {
                local[nlocal].in6.sin6_family = AF_INET6;
                if (!passive)
                    local[nlocal].in6.sin6_addr.s6_addr[15] = 1;
                local_len[nlocal++] = sizeof(struct sockaddr_in6);
            }
            literal = 1;
        } else if (inet_pton(AF_INET, node, &local[0].in.sin_addr) == 1) {
            local[0].in.sin_family = AF_INET;
            local_len[0] = sizeof(struct sockaddr_in);
            if (family == AF_INET6) {
                if (!v4mapped)
                    return EAI_NONAME;
                map_v4_to_v6(&local[0], &local_len[0]);
            }
            nlocal = 1;
            literal = 1;
        } else if (inet_pton(AF_INET6, node, &local[0].in6.sin6_addr) == 1) {
            local[0].in6.sin6_family = AF_INET6;
            local_len[0] = sizeof(struct sockaddr_in6);
            if (family == AF_INET)
                return EAI_NONAME;
            nlocal = 1;
            literal = 1;
        } else if (flags & AI_NUMERICHOST) {
            return EAI_NONAME;
        }
        if (literal) {
            if (named)
                return EAI_SERVICE; /* only well-known service names without a host lookup */
            for (int i = 0; i < nlocal; i++) {
                set_port(&local[i], port);
                for (int t = 0; t < ntypes; t++) {
                    rc = gai_add(&list, &local[i], local_len[i], types[t], (flags & AI_CANONNAME) ? node : NULL);
                    if (rc) {
                        freeaddrinfo(list.head);
                        return rc;
                    }
                }
            }
            *res = list.head;
            return 0;
        }
    }

    /* Host lookup through sock_addr_resolve. */
    {
        __wasi_addr_info_hints_t wh;
        __wasi_size_t cap = 16, total = 0;
        __wasi_addr_info_t *buf = NULL;
        __wasi_errno_t e;
        int have_v6 = 0;

        memset(&wh, 0, sizeof wh);
        wh.hints_enabled = 1;
        wh.type = socktype == SOCK_STREAM ? SOCKET_STREAM : socktype == SOCK_DGRAM ? SOCKET_DGRAM : SOCKET_ANY;
        if (socktype == 0 && protocol == IPPROTO_TCP)
            wh.type = SOCKET_STREAM;
        if (socktype == 0 && protocol == IPPROTO_UDP)
            wh.type = SOCKET_DGRAM;
        wh.family = family == AF_INET ? INET4 : (family == AF_INET6 && !v4mapped) ? INET6 : INET_UNSPEC;

        for (int attempt = 0;; attempt++) {
            __wasi_addr_info_t *nb = realloc(buf, cap * sizeof *buf);
            if (nb == NULL) {
                free(buf);
                return EAI_MEMORY;
            }
            buf = nb;
            memset(buf, 0, cap * sizeof *buf);
            e = __wasi_sock_addr_resolve(node, named ? service : "", &wh, buf, cap, &total);
            if (e || total <= cap || attempt == 3)
                break;
            cap = total > 1024 ? 1024 : total; /* the host may know more than we care for */
        }
        if (e) {
            free(buf);
            switch (e) {
            case EINVAL: /* the host's "unknown name" (EAI_NONAME and friends) */
                return EAI_NONAME;
            case EAGAIN:
                return EAI_AGAIN;
            case EFAULT: /* the host's mapping of EAI_FAIL */
                return EAI_FAIL;
            case ENOMEM:
                return EAI_MEMORY;
            default: /* EACCES: name not allowed (--allow-resolve) */
                return gai_errno(EAI_SYSTEM, e);
            }
        }
        if (total > cap)
            total = cap;

        for (int pass = 0; pass < 2; pass++) {
            /* pass 0: native entries; pass 1 (AI_V4MAPPED only): mapped IPv4 entries */
            if (pass == 1 && !(v4mapped && (!have_v6 || (flags & AI_ALL))))
                break;
            for (__wasi_size_t i = 0; i < total; i++) {
                any_sockaddr sa;
                socklen_t salen;
                int st = buf[i].type == SOCKET_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
                if (wasi_to_any(&buf[i].addr, &sa, &salen))
                    continue;
                if (socktype != 0 && st != socktype)
                    continue;
                if ((protocol == IPPROTO_TCP && st != SOCK_STREAM) || (protocol == IPPROTO_UDP && st != SOCK_DGRAM))
                    continue;
                if (pass == 0) {
                    if (family == AF_INET && sa.sa.sa_family != AF_INET)
                        continue;
                    if (family == AF_INET6 && sa.sa.sa_family != AF_INET6)
                        continue;
                    if (sa.sa.sa_family == AF_INET6)
                        have_v6 = 1;
                } else {
                    if (sa.sa.sa_family != AF_INET)
                        continue;
                    map_v4_to_v6(&sa, &salen);
                }
                if (!named)
                    set_port(&sa, port);
                rc = gai_add(&list, &sa, salen, st, (flags & AI_CANONNAME) ? node : NULL);
                if (rc) {
                    free(buf);
                    freeaddrinfo(list.head);
                    return rc;
                }
            }
        }
        free(buf);
    }
    if (list.head == NULL)
        return EAI_NONAME;
    *res = list.head;
    return 0;
}

/* Numeric only: there is no reverse lookup import. NI_NAMEREQD therefore fails. */
int getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host, socklen_t hostlen, char *serv,
                socklen_t servlen, int flags)
{
    any_sockaddr sa;
    sa_family_t family;
    int port;
    const int known = NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM | NI_NUMERICSCOPE;
    if (flags & ~known)
        return EAI_BADFLAGS;
    if (addr == NULL || addrlen < sizeof(sa_family_t))
        return EAI_FAMILY;
    memcpy(&family, addr, sizeof family);
    memset(&sa, 0, sizeof sa);
    if (family == AF_INET && addrlen >= sizeof(struct sockaddr_in)) {
        memcpy(&sa.in, addr, sizeof sa.in);
        port = ntohs(sa.in.sin_port);
    } else if (family == AF_INET6 && addrlen >= offsetof(struct sockaddr_in6, sin6_addr) + sizeof(struct in6_addr)) {
        memcpy(&sa.in6, addr, addrlen < sizeof sa.in6 ? addrlen : sizeof sa.in6);
        port = ntohs(sa.in6.sin6_port);
    } else {
        return EAI_FAMILY;
    }
    if (host != NULL && hostlen > 0) {
        if (flags & NI_NAMEREQD)
            return EAI_NONAME;
        const void *a = family == AF_INET ? (const void *)&sa.in.sin_addr : (const void *)&sa.in6.sin6_addr;
        if (inet_ntop(family, a, host, hostlen) == NULL)
            return EAI_OVERFLOW;
    }
    if (serv != NULL && servlen > 0) {
        int n = snprintf(serv, servlen, "%d", port);
        if (n < 0 || (socklen_t)n >= servlen)
            return EAI_OVERFLOW;
    }
    return 0;
}

/* IPv4 only, static storage (not thread-safe, as POSIX allows); h_errno is not set. */
struct hostent *gethostbyname(const char *name)
{
    enum { MAX_ADDRS = 16 };
    static struct hostent he;
    static char hname[256];
    static struct in_addr addrs[MAX_ADDRS];
    static char *addr_ptrs[MAX_ADDRS + 1];
    static char *aliases[1];
    struct addrinfo hints, *res = NULL, *ai;
    int n = 0;

    if (name == NULL) {
        errno = EINVAL;
        return NULL;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return NULL;
    for (ai = res; ai && n < MAX_ADDRS; ai = ai->ai_next) {
        struct sockaddr_in sin;
        memcpy(&sin, ai->ai_addr, sizeof sin);
        addrs[n] = sin.sin_addr;
        addr_ptrs[n] = (char *)&addrs[n];
        n++;
    }
    freeaddrinfo(res);
    addr_ptrs[n] = NULL;
    aliases[0] = NULL;
    snprintf(hname, sizeof hname, "%s", name);
    he.h_name = hname;
    he.h_aliases = aliases;
    he.h_addrtype = AF_INET;
    he.h_length = (int)sizeof(struct in_addr);
    he.h_addr_list = addr_ptrs;
    return &he;
}
