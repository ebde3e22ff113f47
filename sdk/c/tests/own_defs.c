/* A port that brought its own shims for what the SDK now provides (alarm, getppid, mkstemp)
 * still links, while it uses the SDK's neighbours of them (signal, getpid, mkdtemp): those
 * definitions are weak. Built by run.sh, run under wasock. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

unsigned alarm(unsigned seconds) { return seconds + 1000; }
pid_t getppid(void) { return 7; }
int mkstemp(char *t) { (void)t; return -77; }

int main(int argc, char **argv) {
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/own-XXXXXX", argc > 1 ? argv[1] : ".");
    CHECK("own_alarm", alarm(1) == 1001 && signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    CHECK("own_getppid", getppid() == 7 && getpid() == 42);
    CHECK("own_mkstemp", mkstemp(tmpl) == -77 && mkdtemp(tmpl) == tmpl && rmdir(tmpl) == 0);
    puts("own_defs: all ok");
    return 0;
}
