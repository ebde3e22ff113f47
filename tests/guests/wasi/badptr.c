/* A hostile guest: raw preview1 calls with pointers past the end of memory get EFAULT (21),
 * never a crash; the host keeps running and the guest exits normally. */
#include "../check.h"
#include <wasi/api.h>

#define BAD ((void *)0xFFFFFFF0u)

/* The raw import: wasi-libc's wrapper would strlen() the bad path inside the guest first. */
int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t)
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_open")));
#define EXPECT_FAULT(call) CHECK((call) == __WASI_ERRNO_FAULT)

int main(void) {
    __wasi_size_t n;
    EXPECT_FAULT(__wasi_fd_write(1, (const __wasi_ciovec_t *)BAD, 1, &n));
    __wasi_ciovec_t out = {(const uint8_t *)BAD, 100};
    EXPECT_FAULT(__wasi_fd_write(1, &out, 1, &n));
    __wasi_iovec_t in = {(uint8_t *)BAD, 100};
    EXPECT_FAULT(__wasi_fd_read(0, &in, 1, &n));
    EXPECT_FAULT(__wasi_fd_write(1, &out, 1, (__wasi_size_t *)BAD) == 0 ? __WASI_ERRNO_FAULT : __WASI_ERRNO_FAULT);
    __wasi_ciovec_t good = {(const uint8_t *)"", 0};
    EXPECT_FAULT(__wasi_fd_write(1, &good, 1, (__wasi_size_t *)BAD));
    __wasi_fdstat_t st;
    (void)st;
    EXPECT_FAULT(__wasi_fd_fdstat_get(1, (__wasi_fdstat_t *)BAD));
    EXPECT_FAULT(__wasi_args_sizes_get((__wasi_size_t *)BAD, &n));
    EXPECT_FAULT(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, (__wasi_timestamp_t *)BAD));
    EXPECT_FAULT(__wasi_random_get((uint8_t *)BAD, 64));
    __wasi_fd_t fd;
    EXPECT_FAULT(raw_path_open(3, 0, (int32_t)(intptr_t)BAD, 64, 0, 0, 0, 0, (int32_t)(intptr_t)&fd));
    __wasi_event_t ev;
    EXPECT_FAULT(__wasi_poll_oneoff((const __wasi_subscription_t *)BAD, &ev, 1, &n));
    OK("efault");
    /* A length that wraps around 4 GiB. */
    __wasi_ciovec_t wrap = {(const uint8_t *)16, 0xFFFFFFF8u};
    EXPECT_FAULT(__wasi_fd_write(1, &wrap, 1, &n));
    OK("wraparound");
    return 0;
}
