/*
 * wasi_socket_ext.h - wasock's C guest SDK: Berkeley sockets for WASI preview1 programs.
 *
 * ABI-identical to WAMR's lib-socket header (same type names, enum values, struct layouts,
 * import names and signatures, wrapper names), so code written against WAMR's header compiles
 * unchanged, and a module linked with this SDK runs on both wasock and WAMR's iwasm.
 *
 * Usage (the same as with WAMR):
 *
 *     #include <sys/socket.h>
 *     #include <netinet/in.h>
 *     #ifdef __wasi__
 *     #include <wasi_socket_ext.h>
 *     #endif
 *
 * The header is also self-contained: it includes <sys/socket.h>, <netinet/in.h>,
 * <wasi/api.h> (and <netinet/tcp.h>, <netdb.h> when the sysroot has them) itself.
 *
 * The POSIX functions declared below are implemented by src/wasi_socket_ext.c
 * (CMake target `socket_wasi_ext`). See sdk/c/README.md for what differs from Linux.
 */
#ifndef _WASI_SOCKET_EXT_H_
#define _WASI_SOCKET_EXT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __wasi__
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <wasi/api.h>
#if defined(__has_include)
#if __has_include(<netinet/tcp.h>)
#include <netinet/tcp.h>
#endif
#if __has_include(<netdb.h>)
/* The sysroot's <netdb.h> declares struct addrinfo, getaddrinfo() & co., EAI_* and AI_*:
 * use it, so that apps including both headers see one definition. */
#include <netdb.h>
#define _WASI_SOCKET_EXT_HAVE_NETDB 1
#endif
#endif
#endif /* __wasi__ */

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Types of the WAMR socket extension (docs/socket-abi.md). The layouts are the ABI.
 * ------------------------------------------------------------------------------------------ */

typedef enum {
    /* Used only in sock_addr_resolve hints: any socket type. */
    SOCKET_ANY = -1,
    SOCKET_DGRAM = 0,
    SOCKET_STREAM,
} __wasi_sock_type_t;

/* Port number in host byte order. */
typedef uint16_t __wasi_ip_port_t;

typedef enum { IPv4 = 0, IPv6 } __wasi_addr_type_t;

/* a.b.c.d -> n0 = a, n1 = b, n2 = c, n3 = d (network byte order in memory). */
typedef struct __wasi_addr_ip4_t {
    uint8_t n0;
    uint8_t n1;
    uint8_t n2;
    uint8_t n3;
} __wasi_addr_ip4_t;

typedef struct __wasi_addr_ip4_port_t {
    __wasi_addr_ip4_t addr;
    __wasi_ip_port_t port; /* host byte order */
} __wasi_addr_ip4_port_t;

/* The eight 16-bit groups of the textual address, in order, each a host-order number:
 * fe80::3ba2:893b:4be0:e3dd -> n0 = 0xfe80, n1..n3 = 0, h0 = 0x3ba2, h1 = 0x893b,
 * h2 = 0x4be0, h3 = 0xe3dd. Flow info and scope id are not representable. */
typedef struct __wasi_addr_ip6_t {
    uint16_t n0;
    uint16_t n1;
    uint16_t n2;
    uint16_t n3;
    uint16_t h0;
    uint16_t h1;
    uint16_t h2;
    uint16_t h3;
} __wasi_addr_ip6_t;

typedef struct __wasi_addr_ip6_port_t {
    __wasi_addr_ip6_t addr;
    __wasi_ip_port_t port; /* host byte order */
} __wasi_addr_ip6_port_t;

typedef struct __wasi_addr_ip_t {
    __wasi_addr_type_t kind;
    union {
        __wasi_addr_ip4_t ip4;
        __wasi_addr_ip6_t ip6;
    } addr;
} __wasi_addr_ip_t;

typedef struct __wasi_addr_t {
    __wasi_addr_type_t kind;
    union {
        __wasi_addr_ip4_port_t ip4;
        __wasi_addr_ip6_port_t ip6;
    } addr;
} __wasi_addr_t;

