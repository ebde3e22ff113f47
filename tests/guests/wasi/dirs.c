/* Directory operations inside the preopened directory argv[1]. */
#include "../check.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char p1[256], p2[256];
#define AT(buf, name) (snprintf(buf, sizeof buf, "%s/%s", d, name), buf)

int main(int argc, char **argv) {
    CHECK(argc == 2);
    const char *d = argv[1];
    struct stat st;

    CHECK(mkdir(AT(p1, "sub"), 0755) == 0);
    CHECK_ERR(mkdir(AT(p1, "sub"), 0755), EEXIST);
    int fd = open(AT(p1, "sub/f1"), O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0);
    CHECK_ERR(rmdir(AT(p1, "sub")), ENOTEMPTY);
    CHECK_ERR(unlink(AT(p1, "sub")), EISDIR);
    OK("mkdir");

    CHECK(link(AT(p1, "sub/f1"), AT(p2, "sub/f2")) == 0);
    CHECK(stat(AT(p1, "sub/f1"), &st) == 0 && st.st_nlink == 2);
    CHECK(rename(AT(p1, "sub/f2"), AT(p2, "sub/f3")) == 0);
    CHECK_ERR(stat(AT(p1, "sub/f2"), &st), ENOENT);
    CHECK(symlink("f1", AT(p1, "sub/ln")) == 0);
    char target[64] = {0};
    CHECK(readlink(AT(p1, "sub/ln"), target, sizeof target) == 2 && memcmp(target, "f1", 2) == 0);
    CHECK(lstat(AT(p1, "sub/ln"), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat(AT(p1, "sub/ln"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1);
    OK("link_rename_symlink");

    DIR *dir = opendir(AT(p1, "sub"));
    CHECK(dir != NULL);
    int seen = 0, dots = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            dots++;
        else if (!strcmp(e->d_name, "f1") || !strcmp(e->d_name, "f3")) {
            seen++;
            CHECK(e->d_type == DT_REG);
        } else if (!strcmp(e->d_name, "ln")) {
            seen++;
            CHECK(e->d_type == DT_LNK);
        } else
            CHECK(!"unexpected entry");
    }
    CHECK(seen == 3 && dots == 2);
    closedir(dir);
    CHECK_ERR((long)(opendir(AT(p1, "sub/f1")) ? 0 : -1), ENOTDIR);
    OK("readdir");

    /* Enough entries to need several fd_readdir calls. */
    CHECK(mkdir(AT(p1, "many"), 0755) == 0);
    for (int i = 0; i < 300; i++) {
        char name[64];
        snprintf(name, sizeof name, "many/entry-with-a-long-name-%03d", i);
        fd = open(AT(p1, name), O_CREAT | O_WRONLY, 0644);
        CHECK(fd >= 0);
        close(fd);
    }
    dir = opendir(AT(p1, "many"));
    int count = 0;
    while ((e = readdir(dir)))
        count++;
    closedir(dir);
    CHECK(count == 302);
    OK("readdir_many");

    CHECK(unlink(AT(p1, "sub/ln")) == 0 && unlink(AT(p1, "sub/f1")) == 0 && unlink(AT(p1, "sub/f3")) == 0);
    CHECK(rmdir(AT(p1, "sub")) == 0);
    CHECK_ERR(stat(AT(p1, "sub"), &st), ENOENT);
    OK("remove");
    return 0;
}
