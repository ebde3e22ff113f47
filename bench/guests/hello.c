/* Start-up benchmark: prints one line. */
#include <stdio.h>
int main(void) {
    puts("hello");
    return 0;
}
