/* `exit_trap exit N`: prints `exiting N` (buffered: exit() must flush it) and calls exit(N).
 * `exit_trap raw N`: proc_exit(N) straight away. `exit_trap trap`: an unreachable instruction
 * two named frames deep. No argument: prints `no action`, returns 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

__attribute__((noinline)) static void crash_here(void) { __builtin_trap(); }

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "exit") == 0) {
        printf("exiting %d\n", atoi(argv[2]));
        exit(atoi(argv[2]));
    }
    if (argc > 2 && strcmp(argv[1], "raw") == 0)
        __wasi_proc_exit(atoi(argv[2]));
    if (argc > 1 && strcmp(argv[1], "trap") == 0)
        crash_here();
    puts("no action");
    return 0;
}
