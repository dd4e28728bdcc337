#pragma once
// A shallow index of a JSON text, so the few questions filters ask of every body (is /model a
// string, is /api_key there, what is /usage/total_tokens) need no document. One validating pass
// accepts what the document parse in json_body.cc accepts (rapidjson's grammar with its flags,
// the same depth bound, only whitespace after the document; json_index.cc has the one deliberate
// difference) and records the members of the objects nearest the root: the root's members and,
// through objects only, theirs, down to kLevels objects. The pass records the first
// kScannedLevels; an object below them is indexed when a lookup first reaches it (most never are:
// usage's *_details). Anything else (an array on the path, a deeper member, the "#" pointer
// form) is for the document to answer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::runtime {

class JsonIndex {
 public:
  // Objects whose members are indexed: the root and two levels below (/usage/total_tokens needs 2).
  static constexpr unsigned kLevels = 3;
  // Of those, the levels the validating pass indexes; the last on a lookup's first visit.
  static constexpr unsigned kScannedLevels = 2;
  static_assert(kLevels == kScannedLevels + 1, "objects indexed late have no members to index");
  // Entry::first of an object whose members a lookup indexes on its first visit.
  static constexpr uint32_t kIndexLater = UINT32_MAX - 1;

  enum class Type : uint8_t { null, boolean, number, string, object, array };

  // The root (entry 0) or a member of an indexed object. Positions are offsets in the text (32-bit:
  // a longer text is validated but not indexed). A name or string value with escapes is decoded
  // into the index's own buffer; one without is read from the text.
  struct Entry {
    uint32_t first = UINT32_MAX;  // objects: the first indexed member, or kIndexLater
    uint32_t next = UINT32_MAX;   // the next member of the same object
    uint32_t begin = 0;           // its value's bytes in the text
    uint32_t end = 0;
    uint32_t key_at = 0;  // its name
    uint32_t key_size = 0;
    uint32_t str_at = 0;  // strings: the decoded value
    uint32_t str_size = 0;
    double number = 0;  // numbers: the value as the document's GetDouble gives it
    Type type = Type::null;
    bool members_indexed = false;  // objects: every member has an entry
    bool key_decoded = false;      // the name is in the decoded buffer, not the text
    bool str_decoded = false;      // likewise the string value
    // Objects whose members are indexed: a bit for each member name's first byte (initial_bit), so
    // most lookups of an absent member need not visit the members.
    uint32_t initials = 0;
  };

  // Entry::initials' bit for a name whose first byte is `initial`, '"' for an empty name (the byte
  // after its opening quote; no plain name starts with '"', which would be escaped).
  static uint32_t initial_bit(char initial) {
    return uint32_t{1} << (static_cast<unsigned char>(initial) & 31);
  }
  // The initial of the token at the front of `rest` (a pointer after a '/'), as initial_bit takes
  // it: '"' for an empty token.
  static char initial_of(std::string_view rest) {
    return rest.empty() || rest.front() == '/' ? '"' : rest.front();
  }

  enum class Status { found, absent, unknown };  // unknown: ask the document
  struct Lookup {
    Status status;
    uint32_t entry;
  };

  // Validates text and indexes it; the reason when it is not JSON (worded by rapidjson).
  std::optional<std::string> build(const std::string& text, unsigned max_depth);

  // RFC 6901, resolved as json_body.cc's resolve does (first member of a name, like FindMember).
  // `text` is the text the index describes. The first lookup through an object below
  // kScannedLevels indexes it, which may move the entries: a reference from entry() lasts until
  // the next find.
  Lookup find(std::string_view text, std::string_view pointer) {
    if (absent_from_root(pointer)) return {Status::absent, 0};
    return find_member(text, pointer);
  }
  // Whether pointer names a member the root does not have, as most lookups do, told by the
  // initials of the root's members alone: false when that does not settle it.
  bool absent_from_root(std::string_view pointer) const {
    return pointer.size() > 0 && pointer[0] == '/' &&
           (root_initials_ & initial_bit(initial_of(pointer.substr(1)))) == 0;
  }
  const Entry& entry(uint32_t i) const { return entries_[i]; }
  std::string_view string(const Entry& e, std::string_view text) const;
  // The bytes of entry i's value in the text.
  std::pair<size_t, size_t> span(uint32_t i) const { return {entries_[i].begin, entries_[i].end}; }
  unsigned max_depth() const { return max_depth_; }

  // Entry i's string value in the text was replaced by `size` bytes of a JSON string without
  // escapes: the entry now reads its value there, and later positions move.
  void string_replaced(uint32_t i, size_t size);

 private:
  Lookup find_member(std::string_view text, std::string_view pointer);
  uint32_t member(uint32_t object, std::string_view name, std::string_view text) const;
  Lookup find_plain(std::string_view text, std::string_view pointer);
  Lookup find_by_tokens(std::string_view text, std::string_view pointer);
  Lookup past_indexed(uint32_t i, std::string_view text, std::string_view pointer);

  // The root first, then members in document order: those of the scan (ordered_ of them), then
  // those of objects indexed later.
  std::vector<Entry> entries_;
  size_t ordered_ = 0;
  std::string decoded_;      // names and strings that had escapes, decoded
  bool plain_names_ = true;  // no indexed name holds a '/', a '~' or an escape
  // The root's initials when its members are indexed and their names plain; else every bit.
  uint32_t root_initials_ = UINT32_MAX;
  unsigned max_depth_ = 0;
};

}  // namespace sluice::runtime