typedef enum { INET4 = 0, INET6, INET_UNSPEC } __wasi_address_family_t;

typedef struct __wasi_addr_info_t {
    __wasi_addr_t addr;
    __wasi_sock_type_t type;
} __wasi_addr_info_t;

typedef struct __wasi_addr_info_hints_t {
    __wasi_sock_type_t type;
    __wasi_address_family_t family;
    /* 0: type and family are ignored (no hints) */
    uint8_t hints_enabled;
} __wasi_addr_info_hints_t;

#if defined(__wasm32__)
#if defined(__cplusplus)
#define _WASI_SOCK_ASSERT(c, m) static_assert(c, m)
#define _WASI_SOCK_ALIGNOF(t) alignof(t)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define _WASI_SOCK_ASSERT(c, m) _Static_assert(c, m)
#define _WASI_SOCK_ALIGNOF(t) _Alignof(t)
#else /* C99 */
#define _WASI_SOCK_CAT2(a, b) a##b
#define _WASI_SOCK_CAT(a, b) _WASI_SOCK_CAT2(a, b)
#define _WASI_SOCK_ASSERT(c, m) typedef char _WASI_SOCK_CAT(_wasi_sock_layout_, __LINE__)[(c) ? 1 : -1]
#define _WASI_SOCK_ALIGNOF(t) __alignof__(t)
#endif
/* docs/socket-abi.md: every size, alignment and offset of the wire structures. */
_WASI_SOCK_ASSERT(sizeof(__wasi_sock_type_t) == 4, "__wasi_sock_type_t is an i32");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_type_t) == 4, "__wasi_addr_type_t is a u32");
_WASI_SOCK_ASSERT(sizeof(__wasi_address_family_t) == 4, "__wasi_address_family_t is an i32");
_WASI_SOCK_ASSERT(sizeof(__wasi_ip_port_t) == 2, "__wasi_ip_port_t is a u16");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_ip4_t) == 4 && _WASI_SOCK_ALIGNOF(__wasi_addr_ip4_t) == 1, "ip4 4/1");
_WASI_SOCK_ASSERT(offsetof(__wasi_addr_ip4_t, n0) == 0 && offsetof(__wasi_addr_ip4_t, n1) == 1 &&
                      offsetof(__wasi_addr_ip4_t, n2) == 2 && offsetof(__wasi_addr_ip4_t, n3) == 3,
                  "ip4 fields");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_ip4_port_t) == 6 && _WASI_SOCK_ALIGNOF(__wasi_addr_ip4_port_t) == 2, "ip4_port 6/2");
_WASI_SOCK_ASSERT(offsetof(__wasi_addr_ip4_port_t, addr) == 0 && offsetof(__wasi_addr_ip4_port_t, port) == 4,
                  "ip4_port fields");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_ip6_t) == 16 && _WASI_SOCK_ALIGNOF(__wasi_addr_ip6_t) == 2, "ip6 16/2");
_WASI_SOCK_ASSERT(offsetof(__wasi_addr_ip6_t, n0) == 0 && offsetof(__wasi_addr_ip6_t, n1) == 2 &&
                      offsetof(__wasi_addr_ip6_t, n2) == 4 && offsetof(__wasi_addr_ip6_t, n3) == 6 &&
                      offsetof(__wasi_addr_ip6_t, h0) == 8 && offsetof(__wasi_addr_ip6_t, h1) == 10 &&
                      offsetof(__wasi_addr_ip6_t, h2) == 12 && offsetof(__wasi_addr_ip6_t, h3) == 14,
                  "ip6 fields");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_ip6_port_t) == 18 && _WASI_SOCK_ALIGNOF(__wasi_addr_ip6_port_t) == 2, "ip6_port 18/2");
_WASI_SOCK_ASSERT(offsetof(__wasi_addr_ip6_port_t, addr) == 0 && offsetof(__wasi_addr_ip6_port_t, port) == 16,
                  "ip6_port fields");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_ip_t) == 20 && _WASI_SOCK_ALIGNOF(__wasi_addr_ip_t) == 4, "addr_ip 20/4");
