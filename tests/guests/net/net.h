/* Helpers for self-contained socket guests: a listener on 127.0.0.1:0 and connected pairs. */
#ifndef NET_H
#define NET_H
#include "../check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi_socket_ext.h>
#endif

static inline struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* IP:port from text (the test aborts on a bad literal). */
static inline struct sockaddr_in v4(const char *ip, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    CHECK(inet_pton(AF_INET, ip, &a.sin_addr) == 1);
    return a;
}

static inline struct sockaddr_in6 v6(const char *ip, int port) {
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((uint16_t)port);
    CHECK(inet_pton(AF_INET6, ip, &a.sin6_addr) == 1);
    return a;
}

#define SA(x) ((struct sockaddr *)&(x))

/* A TCP listener on 127.0.0.1 with a kernel-chosen port; *port receives it. */
static inline int listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    struct sockaddr_in a = loopback(0);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(listen(fd, 256) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0 && len == sizeof a);
    *port = ntohs(a.sin_port);
    CHECK(*port > 0);
    return fd;
}

/* A connected TCP pair over loopback through listener `ls` (on `port`). */
static inline void tcp_pair(int ls, int port, int *client, int *server) {
    *client = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(*client >= 0);
    struct sockaddr_in a = loopback(port);
    CHECK(connect(*client, (struct sockaddr *)&a, sizeof a) == 0);
    *server = accept(ls, NULL, NULL);
    CHECK(*server >= 0);
}

static inline void set_nonblocking(int fd) { CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0); }

/* "IP:PORT" or "[IP6]:PORT". */
static inline const char *show_addr(const struct sockaddr_storage *ss) {
    static char out[INET6_ADDRSTRLEN + 16];
    char host[INET6_ADDRSTRLEN];
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        CHECK(inet_ntop(AF_INET, &in->sin_addr, host, sizeof host) != NULL);
        snprintf(out, sizeof out, "%s:%d", host, ntohs(in->sin_port));
    } else {
        CHECK(ss->ss_family == AF_INET6);
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        CHECK(inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host) != NULL);
        snprintf(out, sizeof out, "[%s]:%d", host, ntohs(in6->sin6_port));
    }
    return out;
}

#endif
