/* `exit_trap exit N` calls exit(N); `exit_trap trap` hits an unreachable instruction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void crash_here(void) { __builtin_trap(); }

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "exit") == 0)
        exit(atoi(argv[2]));
    if (argc > 1 && strcmp(argv[1], "trap") == 0)
        crash_here();
    puts("no action");
    return 0;
}
