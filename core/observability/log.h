#pragma once
// Structured process logs: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-21T20:13:57.123Z","level":"info","msg":"listening","request_id":"...",...}
// Thread-safe: each line is built in a local buffer and written with one write(2), so lines from
// different workers never interleave. Never pass a secret as a field.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace sluice::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

// Parses "debug" / "info" / "warn" / "error"; false when unknown.
bool parse_level(std::string_view text, Level* out);
std::string_view level_name(Level level);

void set_level(Level level);
bool enabled(Level level);

struct Field {
  std::string_view key;
  std::variant<std::string_view, int64_t, double, bool> value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(int64_t{v}) {}
  Field(std::string_view k, uint32_t v) : key(k), value(int64_t{v}) {}
  Field(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
};

// Writes one line if `level` is enabled.
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::error, m, f);
}

// Replaces where lines go (tests); nullptr restores stderr. Not for use while workers run.
// The sink receives each line without its trailing newline and may be called from several
// threads at once.
void set_sink(std::function<void(std::string_view line)> sink);

// Appends `text` to `out` as a JSON string body (no surrounding quotes), escaping as RFC 8259
// requires; invalid UTF-8 bytes become U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace sluice::log
