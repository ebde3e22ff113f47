/* The SDK's printf (sdk/c/src/compat/printf.c) against musl's, which libc.a keeps as
 * __wasock_musl_vsnprintf: fixed cases and 200,000 random conversion specs must give the same
 * bytes and the same result, through vsnprintf (with every truncation length), vasprintf,
 * fprintf and sprintf. Natively (glibc) only the fixed cases whose output C defines run, against
 * their expected text. Takes a writable directory as argument. Prints `printf: all ok`. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "check.h"

static int failures;

/* snprintf without the compiler's format checks (they flag the truncation tested here). */
static int snp(char *s, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(s, n, fmt, ap);
    va_end(ap);
    return r;
}

/* C's answer for the defined cases, on any libc. */
static void expect(const char *want, const char *fmt, ...) {
    char got[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(got, sizeof got, fmt, ap);
    va_end(ap);
    if (n != (int)strlen(want) || strcmp(got, want)) {
        printf("FAIL \"%s\": got \"%s\" (%d), want \"%s\"\n", fmt, got, n, want);
        failures++;
    }
}

#ifdef __wasi__
int __wasock_musl_vsnprintf(char *restrict s, size_t n, const char *restrict fmt, va_list ap);

static long compared;

int __wasock_musl_vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap);
static int fprintf_musl(FILE *f, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = __wasock_musl_vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

/* Ours against musl's on the same arguments, through every entry point. */
static void same(const char *fmt, ...) {
    char mine[512], theirs[512];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    errno = 0;
    int a = vsnprintf(mine, sizeof mine, fmt, ap);
    int ea = errno;
    errno = 0;
    int b = __wasock_musl_vsnprintf(theirs, sizeof theirs, fmt, ap2);
    int eb = errno;
    va_end(ap2);
    va_end(ap);
    compared++;
    if (a != b || (a >= 0 && strcmp(mine, theirs)) || (a < 0 && ea != eb)) {
        printf("FAIL \"%s\": ours \"%s\" (%d, errno %d), musl's \"%s\" (%d, errno %d)\n", fmt,
               a >= 0 ? mine : "", a, ea, b >= 0 ? theirs : "", b, eb);
        if (++failures > 20)
            exit(1);
        return;
    }
    if (a < 0 || a >= (int)sizeof mine)
        return;
    /* Every truncation: the prefix, NUL-terminated, the full length returned. */
    for (size_t cap = 0; cap <= (size_t)a + 1; cap++) {
        char cut[512];
        memset(cut, 'Z', sizeof cut);
        va_start(ap, fmt);
        int c = vsnprintf(cap ? cut : NULL, cap, fmt, ap);
        va_end(ap);
        size_t kept = cap ? (cap - 1 < (size_t)a ? cap - 1 : (size_t)a) : 0;
        if (c != a || (cap && (memcmp(cut, mine, kept) || cut[kept])) || cut[cap] != 'Z') {
            printf("FAIL \"%s\" truncated to %zu\n", fmt, cap);
            failures++;
            return;
        }
    }
    char *heap = NULL;
    va_start(ap, fmt);
    int d = vasprintf(&heap, fmt, ap);
    va_end(ap);
    if (d != a || !heap || strcmp(heap, mine)) {
        printf("FAIL \"%s\" through vasprintf: %d\n", fmt, d);
        failures++;
    }
    free(heap);
    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    va_start(ap, fmt);
    int e = vfprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
    if (e != a || memlen != (size_t)a || memcmp(mem, mine, memlen)) {
        printf("FAIL \"%s\" through vfprintf: %d\n", fmt, e);
        failures++;
    }
    free(mem);
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Values near the edges of each width, and some anywhere. */
static uint64_t value(void) {
    static const uint64_t edges[] = {0, 1, 7, 8, 9, 10, 15, 16, 99, 100, 127, 128, 255, 256,
                                     32767, 32768, 65535, 65536, INT32_MAX, (uint64_t)INT32_MAX + 1,
                                     UINT32_MAX, (uint64_t)UINT32_MAX + 1, INT64_MAX,
                                     (uint64_t)INT64_MAX + 1, UINT64_MAX, UINT64_MAX - 1};
    uint64_t r = next();
    if (r % 3 == 0)
        return edges[(r >> 8) % (sizeof edges / sizeof *edges)];
    if (r % 3 == 1)
        return r >> ((r >> 8) % 64);
    return -(r >> ((r >> 8) % 64));
}

static void fuzz(long rounds) {
    static const char *const flags = "-+ #0";
    static const char *const lengths[] = {"", "", "hh", "h", "l", "ll", "j", "z", "t"};
    static const char convs[] = "diuoxXcs";
    static const char *const strs[] = {"", "a", "hello", "hello, world", NULL};
    for (long i = 0; i < rounds; i++) {
        char fmt[64];
        size_t k = 0;
        if (next() % 2)
            fmt[k++] = '<';
        fmt[k++] = '%';
        for (int n = (int)(next() % 4); n > 0; n--)
            fmt[k++] = flags[next() % 5];
        int star_w = 0, star_p = 0, sw = 0, sp = 0;
        switch (next() % 4) {
        case 1: k += (size_t)sprintf(fmt + k, "%d", (int)(next() % 25)); break;
        case 2: star_w = 1, sw = (int)(next() % 41) - 20; fmt[k++] = '*'; break;
        default: break;
        }
        switch (next() % 4) {
        case 1: k += (size_t)sprintf(fmt + k, ".%d", (int)(next() % 25)); break;
        case 2: fmt[k++] = '.'; break;
        case 3: star_p = 1, sp = (int)(next() % 41) - 20; fmt[k++] = '.', fmt[k++] = '*'; break;
        default: break;
        }
        char conv = convs[next() % 8];
        const char *len = conv == 'c' || conv == 's' ? "" : lengths[next() % 9];
        k += (size_t)sprintf(fmt + k, "%s%c", len, conv);
        if (next() % 2)
            fmt[k++] = '>';
        fmt[k] = 0;

        uint64_t v = value();
        const char *str = strs[next() % 5];
        /* The argument as the conversion reads it (default promotions for hh, h, c). */
#define CALL(arg)                                                                            \
    do {                                                                                     \
        if (star_w && star_p)                                                                \
            same(fmt, sw, sp, arg);                                                          \
        else if (star_w)                                                                     \
            same(fmt, sw, arg);                                                              \
        else if (star_p)                                                                     \
            same(fmt, sp, arg);                                                              \
        else                                                                                 \
            same(fmt, arg);                                                                  \
    } while (0)
        if (conv == 's')
            CALL(str);
        else if (!strcmp(len, "ll") || !strcmp(len, "j"))
            CALL((long long)v);
        else if (!strcmp(len, "l"))
            CALL((long)v);
        else if (!strcmp(len, "z") || !strcmp(len, "t"))
            CALL((size_t)v);
        else
            CALL((int)v);
#undef CALL
    }
}
#endif

int main(int argc, char **argv) {
    (void)argc, (void)argv;
    /* What C defines, on any libc (these also run natively against glibc). */
    expect("", "");
    expect("plain text", "plain text");
    expect("100%", "100%%");
    expect("%%", "%%%%");
    expect("42|-42|+42| 42|42   |00042|  -42|-0042", "%d|%i|%+d|% d|%-5d|%05d|%5d|%05d", 42, -42,
           42, 42, 42, 42, -42, -42);
    expect("-2147483648|2147483647|4294967295", "%d|%d|%u", INT_MIN, INT_MAX, UINT_MAX);
    expect("-9223372036854775808|18446744073709551615", "%lld|%llu", LLONG_MIN, ULLONG_MAX);
    expect("-128|255|-32768|65535", "%hhd|%hhu|%hd|%hu", 128, 255, 32768, 65535);
    expect("ff|FF|0xff|0XFF|377|0377|0|0", "%x|%X|%#x|%#X|%o|%#o|%#x|%#o", 255, 255, 255, 255,
           255, 255, 0, 0);
    expect("||   |  0", "%.0d|%.0o|%3.0x|%#3.0o", 0, 0, 0, 0);
    expect("00042|  00042|-00042|+00042", "%.5d|%7.5d|%.5d|%+.5d", 42, 42, -42, 42);
    expect("   42|42   ", "%*d|%-*d", 5, 42, 5, 42);
    expect("42   |42", "%*d|%.*d", -5, 42, -3, 42);
    expect("x|  x|x  ", "%c|%3c|%-3c", 'x', 'x', 'x');
    expect("abc|  abc|abc  |ab|  ab|", "%s|%5s|%-5s|%.2s|%4.2s|%.0s", "abc", "abc", "abc", "abc",
           "abc", "abc");
    expect("12345678901234567890", "%zu%zd%jd%td", (size_t)1234, (ssize_t)5678,
           (intmax_t)901234, (ptrdiff_t)567890);
    {
        /* %.Ns reads at most N bytes: the array has no terminator. */
        char raw[3] = {'a', 'b', 'c'};
        expect("ab", "%.2s", raw);
    }
    expect("[10/Oct/2000:13:55:36 +0000] \"GET /x HTTP/1.1\" 200 1024 \"-\" \"curl/8\"",
           "[%02d/%s/%d:%02d:%02d:%02d %c%02d%02d] \"%s %s HTTP/1.1\" %d %llu \"%s\" \"%s\"", 10,
           "Oct", 2000, 13, 55, 36, '+', 0, 0, "GET", "/x", 200, 1024ULL, "-", "curl/8");
    {
        /* snprintf's result is the full length; the buffer holds what fits, terminated. */
        char small[8];
        memset(small, 'Z', sizeof small);
        int n = snp(small, 5, "%s-%d", "abcdef", 12);
        CHECK("snprintf truncates and returns the full length", n == 9 && !strcmp(small, "abcd"));
        CHECK("snprintf(NULL, 0) measures", snprintf(NULL, 0, "%08x", 1u) == 8);
        char *s = NULL;
        CHECK("asprintf", asprintf(&s, "%s=%d", "key", 7) == 5 && !strcmp(s, "key=7"));
        free(s);
        char *big = malloc(5000);
        memset(big, 'q', 4999);
        big[4999] = 0;
        CHECK("asprintf of 5,000 bytes", asprintf(&s, "<%s>", big) == 5001 && s[0] == '<' &&
                                             s[5000] == '>' && !s[5001] && s[2500] == 'q');
        free(s);
        char *mem = NULL;
        size_t memlen = 0;
        FILE *f = open_memstream(&mem, &memlen);
        int a = fprintf(f, "%s|%d", big, -1);
        int b = fprintf(f, "%s", "");
        fclose(f);
        CHECK("fprintf of 5,000 bytes", a == 5002 && b == 0 && memlen == 5002 &&
                                            !memcmp(mem + 4999, "|-1", 3));
        free(mem);
        free(big);
        /* What the SDK hands to musl: floating point, %p, %n, positional arguments. */
        char buf[64];
        int pos = 0;
        snprintf(buf, sizeof buf, "%.3f|%e|%g|%d%n", 3.14159, 1e10, 0.5, 12, &pos);
        CHECK("floating point and %n", !strcmp(buf, "3.142|1.000000e+10|0.5|12") && pos == 25);
        snprintf(buf, sizeof buf, "%2$s %1$s", "world", "hello");
        CHECK("positional arguments", !strcmp(buf, "hello world"));
        snprintf(buf, sizeof buf, "%p", (void *)0);
        CHECK("%p of NULL", buf[0]);
    }
#ifdef __wasi__
    /* musl's own answers where C leaves it to the library (and errors). */
    same("%s", (char *)NULL);
    same("%.3s", (char *)NULL);
    same("%05s|%05c", "ab", 'c');
    same("%-05d|%+ d|% +d", 7, 7, 7);
    same("%#.3o|%#5.0x|%#-8x|%#08x", 8, 0, 255, 255);
    same("%lc|%ls", L'x', L"wide");
    same("%m", 0);
    same("%p|%#p|%20p", (void *)0x1234, (void *)0, (void *)0x10);
    same("%'d", 1234567);
    same("%q", 1);
    same("%Ld", 1);
    same("%hhs", "x");
    same("trailing %");
    same("%2147483648d", 1);
    same("%.2147483648d", 1);
    same("%2147483647d%2147483647d", 1, 2);
    same("%*d", INT_MIN, 1);
    same("%1$d %d", 1, 2);
    same("%5%");
    {
        /* A stream that cannot be written (a file opened for reading, in the directory given
         * as argument): musl's result and errno, buffered or not. */
        char path[512];
        snprintf(path, sizeof path, "%s/printf-read-only.txt", argc > 1 ? argv[1] : ".");
        FILE *w = fopen(path, "w");
        CHECK("a file to read", w && fputs("read only\n", w) >= 0 && fclose(w) == 0);
        for (int mode = 0; mode < 2; mode++) {
            int ret[2], err[2];
            for (int musl = 0; musl < 2; musl++) {
                FILE *f = fopen(path, "r");
                if (mode)
                    setvbuf(f, NULL, _IONBF, 0);
                errno = 0;
                ret[musl] = musl ? fprintf_musl(f, "x%d", 1) : fprintf(f, "x%d", 1);
                err[musl] = errno;
                fclose(f);
            }
            CHECK(mode ? "read-only stream, unbuffered" : "read-only stream",
                  ret[0] == ret[1] && err[0] == err[1] && ret[0] == -1);
        }
        /* Output past the SDK's heap buffer goes to musl's, which streams it. */
        char *mem = NULL;
        size_t memlen = 0;
        FILE *f = open_memstream(&mem, &memlen);
        errno = 0;
        int n = fprintf(f, "%*d|", 100000, 7);
        fclose(f);
        CHECK("fprintf of 100,001 bytes", n == 100001 && memlen == 100001 && errno == 0 &&
                                              mem[99999] == '7' && mem[0] == ' ');
        free(mem);
    }
    fuzz(200000);
    CHECK("200,000 random specs", failures == 0 && compared > 200000);
#endif
    if (failures) {
        printf("printf: %d failures\n", failures);
        return 1;
    }
    printf("printf: all ok\n");
    return 0;
}