_WASI_SOCK_ASSERT(offsetof(__wasi_addr_ip_t, kind) == 0 && offsetof(__wasi_addr_ip_t, addr) == 4 &&
                      offsetof(__wasi_addr_ip_t, addr.ip4) == 4 && offsetof(__wasi_addr_ip_t, addr.ip6) == 4,
                  "addr_ip fields");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_t) == 24 && _WASI_SOCK_ALIGNOF(__wasi_addr_t) == 4, "addr 24/4");
_WASI_SOCK_ASSERT(offsetof(__wasi_addr_t, kind) == 0 && offsetof(__wasi_addr_t, addr) == 4 &&
                      offsetof(__wasi_addr_t, addr.ip4.addr) == 4 && offsetof(__wasi_addr_t, addr.ip4.port) == 8 &&
                      offsetof(__wasi_addr_t, addr.ip6.addr) == 4 && offsetof(__wasi_addr_t, addr.ip6.addr.n3) == 10 &&
                      offsetof(__wasi_addr_t, addr.ip6.addr.h0) == 12 &&
                      offsetof(__wasi_addr_t, addr.ip6.addr.h3) == 18 && offsetof(__wasi_addr_t, addr.ip6.port) == 20,
                  "addr fields");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_info_t) == 28 && _WASI_SOCK_ALIGNOF(__wasi_addr_info_t) == 4, "addr_info 28/4");
_WASI_SOCK_ASSERT(offsetof(__wasi_addr_info_t, addr) == 0 && offsetof(__wasi_addr_info_t, type) == 24,
                  "addr_info fields");
_WASI_SOCK_ASSERT(sizeof(__wasi_addr_info_hints_t) == 12 && _WASI_SOCK_ALIGNOF(__wasi_addr_info_hints_t) == 4, "hints 12/4");
_WASI_SOCK_ASSERT(offsetof(__wasi_addr_info_hints_t, type) == 0 && offsetof(__wasi_addr_info_hints_t, family) == 4 &&
                      offsetof(__wasi_addr_info_hints_t, hints_enabled) == 8,
                  "hints fields");
#undef _WASI_SOCK_ASSERT
#undef _WASI_SOCK_ALIGNOF
#endif /* __wasm32__ */

#ifdef __wasi__

/* ------------------------------------------------------------------------------------------
 * POSIX constants the preview1 wasi-libc headers leave out. Values are WAMR's (= Linux's);
 * a value the sysroot already defines is kept.
 * ------------------------------------------------------------------------------------------ */
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#endif
#ifndef SO_ERROR
#define SO_ERROR 4
#endif
#ifndef SO_BROADCAST
#define SO_BROADCAST 6
#endif
#ifndef SO_SNDBUF
#define SO_SNDBUF 7
#endif
#ifndef SO_RCVBUF
#define SO_RCVBUF 8
#endif
#ifndef SO_KEEPALIVE
#define SO_KEEPALIVE 9
#endif
#ifndef SO_OOBINLINE
#define SO_OOBINLINE 10 /* named so programs build; set/get: ENOPROTOOPT (no such import) */
#endif
#ifndef SO_LINGER
#define SO_LINGER 13
#endif
#ifndef SO_REUSEPORT
#define SO_REUSEPORT 15
#endif
#ifndef SO_RCVTIMEO
#define SO_RCVTIMEO 20
#endif
#ifndef SO_SNDTIMEO
#define SO_SNDTIMEO 21
#endif

/* The other names of AF_UNIX (socket() answers EAFNOSUPPORT for it: no such sockets). */
#ifndef AF_LOCAL
#define AF_LOCAL AF_UNIX
#endif
#ifndef PF_UNIX
#define PF_UNIX AF_UNIX
#endif
#ifndef PF_LOCAL
#define PF_LOCAL AF_UNIX
#endif

