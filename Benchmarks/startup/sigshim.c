/* valgrind 3.19 crashes in rt_sigsuspend when libdispatch (Swift concurrency) calls
 * sigsuspend with a mask in read-only memory (valgrind writes into it). This preload library
 * replaces sigsuspend with one that copies the mask and calls the system call; load it with
 * LD_PRELOAD only when counting a Swift executable under valgrind.
 *   cc -O2 -shared -fPIC -o sigshim.so sigshim.c */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
