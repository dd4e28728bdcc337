// public_address: every refused range at its edges, in both families, in the IPv6 forms that
// carry an IPv4 address (mapped, NAT64, 6to4), and through the sockaddr and text entry points.

#include "core/upstream/public_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>
#include <vector>

namespace sluice::upstream {
namespace {

// Each refused IPv4 block: its first and last address, and the public neighbours just outside
// it (where those are public themselves).
struct Block {
  const char* first;
  const char* last;
};

constexpr Block kRefusedIpv4[] = {
    {"0.0.0.0", "0.255.255.255"},       {"10.0.0.0", "10.255.255.255"},
    {"100.64.0.0", "100.127.255.255"},  {"127.0.0.0", "127.255.255.255"},
    {"169.254.0.0", "169.254.255.255"}, {"172.16.0.0", "172.31.255.255"},
    {"192.0.0.0", "192.0.0.255"},       {"192.0.2.0", "192.0.2.255"},
    {"192.88.99.0", "192.88.99.255"},   {"192.168.0.0", "192.168.255.255"},
    {"198.18.0.0", "198.19.255.255"},   {"198.51.100.0", "198.51.100.255"},
    {"203.0.113.0", "203.0.113.255"},   {"224.0.0.0", "239.255.255.255"},
    {"240.0.0.0", "255.255.255.255"},
};

TEST(PublicAddress, EveryRefusedIpv4BlockIsRefusedFromFirstToLastAddress) {
  for (const Block& block : kRefusedIpv4) {
    EXPECT_FALSE(is_public_address_text(block.first)) << block.first;
    EXPECT_FALSE(is_public_address_text(block.last)) << block.last;
  }
  EXPECT_FALSE(is_public_address_text("169.254.169.254"));  // cloud metadata
  EXPECT_FALSE(is_public_address_text("127.0.0.1"));
}

TEST(PublicAddress, Ipv4NeighboursOfTheRefusedBlocksArePublic) {
  for (const char* text :
       {"1.0.0.0",         "9.255.255.255", "11.0.0.0",        "100.63.255.255",  "100.128.0.0",
        "126.255.255.255", "128.0.0.0",     "169.253.255.255", "169.255.0.0",     "172.15.255.255",
        "172.32.0.0",      "192.0.1.255",   "192.0.3.0",       "192.88.98.255",   "192.88.100.0",
        "192.167.255.255", "192.169.0.0",   "198.17.255.255",  "198.20.0.0",      "198.51.99.255",
        "198.51.101.0",    "203.0.112.255", "203.0.114.0",     "223.255.255.255", "8.8.8.8",
        "93.184.216.34"}) {
    EXPECT_TRUE(is_public_address_text(text)) << text;
  }
}

TEST(PublicAddress, Ipv6OutsideGlobalUnicastIsRefused) {
  for (const char* text :
       {"::", "::1", "fc00::", "fd12:3456::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1",
        "febf:ffff::1", "fec0::1", "ff02::1", "ff0e::101", "100::1", "64:ff9b:1::1", "1fff:ffff::1",
        "4000::1", "e000::1"}) {
    EXPECT_FALSE(is_public_address_text(text)) << text;
  }
}

TEST(PublicAddress, Ipv6SpecialBlocksInsideGlobalUnicastAreRefused) {
  for (const char* text :
       {"2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2" /* Teredo */, "2001:1ff:ffff::1",
        "2001:db8::1", "2001:db8:ffff:ffff::1", "3fff::1", "3fff:fff:ffff::1"}) {
    EXPECT_FALSE(is_public_address_text(text)) << text;
  }
}

TEST(PublicAddress, Ipv6GlobalUnicastIsPublic) {
  for (const char* text : {"2000::1", "2001:200::1", "2001:4860:4860::8888", "2001:db7:ffff::1",
                           "2001:db9::1", "2606:4700:4700::1111", "2a00:1450:4001::1", "3ffe::1",
                           "3fff:1000::1", "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
    EXPECT_TRUE(is_public_address_text(text)) << text;
  }
}

TEST(PublicAddress, Ipv4MappedAndNat64FormsAreJudgedByTheirIpv4Address) {
  for (const Block& block : kRefusedIpv4) {
    for (const std::string prefix : {"::ffff:", "64:ff9b::"}) {
      EXPECT_FALSE(is_public_address_text(prefix + block.first)) << prefix << block.first;
      EXPECT_FALSE(is_public_address_text(prefix + block.last)) << prefix << block.last;
    }
  }
  EXPECT_FALSE(is_public_address_text("::ffff:7f00:1"));       // 127.0.0.1, hex spelling
  EXPECT_FALSE(is_public_address_text("64:ff9b::a9fe:a9fe"));  // 169.254.169.254
  EXPECT_TRUE(is_public_address_text("::ffff:8.8.8.8"));
  EXPECT_TRUE(is_public_address_text("64:ff9b::808:808"));
}

TEST(PublicAddress, Ipv4CompatibleAndTranslatedFormsAreRefusedWhateverTheyCarry) {
  for (const char* text : {"::127.0.0.1", "::10.0.0.1", "::8.8.8.8", "::ffff:0:8.8.8.8"}) {
    EXPECT_FALSE(is_public_address_text(text)) << text;
  }
}

TEST(PublicAddress, SixToFourIsJudgedByItsIpv4Address) {
  EXPECT_FALSE(is_public_address_text("2002:7f00:1::1"));  // 127.0.0.1
  EXPECT_FALSE(is_public_address_text("2002:a00:1::1"));   // 10.0.0.1
  EXPECT_FALSE(is_public_address_text("2002:a9fe:a9fe::"));
  EXPECT_TRUE(is_public_address_text("2002:808:808::1"));  // 8.8.8.8
}

TEST(PublicAddress, SocketAddressesOfBothFamilies) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  ASSERT_EQ(::inet_pton(AF_INET, "10.1.2.3", &v4.sin_addr), 1);
  EXPECT_FALSE(is_public_address(reinterpret_cast<sockaddr*>(&v4), sizeof v4));
  ASSERT_EQ(::inet_pton(AF_INET, "1.1.1.1", &v4.sin_addr), 1);
  EXPECT_TRUE(is_public_address(reinterpret_cast<sockaddr*>(&v4), sizeof v4));
  EXPECT_FALSE(is_public_address(reinterpret_cast<sockaddr*>(&v4), sizeof v4 - 1));  // short

  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  ASSERT_EQ(::inet_pton(AF_INET6, "::ffff:192.168.1.1", &v6.sin6_addr), 1);
  EXPECT_FALSE(is_public_address(reinterpret_cast<sockaddr*>(&v6), sizeof v6));
  ASSERT_EQ(::inet_pton(AF_INET6, "2606:4700::1", &v6.sin6_addr), 1);
  EXPECT_TRUE(is_public_address(reinterpret_cast<sockaddr*>(&v6), sizeof v6));

  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_FALSE(is_public_address(&other, sizeof other));
  EXPECT_FALSE(is_public_address(nullptr, 0));
}

TEST(PublicAddress, TextThatIsNotAnAddressIsRefused) {
  for (const char* text : {"", "localhost", "example.com", "8.8.8", "[::1]", "2001:db8::1%eth0",
                           "1.2.3.4.5", "::ffff:1.2.3.4:80"}) {
    EXPECT_FALSE(is_public_address_text(text)) << text;
  }
}

}  // namespace
}  // namespace sluice::upstream
