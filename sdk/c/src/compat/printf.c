/* The printf family's entry points in the SDK's libc.a: vfprintf, vsnprintf and vasprintf
 * (printf, fprintf, snprintf, sprintf, asprintf, strftime's numbers... all end in one of
 * them). Each formats the common conversions itself, in one pass, and hands anything else to
 * musl's own code, so output and errors are always musl's.
 *
 * Why: musl's printf_core costs 2.7x glibc's (darkhttpd's log line: 167 ns with glibc, 449
 * with native musl, 427 under wasock), and musl's vasprintf formats everything twice; in
 * darkhttpd, musl's printf was most of the guest's own time per request (bench/README.md).
 *
 * Handled here: literal text, %%, and d i u o x X c s with the flags - + space # 0, a width
 * and a precision (digits or *), and the length modifiers hh h l ll j z t (not on c and s).
 * Everything else (floating point, %p, %n, %m, wide characters, positional arguments, the '
 * flag, anything invalid, an output above INT_MAX bytes) goes to musl's vfprintf/vsnprintf,
 * which setup-sysroot compiles from wasi-libc's sources as __wasock_musl_vfprintf and
 * __wasock_musl_vsnprintf. That hand-over starts from the caller's untouched va_list, and
 * nothing has reached a FILE by then, so no output is doubled. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int __wasock_musl_vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap);
int __wasock_musl_vsnprintf(char *restrict s, size_t n, const char *restrict fmt, va_list ap);

enum { LEFT = 1, PLUS = 2, SPACE = 4, ALT = 8, ZERO = 16 };
enum { L_NONE, L_HH, L_H, L_L, L_LL, L_J, L_Z };

/* Where formatted bytes go: buf holds the first cap of them; len counts them all, as
 * snprintf's result must. */
struct out {
    char *buf;
    size_t cap;
    size_t len;
};

/* Most pieces are a few bytes: copied inline, they cost less than a call to memcpy (musl's,
 * compiled to wasm). no_builtin keeps clang from turning the loops back into such calls. */
__attribute__((no_builtin("memcpy"))) static void put(struct out *o, const char *s, size_t n) {
    if (o->len < o->cap) {
        size_t room = o->cap - o->len, k = n < room ? n : room;
        char *d = o->buf + o->len;
        if (k > 32)
            memcpy(d, s, k);
        else
            for (size_t i = 0; i < k; i++)
                d[i] = s[i];
    }
    o->len += n;
}

/* put's twin for one byte repeated (kept apart so that each stays a tight loop). */
__attribute__((no_builtin("memset"))) static void fill(struct out *o, char c, size_t n) {
    if (o->len < o->cap) {
        size_t room = o->cap - o->len, k = n < room ? n : room;
        char *d = o->buf + o->len;
        if (k > 32)
            memset(d, c, k);
        else
            for (size_t i = 0; i < k; i++)
                d[i] = c;
    }
    o->len += n;
}

/* A whole string, read once (strlen and a copy would read it twice). -1 past INT_MAX. */
static int put_str(struct out *o, const char *a) {
    size_t room = o->len < o->cap ? o->cap - o->len : 0, i = 0;
    char *d = o->buf + o->len;
    for (; i < room && a[i]; i++)
        d[i] = a[i];
    if (a[i])
        i += strlen(a + i);
    if (i > INT_MAX - o->len)
        return -1;
    o->len += i;
    return 0;
}

/* Digits of x, written backwards ending at z; none for 0 (the precision supplies it, as in
 * musl). */
static char *digits_u(uintmax_t x, char *z) {
    while (x > UINT32_MAX) {
        *--z = (char)('0' + x % 10);
        x /= 10;
    }
    for (uint32_t y = (uint32_t)x; y; y /= 10)
        *--z = (char)('0' + y % 10);
    return z;
}

static char *digits_x(uintmax_t x, char *z, int lower) {
    for (; x; x >>= 4)
        *--z = (char)("0123456789ABCDEF"[x & 15] | lower);
    return z;
}

static char *digits_o(uintmax_t x, char *z) {
    for (; x; x >>= 3)
        *--z = (char)('0' + (x & 7));
    return z;
}

/* A decimal field of a conversion spec; -1 past INT_MAX (musl then reports EOVERFLOW). */
static int number(const char **s) {
    int n = 0;
    for (; (unsigned)**s - '0' < 10; (*s)++) {
        if (n > (INT_MAX - 9) / 10)
            return -1;
        n = 10 * n + (**s - '0');
    }
    return n;
}

