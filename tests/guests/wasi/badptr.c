/* A hostile guest: raw preview1 calls with pointers outside linear memory get EFAULT (21) and
 * change nothing; the host keeps running and the guest exits normally. argv[1] is a
 * preopened scratch directory.
 * wasmtime (and, per docs/socket-abi.md, WAMR) trap the instance instead, so this guest is
 * for wasock only. */
#include "../check.h"
#include <fcntl.h>
#include <unistd.h>
#include <wasi/api.h>

#define BAD ((void *)0xFFFFFFF0u)
#define FAULT(call) CHECK((call) == __WASI_ERRNO_FAULT)

/* The raw import: wasi-libc's wrapper would strlen() the bad path inside the guest first. */
int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t)
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_open")));

int main(int argc, char **argv) {
    CHECK(argc == 2);
    __wasi_size_t n = 12345;
    __wasi_ciovec_t out = {(const uint8_t *)BAD, 100};
    __wasi_ciovec_t empty = {(const uint8_t *)"", 0};
    FAULT(__wasi_fd_write(1, (const __wasi_ciovec_t *)BAD, 1, &n)); /* the iovec array */
    FAULT(__wasi_fd_write(1, &out, 1, &n));                          /* the data */
    FAULT(__wasi_fd_write(1, &empty, 1, (__wasi_size_t *)BAD));      /* the result */
    CHECK(n == 12345);                                               /* outputs untouched */
    __wasi_fdstat_t st;
    FAULT(__wasi_fd_fdstat_get(1, (__wasi_fdstat_t *)BAD));
    FAULT(__wasi_args_sizes_get((__wasi_size_t *)BAD, &n));
    FAULT(__wasi_environ_sizes_get(&n, (__wasi_size_t *)BAD));
    FAULT(__wasi_args_get((uint8_t **)BAD, (uint8_t *)BAD));
    FAULT(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, (__wasi_timestamp_t *)BAD));
    FAULT(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, (__wasi_timestamp_t *)BAD));
    FAULT(__wasi_random_get((uint8_t *)BAD, 64));
    __wasi_prestat_t pre;
    CHECK(__wasi_fd_prestat_get(3, &pre) == 0);
    FAULT(__wasi_fd_prestat_dir_name(3, (uint8_t *)BAD, pre.u.dir.pr_name_len));
    FAULT(__wasi_fd_prestat_get(3, (__wasi_prestat_t *)BAD));
    __wasi_fd_t fd = 777;
    FAULT(raw_path_open(3, 0, (int32_t)(intptr_t)BAD, 64, 0, 0, 0, 0, (int32_t)(intptr_t)&fd));
    FAULT(raw_path_open(3, 0, (int32_t)(intptr_t) "x", 0x7FFFFFF0, 0, 0, 0, 0, (int32_t)(intptr_t)&fd));
    CHECK(fd == 777);
    __wasi_event_t ev;
    FAULT(__wasi_poll_oneoff((const __wasi_subscription_t *)BAD, &ev, 1, &n));
    OK("efault");

    /* Reading a file into a bad buffer: EFAULT, and the data is not consumed. */
    char path[256];
    snprintf(path, sizeof path, "%s/data", argv[1]);
    int f = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(f >= 0 && write(f, "abcdef", 6) == 6 && lseek(f, 0, SEEK_SET) == 0);
    __wasi_iovec_t in = {(uint8_t *)BAD, 100};
    FAULT(__wasi_fd_read(f, &in, 1, &n));
    FAULT(__wasi_fd_pread(f, &in, 1, 0, &n));
    __wasi_filesize_t pos = 99;
    CHECK(__wasi_fd_tell(f, &pos) == 0 && pos == 0);
    char buf[8];
    CHECK(read(f, buf, 8) == 6 && memcmp(buf, "abcdef", 6) == 0);
    CHECK(close(f) == 0);
    OK("efault_file");

    /* The exact end of memory: [end-4, end) is valid, one byte further is not. */
    uint8_t *end = (uint8_t *)(__builtin_wasm_memory_size(0) * 65536);
    CHECK(__wasi_random_get(end - 4, 4) == 0);
    FAULT(__wasi_random_get(end - 3, 4));
    CHECK(__wasi_random_get(end, 0) == 0); /* empty range at the end: in bounds */
    __wasi_ciovec_t tail = {end - 1, 2};
    FAULT(__wasi_fd_write(1, &tail, 1, &n));
    /* A length that wraps around 4 GiB. */
    __wasi_ciovec_t wrap = {(const uint8_t *)16, 0xFFFFFFF8u};
    FAULT(__wasi_fd_write(1, &wrap, 1, &n));
    OK("bounds");

    /* Still alive and well. */
    CHECK(__wasi_fd_fdstat_get(1, &st) == 0);

    /* A call whose only bad pointer is an output fails as a whole, with no effect (pointers
     * are checked before the host acts): no seek, no write, no file created. */
    f = open(path, O_RDWR);
    CHECK(f >= 0 && lseek(f, 6, SEEK_SET) == 6);
    FAULT(__wasi_fd_seek(f, 2, __WASI_WHENCE_SET, (__wasi_filesize_t *)BAD));
    CHECK(__wasi_fd_tell(f, &pos) == 0 && pos == 6);
    __wasi_ciovec_t xyz = {(const uint8_t *)"xyz", 3};
    FAULT(__wasi_fd_write(f, &xyz, 1, (__wasi_size_t *)BAD));
    CHECK(__wasi_fd_tell(f, &pos) == 0 && pos == 6);
    CHECK(lseek(f, 0, SEEK_SET) == 0);
    __wasi_iovec_t two = {(uint8_t *)buf, 2};
    FAULT(__wasi_fd_read(f, &two, 1, (__wasi_size_t *)BAD)); /* nothing consumed */
    CHECK(__wasi_fd_tell(f, &pos) == 0 && pos == 0);
    close(f);
    FAULT(raw_path_open(3, 0, (int32_t)(intptr_t) "created", 7, __WASI_OFLAGS_CREAT, -1, -1, 0, (int32_t)(intptr_t)BAD));
    snprintf(path, sizeof path, "%s/created", argv[1]);
    CHECK_ERR(access(path, F_OK), ENOENT);
    OK("efault_no_side_effect");
    return 0;
}
