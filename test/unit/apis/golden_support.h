#pragma once
// Golden-file plumbing for the codec tests: every case is a pair of files in
// test/unit/apis/golden/<folder>/, "<case>.in.<ext>" and "<case>.out.<ext>", written by hand.
// JSON outputs are compared after normalising their formatting (members keep their order);
// stream outputs byte for byte.

#include <functional>
#include <string>
#include <string_view>

#include "core/apis/client_api.h"

namespace sluice::apis::testing {

std::string read_file(const std::string& path);

// Runs `translate` on every case's input in golden/<folder> and compares with the expected
// output (JSON-normalised when `json`). Returns the number of cases (the caller asserts it is
// not zero, so that a misplaced folder fails).
int check_golden_folder(std::string_view folder, bool json,
                        const std::function<std::string(std::string_view input)>& translate);

// The JSON text re-written compactly with 2-space indentation, or "<not JSON: ...>" + text.
std::string normalise_json(std::string_view text);

// A ClientAnswer as one JSON text: {"status":..,"headers":{name:value,..},"body":<JSON body>}.
std::string render_answer(const ClientAnswer& answer);

// Plays a stream script through an encoder: one line per step, either an OpenAI chunk's JSON,
// "finish", or "fail <status> <message>". Blank lines and lines starting with '#' are skipped.
std::string play_stream(std::string_view script, StreamEncoder& encoder);

}  // namespace sluice::apis::testing
