/* Clocks, sleep, poll, random, stdio and bad fds. */
#include "../check.h"
#include <poll.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
    struct timespec r, a, b;
    CHECK(clock_getres(CLOCK_MONOTONIC, &r) == 0 && (r.tv_sec > 0 || r.tv_nsec > 0));
    CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1600000000);
    CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    struct timespec nap = {0, 20 * 1000 * 1000};
    CHECK(nanosleep(&nap, NULL) == 0);
    CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
    long long waited = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    CHECK(waited >= 20 * 1000 * 1000); /* a sleep never ends early */
    __wasi_timestamp_t cpu;
    CHECK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu) == 0 && cpu > 0);
    CHECK(__wasi_clock_time_get(99, 1, &cpu) == __WASI_ERRNO_INVAL);
    OK("clocks");

    CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    CHECK(poll(NULL, 0, 30) == 0);
    CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
    CHECK((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec) >= 30 * 1000 * 1000);
    struct pollfd pfd = {1, POLLOUT, 0};
    CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLOUT));
    struct pollfd bad = {99, POLLIN, 0};
    CHECK(poll(&bad, 1, 0) == 1 && (bad.revents & POLLNVAL));
    OK("poll");

    unsigned char rnd[64] = {0};
    CHECK(getentropy(rnd, sizeof rnd) == 0);
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += rnd[i] != 0;
    CHECK(nonzero > 32);
    CHECK(sched_yield() == 0);
    OK("random");

    char c;
    struct stat st;
    CHECK_ERR(read(99, &c, 1), EBADF);
    CHECK_ERR(write(99, "x", 1), EBADF);
    CHECK_ERR(close(99), EBADF);
    CHECK_ERR(fstat(99, &st), EBADF);
    CHECK_ERR(lseek(99, 0, SEEK_SET), EBADF);
    CHECK(__wasi_fd_renumber(99, 1) == __WASI_ERRNO_BADF);
    OK("badfd");
    return 0;
}
