// The pure pieces: ISO 8601 timestamps, the STS XML reader, URL rules and form encoding.

#include <gtest/gtest.h>

#include "providers/auth/iso8601.h"
#include "providers/auth/url_rules.h"
#include "providers/auth/xml_text.h"

namespace sluice::providers::auth {
namespace {

TEST(Iso8601, ReadsTheFormsCredentialEndpointsWrite) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601("2014-10-24T23:00:23Z"), 1414191623);
  EXPECT_EQ(parse_iso8601("2014-10-24T23:00:23.123Z"), 1414191623);
  EXPECT_EQ(parse_iso8601("2014-10-25T01:00:23+02:00"), 1414191623);
  EXPECT_EQ(parse_iso8601("2014-10-24T22:00:23-01:00"), 1414191623);
  EXPECT_EQ(parse_iso8601("2014-10-24 23:00:23z"), 1414191623);
  EXPECT_EQ(parse_iso8601("2024-02-29T00:00:00Z"), 1709164800);
}

TEST(Iso8601, RefusesAnythingElse) {
  for (const char* bad :
       {"", "2014-10-24", "2014-10-24T23:00:23", "2014-10-24T23:00:23 Z", "2014-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2014-10-24T24:00:00Z", "2014-10-24T23:60:00Z",
        "1969-12-31T23:59:59Z", "2014-10-24T23:00:23.Z", "2014-10-24T23:00:23+0200",
        "2014-10-24T23:00:23Zjunk", "20141024T230023Z", "2014-1O-24T23:00:23Z"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

TEST(Iso8601, FormatsAndRoundTrips) {
  EXPECT_EQ(format_iso8601(1414191623), "2014-10-24T23:00:23Z");
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
  for (int64_t t :
       {int64_t{951782400}, int64_t{1709164800}, int64_t{1800000000}, int64_t{4102444799}}) {
    EXPECT_EQ(parse_iso8601(format_iso8601(t)), t);
  }
  EXPECT_EQ(format_iso8601(INT64_MAX), "never");
}

TEST(XmlText, ReadsElementsAndDecodesReferences) {
  const std::string xml =
      "<?xml version=\"1.0\"?><R xmlns=\"x\"><Credentials>"
      "<AccessKeyIdX>no</AccessKeyIdX><AccessKeyId>AKIA&amp;&lt;&gt;&quot;&apos;&#65;&#x42;"
      "</AccessKeyId><Empty/></Credentials></R>";
  const auto inner = xml_inner(xml, "Credentials");
  ASSERT_TRUE(inner.has_value());
  EXPECT_EQ(xml_text(*inner, "AccessKeyId"), "AKIA&<>\"'AB");
  EXPECT_EQ(xml_text(*inner, "Empty"), "");
  EXPECT_FALSE(xml_text(*inner, "Missing").has_value());
  EXPECT_EQ(xml_text("<A attr=\"1\">v</A>", "A"), "v");
}

TEST(XmlText, RefusesMarkupBadReferencesAndUnclosedElements) {
  EXPECT_FALSE(xml_text("<A><B>x</B></A>", "A").has_value());
  EXPECT_FALSE(xml_text("<A><![CDATA[x]]></A>", "A").has_value());
  EXPECT_FALSE(xml_text("<A>&bogus;</A>", "A").has_value());
  EXPECT_FALSE(xml_text("<A>&#0;</A>", "A").has_value());
  EXPECT_FALSE(xml_text("<A>&#xD800;</A>", "A").has_value());
  EXPECT_FALSE(xml_text("<A>& unterminated</A>", "A").has_value());
  EXPECT_FALSE(xml_text("<A>open", "A").has_value());
  EXPECT_FALSE(xml_text("<A", "A").has_value());
  EXPECT_FALSE(xml_inner("", "A").has_value());
  // Large hostile input: linear, no recursion.
  std::string deep(200000, '<');
  EXPECT_FALSE(xml_text(deep, "A").has_value());
}

TEST(UrlRules, ContainerUrlsAsTheSdksAllowThem) {
  EXPECT_TRUE(allowed_container_url("https://example.com/creds"));
  EXPECT_TRUE(allowed_container_url("http://127.0.0.1:8080/creds"));
  EXPECT_TRUE(allowed_container_url("http://127.1.2.3/creds"));
  EXPECT_TRUE(allowed_container_url("http://localhost/creds"));
  EXPECT_TRUE(allowed_container_url("http://[::1]:80/creds"));
  EXPECT_TRUE(allowed_container_url("http://169.254.170.2/v2/credentials/x"));
  EXPECT_TRUE(allowed_container_url("http://169.254.170.23/v1/credentials"));
  EXPECT_TRUE(allowed_container_url("http://[fd00:ec2::23]/v1/credentials"));
  EXPECT_FALSE(allowed_container_url("http://example.com/creds"));
  EXPECT_FALSE(allowed_container_url("http://127.evil.com/creds"));
  EXPECT_FALSE(allowed_container_url("http://169.254.169.254/creds"));
  EXPECT_FALSE(allowed_container_url("http://user@example.com@127.0.0.1.evil/x"));
  EXPECT_FALSE(allowed_container_url("ftp://127.0.0.1/creds"));
  EXPECT_FALSE(allowed_container_url("file:///etc/passwd"));
  EXPECT_FALSE(allowed_container_url("https://"));
}

TEST(UrlRules, TokenUrlsAreHttpsOrLoopback) {
  EXPECT_TRUE(allowed_token_url("https://oauth2.googleapis.com/token"));
  EXPECT_TRUE(allowed_token_url("http://127.0.0.1:9/token"));
  EXPECT_FALSE(allowed_token_url("http://oauth2.googleapis.com/token"));
  EXPECT_FALSE(allowed_token_url("http://169.254.170.2/token"));
}

TEST(UrlRules, FormEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(form_encode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(form_encode("arn:aws:iam::1:role/x y+z&="),
            "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx%20y%2Bz%26%3D");
  EXPECT_EQ(url_host("https://User@Example.COM:443/p?q"), "example.com");
}

}  // namespace
}  // namespace sluice::providers::auth
