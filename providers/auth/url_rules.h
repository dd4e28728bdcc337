#pragma once
// Small URL and form helpers the credential sources share: which endpoints may be sent a
// credential over plain http, and application/x-www-form-urlencoded bodies. Pure functions.

#include <string>
#include <string_view>

namespace sluice::providers::auth {

// The host of an http(s) URL, lower-cased, without port or brackets; "" when it cannot be read.
std::string url_host(std::string_view url);

// Whether a container credentials URL may be used, as the AWS SDKs require: https to any host,
// or http to a loopback host (localhost, 127.0.0.0/8, ::1) or the ECS / EKS Pod Identity agent
// (169.254.170.2, 169.254.170.23, fd00:ec2::23).
bool allowed_container_url(std::string_view url);

// Whether a token endpoint may be sent a signed assertion: https, or http to a loopback host
// (a local emulator or test).
bool allowed_token_url(std::string_view url);

// `text` percent-encoded for a form body or query (unreserved characters kept).
std::string form_encode(std::string_view text);

}  // namespace sluice::providers::auth
