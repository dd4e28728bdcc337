// Finding a connection's socket by address and turning its close into an RST.

#include "tools/fake-llm/socket_reset.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace fake_llm {
namespace {

// Same text as the listener gives Request::peer.
bool address_text(const sockaddr_storage& address, std::string* out, uint16_t* port) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    *port = ntohs(in->sin_port);
    *out = std::string(host) + ":" + std::to_string(*port);
    return true;
  }
  if (address.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    *port = ntohs(in6->sin6_port);
    *out = "[" + std::string(host) + "]:" + std::to_string(*port);
    return true;
  }
  return false;
}

bool matches(int fd, std::string_view peer, uint16_t local_port) {
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) return false;
  sockaddr_storage address;
  socklen_t length = sizeof(address);
  std::string text;
  uint16_t port = 0;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      !address_text(address, &text, &port) || port != local_port) {
    return false;
  }
  length = sizeof(address);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      !address_text(address, &text, &port)) {
    return false;
  }
  return text == peer;
}

}  // namespace

int find_connection_fd(std::string_view peer, uint16_t local_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == dirfd(dir)) continue;
    if (matches(fd, peer, local_port)) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

bool reset_connection(int fd) {
  const linger hard{1, 0};
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard)) != 0) return false;
  return shutdown(fd, SHUT_RD) == 0;
}

}  // namespace fake_llm
