/* libwasi-emulated-signal.a (wasi-sdk's name; select with -D_WASI_EMULATED_SIGNAL and
 * -lwasi-emulated-signal). WASI delivers no signals, so a handler runs only when the program
 * itself calls raise() (or kill() of its own pid); signal() and sigaction() record handlers,
 * SIG_IGN and SIG_DFL behave as POSIX says for a raised signal (SIG_DFL ends the program for the
 * signals whose default action is to terminate, exit status 128 + the signal number, as a shell
 * reports a signal death), and a blocked signal stays pending until sigprocmask() unblocks it.
 * One mask for the whole program: pthread_sigmask() is sigprocmask(); one lock keeps the tables
 * and sets consistent when threads call these at once. Waiting for a signal
 * (sigsuspend, sigwait...) fails with ENOSYS: none would ever come; alarm() is accepted, and
 * never fires.
 * Built by scripts/setup-sysroot into .sysroot/<target>/lib/<target>/. */
#define _GNU_SOURCE /* program_invocation_short_name, read by progname.h */
#ifndef _WASI_EMULATED_SIGNAL /* scripts/wasi-cc defines it by default */
#define _WASI_EMULATED_SIGNAL
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../compat/progname.h"

/* SIG_IGN and SIG_ERR are these functions' addresses: in wasm, 1 and -1 are valid table
 * indices, so the headers cannot use them as sentinels. */
void __SIG_IGN(int sig) { (void)sig; }
void __SIG_ERR(int sig) { (void)sig; }

static void (*handlers[_NSIG])(int);
static void (*actions[_NSIG])(int, siginfo_t *, void *); /* SA_SIGINFO handlers */
static int flags[_NSIG];
static sigset_t masks[_NSIG]; /* sa_mask: blocked while the handler runs */
static sigset_t blocked, pending;
/* Guards the tables and the two sets: threads may call signal(), sigaction(), sigprocmask() or
 * raise() at once. Never held while a handler runs (a handler may call any of them). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int valid(int sig) { return sig > 0 && sig < _NSIG; }
static int bit(const sigset_t *set, int sig) {
    return (set->__bits[(sig - 1) / (8 * sizeof(long))] >> ((sig - 1) % (8 * sizeof(long)))) & 1;
}
static void put(sigset_t *set, int sig, int on) {
    unsigned long b = 1UL << ((sig - 1) % (8 * sizeof(long)));
    unsigned long *w = &set->__bits[(sig - 1) / (8 * sizeof(long))];
    *w = on ? (*w | b) : (*w & ~b);
}

void (*signal(int sig, void (*func)(int)))(int) {
    if (sig <= 0 || sig >= _NSIG || sig == SIGKILL || sig == SIGSTOP || func == SIG_ERR) {
        errno = EINVAL;
        return SIG_ERR;
    }
    pthread_mutex_lock(&lock);
    void (*old)(int) = handlers[sig];
    handlers[sig] = func;
    actions[sig] = NULL;
    flags[sig] = 0;
    memset(&masks[sig], 0, sizeof masks[sig]);
    pthread_mutex_unlock(&lock);
    return old;
}

int sigemptyset(sigset_t *set) {
    memset(set, 0, sizeof *set);
    return 0;
}

int sigfillset(sigset_t *set) {
    memset(set, 0, sizeof *set);
    for (int s = 1; s < _NSIG; s++)
        put(set, s, 1);
    return 0;
}

int sigaddset(sigset_t *set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    put(set, sig, 1);
    return 0;
}

int sigdelset(sigset_t *set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    put(set, sig, 0);
    return 0;
}

int sigismember(const sigset_t *set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    return bit(set, sig);
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old) {
    if (!valid(sig) || (act && (sig == SIGKILL || sig == SIGSTOP))) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&lock);
    if (old) {
        memset(old, 0, sizeof *old);
        if (actions[sig])
            old->sa_sigaction = actions[sig];
        else
            old->sa_handler = handlers[sig];
        old->sa_flags = flags[sig];
        old->sa_mask = masks[sig];
    }
    if (act) {
        int siginfo = (act->sa_flags & SA_SIGINFO) != 0;
        actions[sig] = siginfo ? act->sa_sigaction : NULL;
        handlers[sig] = siginfo ? NULL : act->sa_handler;
        flags[sig] = act->sa_flags;
        masks[sig] = act->sa_mask;
    }
    pthread_mutex_unlock(&lock);
    return 0;
}

/* Takes the pending signals no longer blocked off the pending set (the lock held). */
static sigset_t take_due(void) {
    sigset_t due;
    memset(&due, 0, sizeof due);
    for (int s = 1; s < _NSIG; s++)
        if (bit(&pending, s) && !bit(&blocked, s)) {
            put(&pending, s, 0);
            put(&due, s, 1);
        }
    return due;
}

