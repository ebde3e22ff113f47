/* SO_RCVTIMEO / SO_SNDTIMEO (run with --addr-pool=127.0.0.1/32):
 *   rcvtimeo       recv() on a connected socket with a 200 ms timeout and no data is -1/EAGAIN
 *                  (after at least most of the timeout), and the socket keeps working
 *   rcvtimeo_udp   the same for recvfrom() on a UDP socket and accept() on a listener
 *   sndtimeo       the SO_SNDTIMEO getter returns what was set; short optlen is EINVAL
 * Only lower bounds on elapsed time are checked (a slow machine never fails them). */
#include "net.h"
#include <sys/time.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec t;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void set_rcvtimeo(int fd, long usec) {
    struct timeval tv = {0, usec};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
}

int main(void) {
    int port, c, s;
    int ls = listener(&port);
    tcp_pair(ls, port, &c, &s);
    struct timeval got;
    socklen_t len = sizeof got;
    set_rcvtimeo(s, 200000);
    CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0 && len == sizeof got);
    CHECK(got.tv_sec == 0 && got.tv_usec == 200000);
    char buf[8];
    long long t0 = now_ns();
    errno = 0;
    CHECK(recv(s, buf, sizeof buf, 0) == -1);
    CHECK(errno == EAGAIN && EAGAIN == 6); /* WASI errno 6 */
    CHECK(now_ns() - t0 >= 150000000LL);
    CHECK_ERR(read(s, buf, sizeof buf), EAGAIN); /* fd_read honours it too */
    CHECK(send(c, "late", 4, 0) == 4);           /* the connection is intact */
    CHECK(recv(s, buf, sizeof buf, MSG_WAITALL) == 4 && memcmp(buf, "late", 4) == 0);
    OK("rcvtimeo");

    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(0);
    CHECK(bind(u, (struct sockaddr *)&a, sizeof a) == 0);
    set_rcvtimeo(u, 200000);
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    t0 = now_ns();
    CHECK_ERR(recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), EAGAIN);
    CHECK(now_ns() - t0 >= 150000000LL);
    set_rcvtimeo(ls, 200000);
    t0 = now_ns();
    CHECK_ERR(accept(ls, NULL, NULL), EAGAIN);
    CHECK(now_ns() - t0 >= 150000000LL);
    OK("rcvtimeo_udp_accept");

    struct timeval tv = {3, 500000}; /* whole jiffies at any HZ: the kernel rounds timeouts */
    CHECK(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
    len = sizeof got;
    CHECK(getsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &got, &len) == 0 && len == sizeof got);
    CHECK(got.tv_sec == 3 && got.tv_usec == 500000);
    len = sizeof got;
    CHECK(getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0 && got.tv_sec == 0 && got.tv_usec == 0);
    tv = (struct timeval){0, 0};
    CHECK(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
    CHECK(getsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &got, &len) == 0 && got.tv_sec == 0 && got.tv_usec == 0);
    CHECK_ERR(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, 4), EINVAL); /* short optlen: EINVAL, no abort */
    CHECK(send(c, "x", 1, 0) == 1 && recv(s, buf, 1, 0) == 1);
    OK("sndtimeo");
    return 0;
}
