#pragma once
// Structural mutations of a JSON request for robustness tests: every variant of a document with
// one of its values (the root, any member value, any array element, at any depth) replaced by a
// value of another shape. Validators must answer each with a well-formed error or an answer,
// never crash or read a value as a type it is not.

#include <string>
#include <string_view>
#include <vector>

namespace fake_llm::test {

// Each variant of `json` with one value replaced by null, 7, -1, 1e300, "x", "", [] or {}.
std::vector<std::string> type_mutations(std::string_view json);

}  // namespace fake_llm::test