/* Raises what take_due() took (the lock released). */
static void deliver(const sigset_t *due) {
    for (int s = 1; s < _NSIG; s++)
        if (bit(due, s))
            raise(s);
}

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old) {
    pthread_mutex_lock(&lock);
    if (old)
        *old = blocked;
    if (!set || (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)) {
        pthread_mutex_unlock(&lock);
        if (!set)
            return 0;
        errno = EINVAL;
        return -1;
    }
    for (int s = 1; s < _NSIG; s++) {
        int in = bit(set, s);
        if (how == SIG_SETMASK)
            put(&blocked, s, in);
        else if (in)
            put(&blocked, s, how == SIG_BLOCK);
    }
    put(&blocked, SIGKILL, 0);
    put(&blocked, SIGSTOP, 0);
    sigset_t due = take_due();
    pthread_mutex_unlock(&lock);
    deliver(&due);
    return 0;
}

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old) {
    return sigprocmask(how, set, old) == 0 ? 0 : errno;
}

int sigpending(sigset_t *set) {
    pthread_mutex_lock(&lock);
    *set = pending;
    pthread_mutex_unlock(&lock);
    return 0;
}

/* The program's own pid is the placeholder getpid() returns (42, libwasi-emulated-getpid);
 * 0 and -42 name its process group. No other process exists. */
int kill(pid_t pid, int sig) {
    if (sig != 0 && !valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    if (pid != 42 && pid != 0 && pid != -42) {
        errno = ESRCH;
        return -1;
    }
    return sig == 0 ? 0 : raise(sig);
}

int pthread_kill(pthread_t t, int sig) {
    (void)t; /* one mask and one set of handlers for all threads: the signal is the program's */
    if (sig == 0)
        return 0;
    return raise(sig) == 0 ? 0 : errno;
}

int sigqueue(pid_t pid, int sig, union sigval value) {
    (void)value;
    return kill(pid, sig);
}

int sigsuspend(const sigset_t *mask) {
    (void)mask;
    errno = ENOSYS;
    return -1;
}

int sigwait(const sigset_t *restrict set, int *restrict sig) {
    (void)set;
    (void)sig;
    return ENOSYS;
}

int sigwaitinfo(const sigset_t *restrict set, siginfo_t *restrict info) {
    (void)set;
    (void)info;
    errno = ENOSYS;
    return -1;
}

int sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict info,
                 const struct timespec *restrict timeout) {
    (void)set;
    (void)info;
    (void)timeout;
    errno = ENOSYS;
    return -1;
}

void (*bsd_signal(int sig, void (*func)(int)))(int) { return signal(sig, func); }

int raise(int sig) {
    if (sig <= 0 || sig >= _NSIG) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&lock);
    if (bit(&blocked, sig)) {
        put(&pending, sig, 1);
        pthread_mutex_unlock(&lock);
        return 0;
    }
    void (*h)(int) = handlers[sig];
    void (*a)(int, siginfo_t *, void *) = actions[sig];
    if (h == SIG_IGN) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    if (a || h != SIG_DFL) {
        int f = flags[sig];
        sigset_t saved = blocked;
        for (int s = 1; s < _NSIG; s++)
            if (bit(&masks[sig], s))
                put(&blocked, s, 1);
        if (!(f & SA_NODEFER))
            put(&blocked, sig, 1);
        if (f & SA_RESETHAND) {
            handlers[sig] = SIG_DFL;
            actions[sig] = NULL;
            flags[sig] = 0;
        }
        pthread_mutex_unlock(&lock);
        if (a) {
            siginfo_t info;
            memset(&info, 0, sizeof info);
            info.si_signo = sig;
            info.si_code = SI_USER;
            info.si_pid = 42;
            a(sig, &info, NULL);
        } else {
            h(sig);
        }
        pthread_mutex_lock(&lock);
        blocked = saved;
        sigset_t due = take_due();
        pthread_mutex_unlock(&lock);
        deliver(&due);
        return 0;
    }
    pthread_mutex_unlock(&lock);
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

/* alarm(): WASI has no timer that can interrupt a program, so SIGALRM never arrives. The call
 * is kept (programs set alarms on paths WASI never takes, e.g. a forking master process) and
 * keeps POSIX's bookkeeping: it returns the seconds left of the alarm it replaces, and
 * alarm(0) cancels. The first alarm actually set says on stderr, once, that it will not fire. */
__attribute__((weak)) /* a port's own alarm() wins */
unsigned alarm(unsigned seconds) {
    static long long deadline; /* monotonic ns; 0: none set */
    static int warned;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long t = now.tv_sec * 1000000000LL + now.tv_nsec;
    unsigned left = 0;
    if (deadline > t)
        left = (unsigned)((deadline - t + 999999999LL) / 1000000000LL);
    deadline = seconds ? t + seconds * 1000000000LL : 0;
    if (seconds && !warned) {
        warned = 1;
        fprintf(stderr, "%s: alarm(%u) set, but WASI delivers no SIGALRM: it will not fire\n",
                wasock_progname(), seconds);
    }
    return left;
}