#ifndef TCP_NODELAY
#define TCP_NODELAY 1
#endif
#ifndef TCP_KEEPIDLE
#define TCP_KEEPIDLE 4
#endif
#ifndef TCP_KEEPINTVL
#define TCP_KEEPINTVL 5
#endif
#ifndef TCP_QUICKACK
#define TCP_QUICKACK 12
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
#endif

#ifndef IP_TTL
#define IP_TTL 2
#endif
#ifndef IP_MULTICAST_TTL
#define IP_MULTICAST_TTL 33
#endif
#ifndef IP_MULTICAST_LOOP
#define IP_MULTICAST_LOOP 34
#endif
#ifndef IP_ADD_MEMBERSHIP
#define IP_ADD_MEMBERSHIP 35
#endif
#ifndef IP_DROP_MEMBERSHIP
#define IP_DROP_MEMBERSHIP 36
#endif
#ifndef IPV6_MULTICAST_LOOP
#define IPV6_MULTICAST_LOOP 19
#endif
#ifndef IPV6_JOIN_GROUP
#define IPV6_JOIN_GROUP 20
#endif
#ifndef IPV6_LEAVE_GROUP
#define IPV6_LEAVE_GROUP 21
#endif
#ifndef IPV6_V6ONLY
#define IPV6_V6ONLY 26
#endif

/* send/recv flags beyond MSG_PEEK (1) and MSG_WAITALL (2) of preview1 wasi-libc
 * (Linux values; they do not collide with those two). */
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x0040
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif

#ifndef SOMAXCONN
#define SOMAXCONN 128
#endif

/* ------------------------------------------------------------------------------------------
 * <netdb.h> subset, for sysroots without <netdb.h> (wasi-sdk's preview1 sysroot).
 * ------------------------------------------------------------------------------------------ */
#if !defined(_WASI_SOCKET_EXT_HAVE_NETDB) && !defined(_NETDB_H)
struct addrinfo {
    int ai_flags;             /* input flags (AI_*) */
    int ai_family;            /* AF_INET / AF_INET6 */
    int ai_socktype;          /* SOCK_STREAM / SOCK_DGRAM */
    int ai_protocol;          /* IPPROTO_TCP / IPPROTO_UDP */
    socklen_t ai_addrlen;     /* length of *ai_addr */
    struct sockaddr *ai_addr; /* socket address */
    char *ai_canonname;       /* canonical name (AI_CANONNAME) */
    struct addrinfo *ai_next; /* next entry */
};

struct hostent {
    char *h_name;
    char **h_aliases;
    int h_addrtype;
    int h_length;
    char **h_addr_list;
};
#define h_addr h_addr_list[0]

#define AI_PASSIVE 0x01
#define AI_CANONNAME 0x02
#define AI_NUMERICHOST 0x04
#define AI_V4MAPPED 0x08
#define AI_ALL 0x10
#define AI_ADDRCONFIG 0x20
#define AI_NUMERICSERV 0x400

#define NI_NUMERICHOST 0x01
#define NI_NUMERICSERV 0x02
#define NI_NOFQDN 0x04
#define NI_NAMEREQD 0x08
#define NI_DGRAM 0x10
#define NI_NUMERICSCOPE 0x100
#define NI_MAXHOST 255
#define NI_MAXSERV 32

#define EAI_BADFLAGS -1
#define EAI_NONAME -2
#define EAI_AGAIN -3
#define EAI_FAIL -4
#define EAI_NODATA -5
#define EAI_FAMILY -6
#define EAI_SOCKTYPE -7
#define EAI_SERVICE -8
#define EAI_MEMORY -10
#define EAI_SYSTEM -11
#define EAI_OVERFLOW -12
#endif

/* ------------------------------------------------------------------------------------------
 * POSIX functions implemented by this library (most are absent from preview1 wasi-libc;
 * accept, accept4, recv, send, shutdown and getsockopt replace wasi-libc's own, see README).
 * ------------------------------------------------------------------------------------------ */
