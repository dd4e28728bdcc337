#pragma once
// The environment a credential source reads, as a map handed in by the caller, so that tests
// need no setenv and a source never calls getenv on a worker thread.

#include <map>
#include <string>
#include <string_view>

namespace sluice::providers::auth {

using Environment = std::map<std::string, std::string, std::less<>>;

// The variables the sources read (AWS_*, GOOGLE_APPLICATION_CREDENTIALS) from this process's
// environment; unset and empty ones are left out. Call it on the control thread (getenv races
// with setenv).
Environment process_environment();

// The value of `name`, or "" when absent.
std::string_view lookup(const Environment& environment, std::string_view name);

// The contents of a small file, at most `limit` bytes; false with *error (naming the file and
// why, never its contents) when it cannot be read or is larger.
bool read_small_file(const std::string& path, size_t limit, std::string* contents,
                     std::string* error);

}  // namespace sluice::providers::auth
