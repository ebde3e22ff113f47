/* Prints every supported socket option of a TCP and a UDP socket as name=value.
 * wasock sockopts.wasm   (no network grant needed: options need none) */
#include "common.h"
#include <errno.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <unistd.h>

static void show_int(int fd, const char *name, int level, int opt) {
    int v = -1;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, opt, &v, &len) == 0)
        printf("%s=%d\n", name, v);
    else
        printf("%s=error(%s)\n", name, strerror(errno));
}

static void dump(int fd, const char *kind) {
    printf("[%s]\n", kind);
    show_int(fd, "SO_TYPE", SOL_SOCKET, SO_TYPE);
    show_int(fd, "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR);
    show_int(fd, "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT);
    show_int(fd, "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE);
    show_int(fd, "SO_BROADCAST", SOL_SOCKET, SO_BROADCAST);
    show_int(fd, "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF);
    show_int(fd, "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF);
    show_int(fd, "SO_ERROR", SOL_SOCKET, SO_ERROR);
    struct timeval tv;
    socklen_t len = sizeof tv;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0)
        printf("SO_RCVTIMEO=%lld.%06lld\n", (long long)tv.tv_sec, (long long)tv.tv_usec);
    struct linger l;
    len = sizeof l;
    if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len) == 0)
        printf("SO_LINGER=%d,%d\n", l.l_onoff, l.l_linger);
    show_int(fd, "IP_TTL", IPPROTO_IP, IP_TTL);
    show_int(fd, "IP_MULTICAST_TTL", IPPROTO_IP, IP_MULTICAST_TTL);
    show_int(fd, "IP_MULTICAST_LOOP", IPPROTO_IP, IP_MULTICAST_LOOP);
    show_int(fd, "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY);
    show_int(fd, "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE);
    show_int(fd, "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL);
}

int main(void) {
    int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
    if (t < 0 || u < 0) {
        perror("socket");
        return 1;
    }
    dump(t, "tcp");
    dump(u, "udp");
    int v6 = socket(AF_INET6, SOCK_STREAM, 0);
    if (v6 >= 0) {
        printf("[tcp6]\n");
        show_int(v6, "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY);
        close(v6);
    }
    close(t);
    close(u);
    return 0;
}
