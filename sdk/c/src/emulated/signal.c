/* libwasi-emulated-signal.a (wasi-sdk's name; select with -D_WASI_EMULATED_SIGNAL and
 * -lwasi-emulated-signal). WASI delivers no signals, so a handler runs only when the program
 * itself calls raise(); signal() records handlers, SIG_IGN and SIG_DFL behave as POSIX says for
 * a raised signal (SIG_DFL ends the program for the signals whose default action is to
 * terminate, exit status 128 + the signal number, as a shell reports a signal death).
 * Built by scripts/setup-sysroot into .sysroot/<target>/lib/<target>/. */
#define _GNU_SOURCE /* program_invocation_short_name, read by progname.h */
#define _WASI_EMULATED_SIGNAL
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../compat/progname.h"

/* SIG_IGN and SIG_ERR are these functions' addresses: in wasm, 1 and -1 are valid table
 * indices, so the headers cannot use them as sentinels. */
void __SIG_IGN(int sig) { (void)sig; }
void __SIG_ERR(int sig) { (void)sig; }

static void (*handlers[_NSIG])(int);

void (*signal(int sig, void (*func)(int)))(int) {
    if (sig <= 0 || sig >= _NSIG || sig == SIGKILL || sig == SIGSTOP || func == SIG_ERR) {
        errno = EINVAL;
        return SIG_ERR;
    }
    void (*old)(int) = handlers[sig];
    handlers[sig] = func;
    return old;
}

void (*bsd_signal(int sig, void (*func)(int)))(int) { return signal(sig, func); }

int raise(int sig) {
    if (sig <= 0 || sig >= _NSIG) {
        errno = EINVAL;
        return -1;
    }
    void (*h)(int) = handlers[sig];
    if (h == SIG_IGN)
        return 0;
    if (h != SIG_DFL) {
        h(sig);
        return 0;
    }
    switch (sig) {
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
        return 0; /* default action: ignore */
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return 0; /* default action: stop; nothing can continue a WASI program, so carry on */
    default:
        fprintf(stderr, "%s: terminated by signal %d (%s)\n", wasock_progname(), sig,
                strsignal(sig));
        _Exit(128 + sig);
    }
}

static const char *const names[] = {
    [SIGHUP] = "Hangup", [SIGINT] = "Interrupt", [SIGQUIT] = "Quit",
    [SIGILL] = "Illegal instruction", [SIGTRAP] = "Trace/breakpoint trap",
    [SIGABRT] = "Aborted", [SIGBUS] = "Bus error", [SIGFPE] = "Arithmetic exception",
    [SIGKILL] = "Killed", [SIGUSR1] = "User defined signal 1",
    [SIGSEGV] = "Segmentation fault", [SIGUSR2] = "User defined signal 2",
    [SIGPIPE] = "Broken pipe", [SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated",
    [SIGSTKFLT] = "Stack fault", [SIGCHLD] = "Child process status", [SIGCONT] = "Continued",
    [SIGSTOP] = "Stopped (signal)", [SIGTSTP] = "Stopped", [SIGTTIN] = "Stopped (tty input)",
    [SIGTTOU] = "Stopped (tty output)", [SIGURG] = "Urgent I/O condition",
    [SIGXCPU] = "CPU time limit exceeded", [SIGXFSZ] = "File size limit exceeded",
    [SIGVTALRM] = "Virtual timer expired", [SIGPROF] = "Profiling timer expired",
    [SIGWINCH] = "Window changed", [SIGPOLL] = "I/O possible", [SIGPWR] = "Power failure",
    [SIGSYS] = "Bad system call",
};

char *strsignal(int sig) {
    if (sig > 0 && sig < (int)(sizeof names / sizeof names[0]) && names[sig])
        return (char *)names[sig];
    return (char *)"Unknown signal";
}

void psignal(int sig, const char *msg) {
    if (msg && *msg)
        fprintf(stderr, "%s: %s\n", msg, strsignal(sig));
    else
        fprintf(stderr, "%s\n", strsignal(sig));
}
