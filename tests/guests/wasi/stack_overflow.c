/* The linear-memory stack (issue 19). `stack_overflow buffer KIB`: a KIB KiB array on the
 * stack, filled and summed, prints `buffer KIB ok`. `stack_overflow deep`: recursion that never
 * ends, 4 KiB of stack per frame, until the stack runs out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static int use_buffer(size_t n) {
    char *buf = __builtin_alloca(n);
    memset(buf, 1, n);
    int sum = 0;
    for (size_t i = 0; i < n; i += 4096)
        sum += ((volatile char *)buf)[i];
    return sum;
}

static volatile int stop = -1; /* never reached: the depth is unbounded in practice */

__attribute__((noinline)) static int down(int n) {
    volatile char frame[4096]; /* indexed by n, so the compiler keeps all of it */
    frame[(unsigned)n % sizeof frame] = (char)n;
    if (n == stop)
        return 0;
    return down(n + 1) + frame[(unsigned)n % sizeof frame];
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "buffer") == 0) {
        size_t kib = strtoul(argv[2], 0, 10);
        int sum = use_buffer(kib * 1024);
        printf("buffer %zu ok (%d)\n", kib, sum);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "deep") == 0)
        return down(0);
    puts("usage: stack_overflow buffer KIB | deep");
    return 2;
}