/* Formats fmt into o. Returns 0, or -1 if fmt needs musl's printf (see the top). */
static int format(struct out *o, const char *fmt, va_list *ap) {
    const char *s = fmt;
    for (;;) {
        const char *lit = s;
        while (*s && *s != '%')
            s++;
        if (s != lit)
            put(o, lit, (size_t)(s - lit));
        if (o->len > INT_MAX)
            return -1;
        if (!*s)
            return 0;
        if (s[1] == '%') {
            put(o, "%", 1);
            s += 2;
            continue;
        }
        s++;

        unsigned fl = 0;
        for (;; s++) {
            if (*s == '-')
                fl |= LEFT;
            else if (*s == '+')
                fl |= PLUS;
            else if (*s == ' ')
                fl |= SPACE;
            else if (*s == '#')
                fl |= ALT;
            else if (*s == '0')
                fl |= ZERO;
            else
                break;
        }
        int w;
        if (*s == '*') {
            s++;
            w = va_arg(*ap, int);
            if (w < 0) {
                if (w == INT_MIN)
                    return -1;
                fl |= LEFT;
                w = -w;
            }
        } else if ((w = number(&s)) < 0) {
            return -1;
        }
        int p = -1; /* no precision */
        if (*s == '.') {
            s++;
            if (*s == '*') {
                s++;
                p = va_arg(*ap, int);
                if (p < 0)
                    p = -1; /* as if none was given */
            } else if ((p = number(&s)) < 0) {
                return -1;
            }
        }
        int xp = p >= 0; /* a precision was given (%#o may raise p below) */
        int len = L_NONE;
        if (*s == 'h') {
            s++;
            len = L_H;
            if (*s == 'h')
                s++, len = L_HH;
        } else if (*s == 'l') {
            s++;
            len = L_L;
            if (*s == 'l')
                s++, len = L_LL;
        } else if (*s == 'j') {
            s++, len = L_J;
        } else if (*s == 'z' || *s == 't') {
            s++, len = L_Z;
        }
        if (fl & LEFT)
            fl &= ~(unsigned)ZERO;

        char buf[sizeof(uintmax_t) * 3];
        char *z = buf + sizeof buf, *a;
        const char *prefix = "";
        size_t pl = 0;
        char c = *s++;
        switch (c) {
        case 'd':
        case 'i':
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uintmax_t v;
            if (c == 'd' || c == 'i') {
                intmax_t sv;
                switch (len) {
                case L_HH: sv = (signed char)va_arg(*ap, int); break;
                case L_H: sv = (short)va_arg(*ap, int); break;
                case L_L: sv = va_arg(*ap, long); break;
                case L_LL: sv = va_arg(*ap, long long); break;
                case L_J: sv = va_arg(*ap, intmax_t); break;
                case L_Z: sv = va_arg(*ap, ptrdiff_t); break;
                default: sv = va_arg(*ap, int); break;
                }
                if (sv < 0) {
                    v = -(uintmax_t)sv;
                    prefix = "-", pl = 1;
                } else {
                    v = (uintmax_t)sv;
                    if (fl & PLUS)
                        prefix = "+", pl = 1;
                    else if (fl & SPACE)
                        prefix = " ", pl = 1;
                }
            } else {
                switch (len) {
                case L_HH: v = (unsigned char)va_arg(*ap, int); break;
                case L_H: v = (unsigned short)va_arg(*ap, int); break;
                case L_L: v = va_arg(*ap, unsigned long); break;
                case L_LL: v = va_arg(*ap, unsigned long long); break;
                case L_J: v = va_arg(*ap, uintmax_t); break;
                case L_Z: v = va_arg(*ap, size_t); break;
                default: v = va_arg(*ap, unsigned); break;
                }
            }
            if (c == 'o') {
                a = digits_o(v, z);
                if ((fl & ALT) && p < z - a + 1)
                    p = (int)(z - a + 1);
            } else if (c == 'x' || c == 'X') {
                a = digits_x(v, z, c & 32);
                if (v && (fl & ALT))
                    prefix = c == 'x' ? "0x" : "0X", pl = 2;
            } else {
                a = digits_u(v, z);
            }
            if (xp)
                fl &= ~(unsigned)ZERO;
            if (!v && !p)
                a = z;
            else if (p < z - a + !v)
                p = (int)(z - a + !v);
            break;
        }
        case 'c':
            if (len != L_NONE)
                return -1;
            *(a = z - 1) = (char)va_arg(*ap, int);
            p = 1;
            fl &= ~(unsigned)ZERO;
            break;
        case 's': {
            if (len != L_NONE)
                return -1;
            a = va_arg(*ap, char *);
            if (!a)
                a = "(null)";
            if (!w && p < 0) {
                if (put_str(o, a) < 0)
                    return -1;
                continue;
            }
            size_t n = p < 0 ? strlen(a) : strnlen(a, (size_t)p);
            if (n > INT_MAX)
                return -1;
            z = a + n;
            p = (int)n;
            fl &= ~(unsigned)ZERO;
            break;
        }
        default:
            return -1;
        }

        size_t n = (size_t)(z - a); /* p >= n: each case above made it so */
        if ((size_t)p > INT_MAX - pl)
            return -1;
        size_t body = pl + (size_t)p;
        size_t pad = (size_t)w > body ? (size_t)w - body : 0;
        if (pad && !(fl & (LEFT | ZERO)))
            fill(o, ' ', pad);
        if (pl)
            put(o, prefix, pl);
        if (pad && (fl & ZERO))
            fill(o, '0', pad);
        if ((size_t)p > n)
            fill(o, '0', (size_t)p - n);
        put(o, a, n);
        if (pad && (fl & LEFT))
            fill(o, ' ', pad);
        if (o->len > INT_MAX)
            return -1;
    }
}

