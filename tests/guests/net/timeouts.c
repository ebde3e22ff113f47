/* SO_RCVTIMEO expiry is EAGAIN; timeouts round-trip. */
#include "net.h"
#include <sys/time.h>
#include <time.h>

int main(void) {
    int port, c, s;
    int ls = listener(&port);
    tcp_pair(ls, port, &c, &s);
    struct timeval tv = {0, 200000}, got;
    socklen_t len = sizeof got;
    CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0 && len == sizeof got);
    CHECK(got.tv_sec == 0 && got.tv_usec == 200000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char buf[8];
    CHECK_ERR(recv(s, buf, sizeof buf, 0), EAGAIN);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec) >= 150000000LL);
    OK("rcvtimeo");

    tv = (struct timeval){3, 500000}; /* whole jiffies at any HZ: the kernel rounds timeouts */
    CHECK(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
    len = sizeof got;
    CHECK(getsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &got, &len) == 0 && got.tv_sec == 3 && got.tv_usec == 500000);
    tv = (struct timeval){0, 0};
    CHECK(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
    CHECK(getsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &got, &len) == 0 && got.tv_sec == 0 && got.tv_usec == 0);
    CHECK_ERR(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, 4), EINVAL); /* short optlen: EINVAL, no abort */
    OK("sndtimeo");
    return 0;
}
