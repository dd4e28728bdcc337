#pragma once
// JsonScanner: the strict validating scan that fills a JsonIndex (json_scanner.cc says what it
// accepts).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/json_index.h"

namespace sluice::runtime {

struct JsonScan {
  bool ok = false;           // the text is JSON; the entries are complete
  bool plain_names = false;  // no indexed name holds a '/', a '~' or an escape
  size_t error_at = 0;       // when not ok: where, and what is wrong
  const char* error = "";
};

// Scans text (NUL-terminated, as std::string is) into entries (the root first) and decoded: the
// members of the objects down to JsonIndex::kScannedLevels.
JsonScan scan_json(const std::string& text, unsigned max_depth,
                   std::vector<JsonIndex::Entry>& entries, std::string& decoded);

// Indexes the members of entries[object], an object of a text scan_json accepted (and entries
// hold) that it left unindexed, and of no object inside it: appended to entries. Not ok when the
// text is not the one scanned.
JsonScan scan_json_object(std::string_view text, unsigned max_depth, uint32_t object,
                          std::vector<JsonIndex::Entry>& entries, std::string& decoded);

}  // namespace sluice::runtime