int socket(int domain, int type, int protocol);
int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
int listen(int sockfd, int backlog);
int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
ssize_t send(int sockfd, const void *buf, size_t len, int flags);
ssize_t recv(int sockfd, void *buf, size_t len, int flags);
ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr,
               socklen_t addrlen);
ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen);
ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags);
ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);
int shutdown(int sockfd, int how);
int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int errcode);
int getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host, socklen_t hostlen, char *serv,
                socklen_t servlen, int flags);
struct hostent *gethostbyname(const char *name);

/* ------------------------------------------------------------------------------------------
 * Imports (module wasi_snapshot_preview1) with exactly WAMR's signatures (docs/socket-abi.md),
 * and WAMR's typed wrappers. Every wrapper returns a WASI errno, 0 on success.
 * ------------------------------------------------------------------------------------------ */
#define _WASI_SOCK_IMPORT(name) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(name)))
#define _WASI_SOCK_PTR(p) ((int32_t)(intptr_t)(p))

/* sock_accept is part of preview1; wasi-libc declares __wasi_sock_accept since wasi-sdk 15. */
#ifndef __WASI_RIGHTS_SOCK_ACCEPT
int32_t __imported_wasi_snapshot_preview1_sock_accept(int32_t arg0, int32_t arg1, int32_t arg2)
    _WASI_SOCK_IMPORT("sock_accept");

static __inline__ __wasi_errno_t __wasi_sock_accept(__wasi_fd_t fd, __wasi_fdflags_t flags, __wasi_fd_t *fd_new)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_accept((int32_t)fd, (int32_t)flags,
                                                                         _WASI_SOCK_PTR(fd_new));
}
#endif

/* (fd, *__wasi_addr_t out): local address (getsockname). */
int32_t __imported_wasi_snapshot_preview1_sock_addr_local(int32_t arg0, int32_t arg1)
    _WASI_SOCK_IMPORT("sock_addr_local");
static __inline__ __wasi_errno_t __wasi_sock_addr_local(__wasi_fd_t fd, __wasi_addr_t *addr)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_addr_local((int32_t)fd, _WASI_SOCK_PTR(addr));
}

/* (fd, *__wasi_addr_t out): peer address (getpeername). */
int32_t __imported_wasi_snapshot_preview1_sock_addr_remote(int32_t arg0, int32_t arg1)
    _WASI_SOCK_IMPORT("sock_addr_remote");
static __inline__ __wasi_errno_t __wasi_sock_addr_remote(__wasi_fd_t fd, __wasi_addr_t *addr)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_addr_remote((int32_t)fd, _WASI_SOCK_PTR(addr));
}

/* (host, service, hints, out[n], n, *total): name resolution. `service` may be "" (port 0).
 * Writes min(n, total) entries and the total; call again with a bigger buffer when
 * total > n. */
int32_t __imported_wasi_snapshot_preview1_sock_addr_resolve(int32_t arg0, int32_t arg1, int32_t arg2, int32_t arg3,
                                                            int32_t arg4, int32_t arg5)
    _WASI_SOCK_IMPORT("sock_addr_resolve");
static __inline__ __wasi_errno_t __wasi_sock_addr_resolve(const char *host, const char *service,
                                                      __wasi_addr_info_hints_t *hints, __wasi_addr_info_t *addr_info,
                                                      __wasi_size_t addr_info_size, __wasi_size_t *max_info_size)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_addr_resolve(
        _WASI_SOCK_PTR(host), _WASI_SOCK_PTR(service), _WASI_SOCK_PTR(hints), _WASI_SOCK_PTR(addr_info),
        (int32_t)addr_info_size, _WASI_SOCK_PTR(max_info_size));
}

/* (fd, *__wasi_addr_t in) */
int32_t __imported_wasi_snapshot_preview1_sock_bind(int32_t arg0, int32_t arg1) _WASI_SOCK_IMPORT("sock_bind");
static __inline__ __wasi_errno_t __wasi_sock_bind(__wasi_fd_t fd, __wasi_addr_t *addr)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_bind((int32_t)fd, _WASI_SOCK_PTR(addr));
}

