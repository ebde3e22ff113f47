/* Clocks, sleep, poll, random and bad fds. argv[1] is a preopened scratch directory; stdin is
 * expected to be at end of file (/dev/null). */
#include "../check.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

static long long mono(void) {
    struct timespec t;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
    return ns(&t);
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    struct timespec r, a;
    CHECK(clock_getres(CLOCK_MONOTONIC, &r) == 0 && ns(&r) > 0 && ns(&r) <= 1000000);
    CHECK(clock_getres(CLOCK_REALTIME, &r) == 0 && ns(&r) > 0 && ns(&r) <= 1000000);
    CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1600000000);
    long long prev = mono(), first = prev;
    for (int i = 0; i < 1000; i++) {
        long long now = mono();
        CHECK(now >= prev); /* never goes backwards */
        prev = now;
    }
    CHECK(prev > first);
    /* wasmtime has no CPU-time clocks (EBADF) and traps on an unknown clock id. */
    if (!REFERENCE) {
        __wasi_timestamp_t cpu;
        CHECK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu) == 0 && cpu > 0);
        CHECK(__wasi_clock_time_get(99, 1, &cpu) == __WASI_ERRNO_INVAL);
    }
    OK("clocks");

    /* Sleeps are clock subscriptions in poll_oneoff; none may end early. */
    long long t0 = mono();
    struct timespec nap = {0, 20 * 1000 * 1000};
    CHECK(nanosleep(&nap, NULL) == 0);
    CHECK(mono() - t0 >= 20 * 1000 * 1000);
    t0 = mono();
    struct timespec until = {(t0 + 20000000) / 1000000000, (t0 + 20000000) % 1000000000};
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0); /* absolute */
    CHECK(mono() >= t0 + 20000000);
    CHECK(usleep(1000) == 0 && sched_yield() == 0);
    OK("sleep");

    t0 = mono();
    CHECK(poll(NULL, 0, 30) == 0);
    CHECK(mono() - t0 >= 30 * 1000 * 1000);
    struct pollfd out = {1, POLLOUT, 0};
    CHECK(poll(&out, 1, 1000) == 1 && out.revents == POLLOUT);
    struct pollfd in = {0, POLLIN, 0};
    CHECK(poll(&in, 1, 5000) == 1 && (in.revents & POLLIN)); /* readable: at end of file */
    char c;
    CHECK(read(0, &c, 1) == 0);
    char path[256];
    snprintf(path, sizeof path, "%s/poll.txt", argv[1]);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1 && lseek(fd, 0, SEEK_SET) == 0);
    struct pollfd f = {fd, POLLIN, 0};
    CHECK(poll(&f, 1, 1000) == 1 && (f.revents & POLLIN)); /* regular files are always ready */
    f.events = POLLOUT;
    CHECK(poll(&f, 1, 1000) == 1 && f.revents == POLLOUT);
    /* wasmtime reports one ready subscription per poll_oneoff call, and fails the whole call
     * with EBADF for a bad fd instead of reporting it in that fd's event. */
    if (!REFERENCE) {
        struct pollfd two[2] = {{fd, POLLIN, 0}, {1, POLLOUT, 0}};
        CHECK(poll(two, 2, 1000) == 2 && (two[0].revents & POLLIN) && two[1].revents == POLLOUT);
        struct pollfd bad[2] = {{99, POLLIN, 0}, {1, POLLOUT, 0}};
        CHECK(poll(bad, 2, 0) == 2 && bad[0].revents == POLLNVAL && bad[1].revents == POLLOUT);
    }
    close(fd);
    OK("poll");

    unsigned char r1[64] = {0}, r2[64] = {0};
    CHECK(getentropy(r1, sizeof r1) == 0 && getentropy(r2, sizeof r2) == 0);
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += r1[i] != 0;
    CHECK(nonzero > 32 && memcmp(r1, r2, sizeof r1) != 0);
    CHECK(__wasi_random_get(r1, 0) == 0);
    OK("random");

    struct stat st;
    CHECK_ERR(read(99, &c, 1), EBADF);
    CHECK_ERR(write(99, "x", 1), EBADF);
    CHECK_ERR(close(99), EBADF);
    CHECK_ERR(fstat(99, &st), EBADF);
    CHECK_ERR(lseek(99, 0, SEEK_SET), EBADF);
    CHECK_ERR(fsync(99), EBADF);
    CHECK_ERR(fcntl(99, F_GETFL), EBADF);
    CHECK(__wasi_fd_renumber(99, 1) == __WASI_ERRNO_BADF);
    CHECK(__wasi_fd_renumber(1, 99) == __WASI_ERRNO_BADF);
    OK("badfd");
    return 0;
}
