#pragma once
// send(2) and recv(2) without glibc's cancellation wrapper. In a process with more than one
// thread, glibc's send() and recv() are cancellation points: each enables and then disables
// asynchronous cancellation around the system call, two atomic compare-and-swaps on the thread's
// state, for every read and write of a socket (perf: 0.26 us a proxied request, over its four).
// sluice never cancels a thread, so the workers make the system calls directly; the result and
// errno are the wrappers' (-1 and errno on failure).

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>

namespace sluice::http {

inline ssize_t socket_send(int fd, const void* data, size_t length, int flags) {
  return static_cast<ssize_t>(::syscall(SYS_sendto, fd, data, length, flags, nullptr, 0));
}

inline ssize_t socket_receive(int fd, void* buffer, size_t length, int flags) {
  return static_cast<ssize_t>(::syscall(SYS_recvfrom, fd, buffer, length, flags, nullptr, nullptr));
}

}  // namespace sluice::http
