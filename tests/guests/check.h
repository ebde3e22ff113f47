/* Self-checking guests: CHECK(expr) prints the failing line with errno and exits 1;
 * OK(name) prints "ok name". The Rust tests look for those lines. */
#ifndef CHECK_H
#define CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(expr)                                                                                 \
    do {                                                                                            \
        if (!(expr)) {                                                                              \
            fprintf(stderr, "FAIL: %s:%d: %s (errno=%d %s)\n", __FILE__, __LINE__, #expr, errno,     \
                    strerror(errno));                                                               \
            exit(1);                                                                                \
        }                                                                                           \
    } while (0)

/* The call fails with exactly this errno. */
#define CHECK_ERR(call, err)                                                                        \
    do {                                                                                            \
        errno = 0;                                                                                  \
        long _r = (long)(call);                                                                     \
        if (_r != -1 || errno != (err)) {                                                           \
            fprintf(stderr, "FAIL: %s:%d: %s = %ld errno=%d, want -1 errno=%d\n", __FILE__, __LINE__, \
                    #call, _r, errno, (err));                                                       \
            exit(1);                                                                                \
        }                                                                                           \
    } while (0)

/* Set (`--env WASI_REFERENCE=1`) when the reference CLI, wasmtime, runs a WASI guest to check
 * the guest itself. It relaxes only the checks where wasmtime knowingly departs from POSIX;
 * each use says how. wasock runs every guest without it. */
#define REFERENCE (getenv("WASI_REFERENCE") != NULL)

#define OK(name)                                                                                    \
    do {                                                                                            \
        printf("ok %s\n", name);                                                                    \
        fflush(stdout);                                                                             \
    } while (0)

#endif
