#pragma once
// Deterministic embedding vectors: a pure function of the input text and the dimension (unit
// length, components derived from a 64-bit hash of the text), and their base64 form
// (little-endian float32, as OpenAI's encoding_format "base64" returns them).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fake_llm {

// Fills *out with `dim` components of unit L2 norm.
void embedding_vector(std::string_view input, uint32_t dim, std::vector<float>* out);

// Appends base64 (RFC 4648, padded) of the vector's little-endian float32 bytes.
void append_base64_floats(std::string& out, const std::vector<float>& values);

}  // namespace fake_llm
