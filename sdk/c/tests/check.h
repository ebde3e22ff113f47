/* The SDK tests' check: prints `ok NAME`, or `FAIL NAME: COND (errno …)` and exits 1.
 * Shared by porting.c and unchanged.c (which also build natively). */
#ifndef WASOCK_SDK_TEST_CHECK_H
#define WASOCK_SDK_TEST_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(name, cond)                                                                    \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            printf("FAIL %s: %s (errno %d %s)\n", name, #cond, errno, strerror(errno));      \
            exit(1);                                                                         \
        }                                                                                    \
        printf("ok %s\n", name);                                                             \
    } while (0)

#endif