/* format() on a copy of ap, which stays whole for musl's code or a second pass. */
static int format_copy(struct out *o, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int r = format(o, fmt, &ap2);
    va_end(ap2);
    return r;
}

/* On an error (-1) the bytes after the terminator may differ from musl's (this wrote some
 * before handing over); C leaves the buffer's contents unspecified then. */
int vsnprintf(char *restrict s, size_t n, const char *restrict fmt, va_list ap) {
    struct out o = {s, n ? n - 1 : 0, 0};
    int r = format_copy(&o, fmt, ap);
    if (r < 0)
        return __wasock_musl_vsnprintf(s, n, fmt, ap);
    if (n)
        s[o.len < o.cap ? o.len : o.cap] = 0;
    return (int)o.len;
}

int vasprintf(char **s, const char *fmt, va_list ap) {
    char tmp[512];
    struct out o = {tmp, sizeof tmp, 0};
    int r = format_copy(&o, fmt, ap);
    if (r < 0) {
        /* musl's vasprintf, over musl's vsnprintf. */
        va_list ap2;
        va_copy(ap2, ap);
        r = __wasock_musl_vsnprintf(0, 0, fmt, ap2);
        va_end(ap2);
        if (r < 0 || !(*s = malloc((size_t)r + 1)))
            return -1;
        return __wasock_musl_vsnprintf(*s, (size_t)r + 1, fmt, ap);
    }
    if (!(*s = malloc(o.len + 1)))
        return -1;
    if (o.len < sizeof tmp) {
        memcpy(*s, tmp, o.len);
    } else {
        /* Longer than tmp: format again, straight into the result. */
        struct out all = {*s, o.len, 0};
        format(&all, fmt, &ap);
    }
    (*s)[o.len] = 0;
    return (int)o.len;
}

/* Longer output goes to musl's vfprintf, which streams it through a small buffer: a buffer of
 * the whole output could be as large as a width (and wasm memory never shrinks). */
#define HEAP_MAX 65536

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap) {
    char tmp[512];
    struct out o = {tmp, sizeof tmp, 0};
    int r = format_copy(&o, fmt, ap);
    /* Nothing to write keeps musl's answer for a stream that cannot be written. */
    if (r < 0 || !o.len || o.len > HEAP_MAX)
        return __wasock_musl_vfprintf(f, fmt, ap);
    char *text = tmp;
    if (o.len > sizeof tmp) {
        int saved = errno; /* a failed malloc must not show through musl's success */
        if (!(text = malloc(o.len))) {
            errno = saved;
            return __wasock_musl_vfprintf(f, fmt, ap);
        }
        struct out all = {text, o.len, 0};
        format_copy(&all, fmt, ap); /* ap stays whole for the hand-over below */
    }
    /* One fwrite: the stream's lock is taken once, as by musl's vfprintf. */
    size_t done = fwrite(text, 1, o.len, f);
    if (text != tmp)
        free(text);
    if (!done)
        /* Nothing went out (a read-only or failed stream): musl's answer, errno included
         * (it also tries the write an unbuffered stream makes); nothing can be doubled. */
        return __wasock_musl_vfprintf(f, fmt, ap);
    return done == o.len ? (int)o.len : -1;
}
