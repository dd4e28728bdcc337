#pragma once
// Whether an IP address is a public unicast address: the check a guarded call (a URL that came
// from a client, core/runtime/upstream.h `public_addresses_only`) makes on the address it is about
// to connect to, after name resolution, so that a name which resolves (or re-resolves) to an
// internal address cannot reach it.
//
// IPv4 refused: 0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16 (link-local, cloud metadata),
// 172.16/12, 192.0.0/24, 192.0.2/24, 192.88.99/24, 192.168/16, 198.18/15, 198.51.100/24,
// 203.0.113/24, 224/4 (multicast), 240/4 (reserved, broadcast).
// IPv6: only 2000::/3 (global unicast) is public, less 2001::/23 (IETF assignments: Teredo,
// ORCHID, benchmarking), 2001:db8::/32 and 3fff::/20 (documentation); 2002::/16 (6to4) is judged
// by the IPv4 address inside it. Outside 2000::/3: ::ffff:0:0/96 (IPv4-mapped) and 64:ff9b::/96
// (NAT64) are judged by their IPv4 address; everything else (::, ::1, IPv4-compatible ::/96,
// 64:ff9b:1::/48, 100::/64, fc00::/7, fe80::/10, fec0::/10, ff00::/8, ...) is refused.
//
// Pure functions of their argument; any thread.

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace sluice::upstream {

// `address` in network byte order (the bytes of in_addr / in6_addr).
bool is_public_ipv4(const std::array<uint8_t, 4>& address);
bool is_public_ipv6(const std::array<uint8_t, 16>& address);

// An AF_INET or AF_INET6 socket address; false for any other family or a short length.
bool is_public_address(const sockaddr* address, socklen_t length);

// A numeric address as text ("203.0.113.7", "2001:db8::1", without brackets); false when the
// text is not an IP address.
bool is_public_address_text(std::string_view text);

}  // namespace sluice::upstream