/* (fd, ciovec[], n, siflags, *dest, *sent) */
int32_t __imported_wasi_snapshot_preview1_sock_send_to(int32_t arg0, int32_t arg1, int32_t arg2, int32_t arg3,
                                                       int32_t arg4, int32_t arg5) _WASI_SOCK_IMPORT("sock_send_to");
static __inline__ __wasi_errno_t __wasi_sock_send_to(__wasi_fd_t fd, const __wasi_ciovec_t *si_data, uint32_t si_data_len,
                                                 __wasi_siflags_t si_flags, const __wasi_addr_t *dest_addr,
                                                 uint32_t *so_data_len)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_send_to(
        (int32_t)fd, _WASI_SOCK_PTR(si_data), (int32_t)si_data_len, (int32_t)si_flags, _WASI_SOCK_PTR(dest_addr),
        _WASI_SOCK_PTR(so_data_len));
}

/* (fd, iovec[], n, riflags, *src, *received) - the address comes before the length. */
int32_t __imported_wasi_snapshot_preview1_sock_recv_from(int32_t arg0, int32_t arg1, int32_t arg2, int32_t arg3,
                                                         int32_t arg4, int32_t arg5)
    _WASI_SOCK_IMPORT("sock_recv_from");
static __inline__ __wasi_errno_t __wasi_sock_recv_from(__wasi_fd_t fd, __wasi_ciovec_t *ri_data, uint32_t ri_data_len,
                                                   __wasi_riflags_t ri_flags, __wasi_addr_t *src_addr,
                                                   uint32_t *ro_data_len)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_recv_from(
        (int32_t)fd, _WASI_SOCK_PTR(ri_data), (int32_t)ri_data_len, (int32_t)ri_flags, _WASI_SOCK_PTR(src_addr),
        _WASI_SOCK_PTR(ro_data_len));
}

/* (fd). WAMR always answers ENOSYS; wasock closes. Use close() instead. */
int32_t __imported_wasi_snapshot_preview1_sock_close(int32_t arg0) _WASI_SOCK_IMPORT("sock_close");
static __inline__ __wasi_errno_t __wasi_sock_close(__wasi_fd_t fd)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_close((int32_t)fd);
}

/* (fd, *__wasi_addr_t in) */
int32_t __imported_wasi_snapshot_preview1_sock_connect(int32_t arg0, int32_t arg1) _WASI_SOCK_IMPORT("sock_connect");
static __inline__ __wasi_errno_t __wasi_sock_connect(__wasi_fd_t fd, __wasi_addr_t *addr)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_connect((int32_t)fd, _WASI_SOCK_PTR(addr));
}

/* (fd, backlog) */
int32_t __imported_wasi_snapshot_preview1_sock_listen(int32_t arg0, int32_t arg1) _WASI_SOCK_IMPORT("sock_listen");
static __inline__ __wasi_errno_t __wasi_sock_listen(__wasi_fd_t fd, __wasi_size_t backlog)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_listen((int32_t)fd, (int32_t)backlog);
}

/* (poolfd, af, socktype, *fd). poolfd is ignored by the hosts; pass -1. */
int32_t __imported_wasi_snapshot_preview1_sock_open(int32_t arg0, int32_t arg1, int32_t arg2, int32_t arg3)
    _WASI_SOCK_IMPORT("sock_open");
static __inline__ __wasi_errno_t __wasi_sock_open(__wasi_fd_t fd, __wasi_address_family_t af, __wasi_sock_type_t socktype,
                                              __wasi_fd_t *sockfd)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_open((int32_t)fd, (int32_t)af, (int32_t)socktype,
                                                                       _WASI_SOCK_PTR(sockfd));
}

/* Socket options (docs/socket-abi.md). Setters take the value as an i32 (hosts read bool/u8 values
 * from its low byte), getters a pointer to the output slot. */
