// Mistral's tool call ids: it refuses any id but nine letters and digits ("Tool call id was
// call_abc but must be a-z, A-Z, 0-9, with a length of 9"), so a conversation whose calls came
// from another provider (OpenAI's "call_..." ids) would fail. Such an id is replaced by nine
// characters derived from it: the same id always gives the same replacement, so an assistant's
// call and the tool message answering it still match.

#include <cstdint>

#include "providers/mistral/translation.h"
#include "providers/support/text.h"

namespace sluice::providers::mistral {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kIdLength = 9;

bool is_alphanumeric(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

bool is_mistral_tool_call_id(std::string_view id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    if (!is_alphanumeric(c)) return false;
  }
  return true;
}

std::string mistral_tool_call_id(std::string_view id) {
  if (is_mistral_tool_call_id(id)) return std::string(id);
  uint64_t hash = support::fnv1a(id);
  std::string out(kIdLength, '0');
  for (char& c : out) {  // 62^9 ids: two ids of one conversation practically never collide
    c = kAlphabet[hash % kAlphabet.size()];
    hash /= kAlphabet.size();
  }
  return out;
}

}  // namespace sluice::providers::mistral
