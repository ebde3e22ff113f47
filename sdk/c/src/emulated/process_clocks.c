/* libwasi-emulated-process-clocks.a (wasi-sdk's name; -D_WASI_EMULATED_PROCESS_CLOCKS
 * -lwasi-emulated-process-clocks): clock(), times() and getrusage() from preview1's
 * CLOCK_PROCESS_CPUTIME_ID, which wasock answers with the host process's CPU time (user and
 * system together: WASI does not split them, so all of it is reported as user time); on a
 * runtime without that clock, the wall time since start-up (as wasi-sdk). */
#ifndef _WASI_EMULATED_PROCESS_CLOCKS /* scripts/wasi-cc defines it by default */
#define _WASI_EMULATED_PROCESS_CLOCKS
#endif
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
#include <wasi/api.h>

/* Where a runtime has no process clock (wasmtime answers EBADF), wall time since start-up,
 * as wasi-sdk's emulation always reports: these calls are on by default in scripts/wasi-cc,
 * and a program that checks getrusage() should not fail on another runtime. */
static __wasi_timestamp_t started;
__attribute__((constructor)) static void note_start(void) {
    (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &started);
}

/* The import itself: this wasi-libc's clock_gettime() no longer knows the process clock. */
static long long cpu_ns(void) {
    __wasi_timestamp_t ns;
    __wasi_errno_t e = __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &ns);
    if (e == 0)
        return (long long)ns;
    e = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &ns);
    if (e != 0) {
        errno = e;
        return -1;
    }
    return (long long)(ns - started);
}

/* wasi-libc's CLOCKS_PER_SEC is 10^9: clock_t counts nanoseconds. */
clock_t clock(void) {
    long long ns = cpu_ns();
    return ns < 0 ? (clock_t)-1 : (clock_t)(ns / (1000000000LL / CLOCKS_PER_SEC));
}

clock_t times(struct tms *buf) {
    long long ns = cpu_ns();
    struct timespec now;
    if (ns < 0 || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
        return (clock_t)-1;
    clock_t ticks = (clock_t)(ns / (1000000000LL / CLOCKS_PER_SEC));
    if (buf) {
        buf->tms_utime = ticks;
        buf->tms_stime = 0;
        buf->tms_cutime = 0;
        buf->tms_cstime = 0;
    }
    return (clock_t)(((long long)now.tv_sec * 1000000000LL + now.tv_nsec) /
                     (1000000000LL / CLOCKS_PER_SEC));
}

int getrusage(int who, struct rusage *usage) {
    memset(usage, 0, sizeof *usage);
    if (who == RUSAGE_CHILDREN)
        return 0; /* no child processes, ever */
    if (who != RUSAGE_SELF) {
        errno = EINVAL;
        return -1;
    }
    long long ns = cpu_ns();
    if (ns < 0)
        return -1;
    usage->ru_utime.tv_sec = (time_t)(ns / 1000000000LL);
    usage->ru_utime.tv_usec = (suseconds_t)(ns % 1000000000LL / 1000);
    return 0;
}