#define _WASI_SOCK_OPT_IMPORTS(name)                                                                    \
    int32_t __imported_wasi_snapshot_preview1_sock_set_##name(int32_t arg0, int32_t arg1)               \
        _WASI_SOCK_IMPORT("sock_set_" #name);                                                           \
    int32_t __imported_wasi_snapshot_preview1_sock_get_##name(int32_t arg0, int32_t arg1)               \
        _WASI_SOCK_IMPORT("sock_get_" #name);

/* set(fd, value) / get(fd, *value) */
#define _WASI_SOCK_OPT(name, type)                                                                        \
    _WASI_SOCK_OPT_IMPORTS(name)                                                                          \
    static __inline__ __wasi_errno_t __wasi_sock_set_##name(__wasi_fd_t fd, type option)                  \
    {                                                                                                     \
        return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_##name((int32_t)fd,              \
                                                                                 (int32_t)option);         \
    }                                                                                                     \
    static __inline__ __wasi_errno_t __wasi_sock_get_##name(__wasi_fd_t fd, type *option)                 \
    {                                                                                                     \
        return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_##name((int32_t)fd,              \
                                                                                 _WASI_SOCK_PTR(option));  \
    }

/* Booleans: the getters write ONE byte. */
_WASI_SOCK_OPT(broadcast, bool)
_WASI_SOCK_OPT(keep_alive, bool)
_WASI_SOCK_OPT(reuse_addr, bool)
_WASI_SOCK_OPT(reuse_port, bool)
_WASI_SOCK_OPT(tcp_fastopen_connect, bool)
_WASI_SOCK_OPT(tcp_no_delay, bool)
_WASI_SOCK_OPT(tcp_quick_ack, bool)
_WASI_SOCK_OPT(ipv6_only, bool)
/* Buffer sizes: WAMR's host writes 8 bytes (a host size_t) through the pointer, wasock 4;
 * give these getters an 8-byte slot (e.g. a uint64_t) when calling them directly. */
_WASI_SOCK_OPT(recv_buf_size, __wasi_size_t)
_WASI_SOCK_OPT(send_buf_size, __wasi_size_t)
/* Seconds. */
_WASI_SOCK_OPT(tcp_keep_idle, uint32_t)
_WASI_SOCK_OPT(tcp_keep_intvl, uint32_t)
/* TTLs: one byte each way. */
_WASI_SOCK_OPT(ip_ttl, uint8_t)
_WASI_SOCK_OPT(ip_multicast_ttl, uint8_t)
#undef _WASI_SOCK_OPT
#undef _WASI_SOCK_OPT_IMPORTS

/* Timeouts in microseconds (0 = none): the setter's value is an i64. */
int32_t __imported_wasi_snapshot_preview1_sock_set_recv_timeout(int32_t arg0, int64_t arg1)
    _WASI_SOCK_IMPORT("sock_set_recv_timeout");
static __inline__ __wasi_errno_t __wasi_sock_set_recv_timeout(__wasi_fd_t fd, uint64_t timeout_us)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_recv_timeout((int32_t)fd, (int64_t)timeout_us);
}
int32_t __imported_wasi_snapshot_preview1_sock_get_recv_timeout(int32_t arg0, int32_t arg1)
    _WASI_SOCK_IMPORT("sock_get_recv_timeout");
static __inline__ __wasi_errno_t __wasi_sock_get_recv_timeout(__wasi_fd_t fd, uint64_t *timeout_us)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_recv_timeout((int32_t)fd,
                                                                                  _WASI_SOCK_PTR(timeout_us));
}
int32_t __imported_wasi_snapshot_preview1_sock_set_send_timeout(int32_t arg0, int64_t arg1)
    _WASI_SOCK_IMPORT("sock_set_send_timeout");
static __inline__ __wasi_errno_t __wasi_sock_set_send_timeout(__wasi_fd_t fd, uint64_t timeout_us)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_send_timeout((int32_t)fd, (int64_t)timeout_us);
}
int32_t __imported_wasi_snapshot_preview1_sock_get_send_timeout(int32_t arg0, int32_t arg1)
    _WASI_SOCK_IMPORT("sock_get_send_timeout");
static __inline__ __wasi_errno_t __wasi_sock_get_send_timeout(__wasi_fd_t fd, uint64_t *timeout_us)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_send_timeout((int32_t)fd,
                                                                                  _WASI_SOCK_PTR(timeout_us));
}

