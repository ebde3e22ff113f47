/* libwasi-emulated-mman.a (wasi-sdk's name; -D_WASI_EMULATED_MMAN -lwasi-emulated-mman).
 * Linear memory has no pages to map: mmap() allocates. Anonymous maps (private or shared: with
 * no fork, shared has no one else to share with) are zeroed memory; MAP_PRIVATE file maps are
 * a copy read from the file. What cannot be honest fails: MAP_SHARED of a file (writes would
 * never reach it), MAP_FIXED (no address can be promised) and PROT_EXEC: ENOTSUP. munmap()
 * frees a whole mapping only; protections are not enforced (mprotect() succeeds). */
#ifndef _WASI_EMULATED_MMAN /* scripts/wasi-cc defines it by default */
#define _WASI_EMULATED_MMAN
#endif
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Each mapping is preceded by its header; the magic tells munmap() its own from others. */
struct map {
    size_t len;
    uint32_t magic;
};
#define MAGIC 0x6d6d6170u
#define ALIGN 16
#define HEADER ((sizeof(struct map) + ALIGN - 1) / ALIGN * ALIGN)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    (void)addr; /* a hint only, without MAP_FIXED */
    int type = flags & MAP_TYPE;
    int anon = (flags & MAP_ANONYMOUS) != 0;
    if (len == 0 || off < 0 || (type != MAP_PRIVATE && type != MAP_SHARED)) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    if ((flags & MAP_FIXED) || (prot & PROT_EXEC) || (type == MAP_SHARED && !anon)) {
        errno = ENOTSUP;
        return MAP_FAILED;
    }
    if (len > SIZE_MAX - HEADER) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    char *block = aligned_alloc(ALIGN, (HEADER + len + ALIGN - 1) / ALIGN * ALIGN);
    if (!block) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    struct map *m = (struct map *)block;
    m->len = len;
    m->magic = MAGIC;
    char *data = block + HEADER;
    memset(data, 0, len);
    if (!anon) {
        size_t done = 0;
        while (done < len) {
            ssize_t n = pread(fd, data + done, len - done, off + (off_t)done);
            if (n < 0) {
                int e = errno;
                free(block);
                errno = e;
                return MAP_FAILED;
            }
            if (n == 0)
                break; /* past the end of the file: zeros, as a real map reads */
            done += (size_t)n;
        }
    }
    return data;
}

/* Pages of sysconf(_SC_PAGESIZE) bytes (64 KiB in WASI) that `len` bytes take. */
static size_t pages(size_t len) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return len / page + (len % page != 0);
}

int munmap(void *addr, size_t len) {
    struct map *m = (struct map *)((char *)addr - HEADER);
    /* Whole maps only (in pages, as the kernel counts): a shorter length would free pages the
     * program still uses. */
    if (!addr || len == 0 || m->magic != MAGIC || pages(len) != pages(m->len)) {
        errno = EINVAL;
        return -1;
    }
    m->magic = 0;
    free(m);
    return 0;
}

int mprotect(void *addr, size_t len, int prot) {
    (void)addr;
    (void)len;
    if (prot & PROT_EXEC) {
        errno = ENOTSUP;
        return -1;
    }
    return 0;
}

int msync(void *addr, size_t len, int flags) {
    (void)addr;
    (void)len;
    (void)flags;
    return 0; /* private and anonymous maps have no file to write back to */
}

int madvise(void *addr, size_t len, int advice) {
    (void)addr;
    (void)len;
    (void)advice;
    return 0; /* advice only */
}

int posix_madvise(void *addr, size_t len, int advice) {
    (void)addr;
    (void)len;
    (void)advice;
    return 0;
}
