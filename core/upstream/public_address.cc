// Public unicast address classification (see public_address.h).

#include "core/upstream/public_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace sluice::upstream {
namespace {

struct Ipv4Range {
  uint32_t network;  // host byte order
  int prefix;
};

// Special-purpose IPv4 blocks (IANA registry) that no guarded call may reach.
constexpr Ipv4Range kRefusedIpv4[] = {
    {0x00000000, 8},   // 0.0.0.0/8 "this network"
    {0x0A000000, 8},   // 10.0.0.0/8 private
    {0x64400000, 10},  // 100.64.0.0/10 carrier-grade NAT
    {0x7F000000, 8},   // 127.0.0.0/8 loopback
    {0xA9FE0000, 16},  // 169.254.0.0/16 link-local (169.254.169.254: cloud metadata)
    {0xAC100000, 12},  // 172.16.0.0/12 private
    {0xC0000000, 24},  // 192.0.0.0/24 IETF protocol assignments
    {0xC0000200, 24},  // 192.0.2.0/24 documentation
    {0xC0586300, 24},  // 192.88.99.0/24 6to4 relay anycast
    {0xC0A80000, 16},  // 192.168.0.0/16 private
    {0xC6120000, 15},  // 198.18.0.0/15 benchmarking
    {0xC6336400, 24},  // 198.51.100.0/24 documentation
    {0xCB007100, 24},  // 203.0.113.0/24 documentation
    {0xE0000000, 4},   // 224.0.0.0/4 multicast
    {0xF0000000, 4},   // 240.0.0.0/4 reserved, 255.255.255.255 broadcast
};

bool in_ipv4_range(uint32_t address, const Ipv4Range& range) {
  const uint32_t mask = range.prefix == 0 ? 0 : ~uint32_t{0} << (32 - range.prefix);
  return (address & mask) == range.network;
}

// Whether the first `bits` bits of `address` equal those of `prefix`.
bool has_prefix(const std::array<uint8_t, 16>& address, const std::array<uint8_t, 16>& prefix,
                int bits) {
  const int whole = bits / 8;
  if (std::memcmp(address.data(), prefix.data(), static_cast<size_t>(whole)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (address[whole] & mask) == (prefix[whole] & mask);
}

std::array<uint8_t, 4> ipv4_at(const std::array<uint8_t, 16>& address, size_t offset) {
  return {address[offset], address[offset + 1], address[offset + 2], address[offset + 3]};
}

constexpr std::array<uint8_t, 16> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
constexpr std::array<uint8_t, 16> kNat64 = {0x00, 0x64, 0xFF, 0x9B};
constexpr std::array<uint8_t, 16> kIetf = {0x20, 0x01};                       // 2001::/23
constexpr std::array<uint8_t, 16> kDocumentation = {0x20, 0x01, 0x0D, 0xB8};  // 2001:db8::/32
constexpr std::array<uint8_t, 16> kDocumentation2 = {0x3F, 0xFF};             // 3fff::/20
constexpr std::array<uint8_t, 16> kSixToFour = {0x20, 0x02};                  // 2002::/16

}  // namespace

bool is_public_ipv4(const std::array<uint8_t, 4>& address) {
  const uint32_t value = (uint32_t{address[0]} << 24) | (uint32_t{address[1]} << 16) |
                         (uint32_t{address[2]} << 8) | uint32_t{address[3]};
  for (const Ipv4Range& range : kRefusedIpv4) {
    if (in_ipv4_range(value, range)) return false;
  }
  return true;
}

bool is_public_ipv6(const std::array<uint8_t, 16>& address) {
  // Forms that carry an IPv4 address the connection really goes to.
  if (has_prefix(address, kMapped, 96) || has_prefix(address, kNat64, 96)) {
    return is_public_ipv4(ipv4_at(address, 12));
  }
  if ((address[0] & 0xE0) != 0x20) return false;  // outside 2000::/3: nothing public
  if (has_prefix(address, kIetf, 23) || has_prefix(address, kDocumentation, 32) ||
      has_prefix(address, kDocumentation2, 20)) {
    return false;
  }
  if (has_prefix(address, kSixToFour, 16)) return is_public_ipv4(ipv4_at(address, 2));
  return true;
}

bool is_public_address(const sockaddr* address, socklen_t length) {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    std::array<uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), &v4->sin_addr, bytes.size());
    return is_public_ipv4(bytes);
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    std::array<uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &v6->sin6_addr, bytes.size());
    return is_public_ipv6(bytes);
  }
  return false;
}

bool is_public_address_text(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string terminated(text);
  std::array<uint8_t, 4> v4{};
  if (::inet_pton(AF_INET, terminated.c_str(), v4.data()) == 1) return is_public_ipv4(v4);
  std::array<uint8_t, 16> v6{};
  if (::inet_pton(AF_INET6, terminated.c_str(), v6.data()) == 1) return is_public_ipv6(v6);
  return false;
}

}  // namespace sluice::upstream
