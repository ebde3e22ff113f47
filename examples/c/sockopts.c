/* Sets every socket option the SDK supports on TCP, UDP and IPv6 sockets, reads each back and
 * prints "name=value" lines (grouped under [tcp], [udp], [tcp6], [udp6]); then the read-only
 * ones (SO_TYPE, SO_ERROR). Exit status 1 if a supported option failed.
 * wasock sockopts.wasm   (options need no network grant) */
#include "common.h"
#include <errno.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <unistd.h>

static int failures;

static void report_error(const char *name, const char *what) {
    printf("%s=error(%s: %s)\n", name, what, strerror(errno));
    failures++;
}

#define GET_ONLY (-999)

/* Sets an int option (unless `value` is GET_ONLY) and prints what getsockopt returns. */
static void int_opt(int fd, const char *name, int level, int opt, int value) {
    if (value != GET_ONLY && setsockopt(fd, level, opt, &value, sizeof value) != 0) {
        report_error(name, "set");
        return;
    }
    int got = -1;
    socklen_t len = sizeof got;
    if (getsockopt(fd, level, opt, &got, &len) != 0)
        report_error(name, "get");
    else
        printf("%s=%d\n", name, got);
}

static void timeout_opt(int fd, const char *name, int opt, long sec, long usec) {
    struct timeval tv = {sec, usec}, got;
    socklen_t len = sizeof got;
    if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) != 0)
        report_error(name, "set");
    else if (getsockopt(fd, SOL_SOCKET, opt, &got, &len) != 0)
        report_error(name, "get");
    else
        printf("%s=%lld.%06lld\n", name, (long long)got.tv_sec, (long long)got.tv_usec);
}

static void linger_opt(int fd, int on, int secs) {
    struct linger l = {on, secs}, got;
    socklen_t len = sizeof got;
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) != 0)
        report_error("SO_LINGER", "set");
    else if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &got, &len) != 0)
        report_error("SO_LINGER", "get");
    else
        printf("SO_LINGER=%d,%d\n", got.l_onoff, got.l_linger);
}

/* Joins stay on the loopback interface, so no IGMP/MLD report leaves the machine; loopback
 * often lacks multicast, so failure is reported, not counted. */
static void membership(int fd, int v6) {
    int r;
    if (!v6) {
        struct ip_mreq m;
        inet_pton(AF_INET, "224.0.0.251", &m.imr_multiaddr);
        m.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
        r = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
        if (r == 0)
            r = setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m);
    } else {
        struct ipv6_mreq m;
        inet_pton(AF_INET6, "ff02::fb", &m.ipv6mr_multiaddr);
        m.ipv6mr_interface = 1; /* lo's index on Linux */
        r = setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m);
        if (r == 0)
            r = setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m, sizeof m);
    }
    printf("%s=%s%s\n", v6 ? "IPV6_JOIN_GROUP+LEAVE" : "IP_ADD_MEMBERSHIP+DROP", r == 0 ? "ok" : "unavailable: ",
           r == 0 ? "" : strerror(errno));
}

static void socket_level(int fd, int stream) {
    int_opt(fd, "SO_TYPE", SOL_SOCKET, SO_TYPE, GET_ONLY);
    int_opt(fd, "SO_ERROR", SOL_SOCKET, SO_ERROR, GET_ONLY);
    int_opt(fd, "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, 1);
    int_opt(fd, "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, 1);
    int_opt(fd, "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, stream);
    int_opt(fd, "SO_BROADCAST", SOL_SOCKET, SO_BROADCAST, !stream);
    int_opt(fd, "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, 65536); /* Linux reports twice the value */
    int_opt(fd, "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, 32768);
    timeout_opt(fd, "SO_RCVTIMEO", SO_RCVTIMEO, 1, 500000);
    timeout_opt(fd, "SO_SNDTIMEO", SO_SNDTIMEO, 2, 0);
    linger_opt(fd, 1, 5);
}

int main(void) {
    int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
    int t6 = socket(AF_INET6, SOCK_STREAM, 0), u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    if (t < 0 || u < 0) {
        perror("socket");
        return 1;
    }

    printf("[tcp]\n");
    socket_level(t, 1);
    int_opt(t, "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, 1);
    int_opt(t, "TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, 1); /* the kernel may clear it again */
    int_opt(t, "TCP_FASTOPEN_CONNECT", IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1);
    int_opt(t, "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, 60);
    int_opt(t, "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, 10);
    int_opt(t, "IP_TTL", IPPROTO_IP, IP_TTL, 32);

    printf("[udp]\n");
    socket_level(u, 0);
    int_opt(u, "IP_TTL", IPPROTO_IP, IP_TTL, 16);
    int_opt(u, "IP_MULTICAST_TTL", IPPROTO_IP, IP_MULTICAST_TTL, 4);
    int_opt(u, "IP_MULTICAST_LOOP", IPPROTO_IP, IP_MULTICAST_LOOP, 0);
    membership(u, 0);

    if (t6 >= 0) {
        printf("[tcp6]\n");
        int_opt(t6, "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, 1);
        close(t6);
    }
    if (u6 >= 0) {
        printf("[udp6]\n");
        int_opt(u6, "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, 0);
        int_opt(u6, "IPV6_MULTICAST_LOOP", IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
        membership(u6, 1);
        close(u6);
    }

    /* An option the SDK does not support fails cleanly with ENOPROTOOPT (Linux accepts it). */
    int v = 1;
    errno = 0;
    int r = setsockopt(t, SOL_SOCKET, 1 /* SO_DEBUG */, &v, sizeof v);
    printf("SO_DEBUG=%s\n", r == 0 ? "accepted" : strerror(errno));
    close(t);
    close(u);
    return failures ? 1 : 0;
}
