#pragma once
// The OpenAI error object every client-facing error uses:
//   {"error":{"message":...,"type":...,"param":null,"code":...}}

#include <string>
#include <string_view>

namespace sluice::http {

// `type` defaults from the status (invalid_request_error for 4xx, server_error for 5xx,
// rate_limit_error for 429, authentication_error for 401, permission_error for 403);
// `code` is null when empty. Strings are JSON-escaped.
std::string openai_error_body(int status, std::string_view message, std::string_view code = {},
                              std::string_view type = {});

// The default error type for a status, as above.
std::string_view default_error_type(int status);

}  // namespace sluice::http