/* SO_LINGER: set(fd, on, seconds) / get(fd, *on (1 byte), *seconds (i32)). */
int32_t __imported_wasi_snapshot_preview1_sock_set_linger(int32_t arg0, int32_t arg1, int32_t arg2)
    _WASI_SOCK_IMPORT("sock_set_linger");
static __inline__ __wasi_errno_t __wasi_sock_set_linger(__wasi_fd_t fd, bool is_enabled, int linger_s)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_linger((int32_t)fd, (int32_t)is_enabled,
                                                                            (int32_t)linger_s);
}
int32_t __imported_wasi_snapshot_preview1_sock_get_linger(int32_t arg0, int32_t arg1, int32_t arg2)
    _WASI_SOCK_IMPORT("sock_get_linger");
static __inline__ __wasi_errno_t __wasi_sock_get_linger(__wasi_fd_t fd, bool *is_enabled, int *linger_s)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_linger((int32_t)fd, _WASI_SOCK_PTR(is_enabled),
                                                                            _WASI_SOCK_PTR(linger_s));
}

/* IP_MULTICAST_LOOP (ipv6 = false) / IPV6_MULTICAST_LOOP (ipv6 = true). */
int32_t __imported_wasi_snapshot_preview1_sock_set_ip_multicast_loop(int32_t arg0, int32_t arg1, int32_t arg2)
    _WASI_SOCK_IMPORT("sock_set_ip_multicast_loop");
static __inline__ __wasi_errno_t __wasi_sock_set_ip_multicast_loop(__wasi_fd_t fd, bool ipv6, bool option)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_ip_multicast_loop((int32_t)fd, (int32_t)ipv6,
                                                                                       (int32_t)option);
}
int32_t __imported_wasi_snapshot_preview1_sock_get_ip_multicast_loop(int32_t arg0, int32_t arg1, int32_t arg2)
    _WASI_SOCK_IMPORT("sock_get_ip_multicast_loop");
static __inline__ __wasi_errno_t __wasi_sock_get_ip_multicast_loop(__wasi_fd_t fd, bool ipv6, bool *option)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_get_ip_multicast_loop((int32_t)fd, (int32_t)ipv6,
                                                                                       _WASI_SOCK_PTR(option));
}

/* Multicast membership: kind IPv4 -> IP_ADD/DROP_MEMBERSHIP with imr_interface = the raw
 * s_addr; kind IPv6 -> IPV6_JOIN/LEAVE_GROUP with the interface index. */
int32_t __imported_wasi_snapshot_preview1_sock_set_ip_add_membership(int32_t arg0, int32_t arg1, int32_t arg2)
    _WASI_SOCK_IMPORT("sock_set_ip_add_membership");
static __inline__ __wasi_errno_t __wasi_sock_set_ip_add_membership(__wasi_fd_t fd, __wasi_addr_ip_t *imr_multiaddr,
                                                               uint32_t imr_interface)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_ip_add_membership(
        (int32_t)fd, _WASI_SOCK_PTR(imr_multiaddr), (int32_t)imr_interface);
}
int32_t __imported_wasi_snapshot_preview1_sock_set_ip_drop_membership(int32_t arg0, int32_t arg1, int32_t arg2)
    _WASI_SOCK_IMPORT("sock_set_ip_drop_membership");
static __inline__ __wasi_errno_t __wasi_sock_set_ip_drop_membership(__wasi_fd_t fd, __wasi_addr_ip_t *imr_multiaddr,
                                                                uint32_t imr_interface)
{
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_sock_set_ip_drop_membership(
        (int32_t)fd, _WASI_SOCK_PTR(imr_multiaddr), (int32_t)imr_interface);
}

#undef _WASI_SOCK_IMPORT
#undef _WASI_SOCK_PTR

#endif /* __wasi__ */

#ifdef __cplusplus
}
#endif

#endif /* _WASI_SOCKET_EXT_H_ */
