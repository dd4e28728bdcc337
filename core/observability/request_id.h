#pragma once
// Request ids: an incoming x-request-id is kept when well-formed, else one is generated.

#include <string>
#include <string_view>

namespace sluice {

// 1..128 characters of [A-Za-z0-9._:-].
bool is_valid_request_id(std::string_view id);

// A random 128-bit id as 32 lower-case hex digits. Thread-safe.
std::string new_request_id();

}  // namespace sluice
