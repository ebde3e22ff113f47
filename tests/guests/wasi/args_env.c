/* argv/environ round trip: run as `args_env alpha "two words" ""` with FOO=bar, EMPTY= and
 * nothing else. Prints argv[0] to stderr for the runner to compare (iwasm: the module path as
 * typed). */
#include "../check.h"

extern char **environ;

int main(int argc, char **argv) {
    fprintf(stderr, "argv0=%s\n", argv[0]);
    CHECK(argc == 4);
    CHECK(strcmp(argv[1], "alpha") == 0);
    CHECK(strcmp(argv[2], "two words") == 0);
    CHECK(strcmp(argv[3], "") == 0);
    OK("args");
    CHECK(getenv("FOO") && strcmp(getenv("FOO"), "bar") == 0);
    CHECK(getenv("EMPTY") && strcmp(getenv("EMPTY"), "") == 0);
    CHECK(getenv("MISSING") == NULL);
    int n = 0;
    for (char **e = environ; *e; e++)
        n++;
    CHECK(n == 2); /* nothing from the host leaks in */
    OK("environ");
    return 0;
}
