// YAML -> JSON tree: core-schema typing, lines, duplicate keys, syntax errors, bounds.

#include "core/config/yaml_to_json.h"

#include <gtest/gtest.h>

#include <string>

#include "test/unit/config/config_test_util.h"

namespace sluice::config {
namespace {

using detail::JsonNode;
using Kind = JsonNode::Kind;
using testing::env_of;
using testing::load;
using testing::only_error;

struct Converted {
  bool ok = false;
  JsonNode root;
  std::vector<Diagnostic> errors;
};

Converted convert(std::string_view yaml, std::map<std::string, std::string> env = {}) {
  Converted out;
  out.ok = detail::yaml_to_json(yaml, "t.yaml", env_of(std::move(env)), &out.root, &out.errors);
  return out;
}

TEST(ResolvePlainScalar, FollowsTheYaml12CoreSchema) {
  struct Case {
    const char* in;
    Kind kind;
    const char* json;
  } cases[] = {
      {"true", Kind::kBool, "true"},
      {"False", Kind::kBool, "false"},
      {"TRUE", Kind::kBool, "true"},
      {"yes", Kind::kString, "yes"},
      {"on", Kind::kString, "on"},
      {"~", Kind::kNull, ""},
      {"null", Kind::kNull, ""},
      {"", Kind::kNull, ""},
      {"123", Kind::kNumber, "123"},
      {"+12", Kind::kNumber, "12"},
      {"-7", Kind::kNumber, "-7"},
      {"007", Kind::kNumber, "7"},
      {"0x1F", Kind::kNumber, "31"},
      {"0o17", Kind::kNumber, "15"},
      {"1.5", Kind::kNumber, "1.5"},
      {".5", Kind::kNumber, "0.5"},
      {"1.", Kind::kNumber, "1.0"},
      {"-2.5e3", Kind::kNumber, "-2.5e3"},
      {"1e5", Kind::kNumber, "1e5"},
      {".inf", Kind::kString, "Infinity"},
      {"-.Inf", Kind::kString, "-Infinity"},
      {".nan", Kind::kString, "NaN"},
      {"1.2.3", Kind::kString, "1.2.3"},
      {"0x", Kind::kString, "0x"},
      {"12abc", Kind::kString, "12abc"},
      {"e5", Kind::kString, "e5"},
  };
  for (const Case& c : cases) {
    const JsonNode node = detail::resolve_plain_scalar(c.in);
    EXPECT_EQ(node.kind, c.kind) << c.in;
    EXPECT_EQ(node.text, c.json) << c.in;
    EXPECT_EQ(node.source, c.in);
  }
}

TEST(YamlToJson, QuotedAndTaggedScalarsStayStrings) {
  const Converted c = convert(
      "a: \"123\"\n"
      "b: 'true'\n"
      "c: !!str 5\n"
      "d: |\n"
      "  text\n"
      "e: 123\n"
      "f:\n"
      "g: ~\n"
      "h: [1, x, false]\n");
  ASSERT_TRUE(c.ok);
  ASSERT_TRUE(c.errors.empty());
  EXPECT_EQ(detail::to_json(c.root),
            R"({"a":"123","b":"true","c":"5","d":"text\n","e":123,"f":null,"g":null,)"
            R"("h":[1,"x",false]})");
}

TEST(YamlToJson, LinesAreOneBasedAndMapValuesTakeTheKeyLine) {
  const Converted c = convert(
      "# comment\n"
      "listeners:\n"
      "  - port: 1\n"
      "    address: x\n"
      "  -\n"
      "    port: 2\n"
      "empty:\n");
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(c.root.line, 2);
  const JsonNode* listeners = c.root.find("listeners");
  ASSERT_NE(listeners, nullptr);
  EXPECT_EQ(listeners->line, 2);
  EXPECT_EQ(listeners->items[0].line, 3);
  EXPECT_EQ(listeners->items[0].find("address")->line, 4);
  EXPECT_EQ(listeners->items[1].find("port")->line, 6);
  EXPECT_EQ(c.root.find("empty")->line, 7);  // yaml-cpp marks the empty value on the next line
}

TEST(YamlToJson, DuplicateKeyIsAnErrorWithItsLine) {
  const Converted c = convert(
      "a: 1\n"
      "b:\n"
      "  c: 1\n"
      "  c: 2\n"
      "a: 3\n");
  ASSERT_EQ(c.errors.size(), 2u);
  EXPECT_EQ(c.errors[0].format(), "t.yaml:4: b.c: duplicate key 'c' (first given at line 3)");
  EXPECT_EQ(c.errors[1].format(), "t.yaml:5: a: duplicate key 'a' (first given at line 1)");
  EXPECT_EQ(detail::to_json(c.root), R"({"a":1,"b":{"c":1}})");  // the first one is kept
}

TEST(YamlToJson, DuplicateKeyInsideFilterConfigIsReportedByTheLoader) {
  const Diagnostic e =
      only_error(load("listeners:\n"
                      "  - port: 8080\n"
                      "chains:\n"
                      "  - name: main\n"
                      "    filters:\n"
                      "      - type: direct_response\n"
                      "        config:\n"
                      "          status: 200\n"
                      "          status: 201\n"));
  EXPECT_EQ(e.line, 9);
  EXPECT_EQ(e.path, "chains[0].filters[0].config.status");
  EXPECT_NE(e.message.find("duplicate key 'status'"), std::string::npos);
}

TEST(YamlToJson, SyntaxErrorReportsYamlCppLine) {
  const Diagnostic e =
      only_error(load("listeners:\n"
                      "  - port: 8080\n"
                      "chains: [a, b\n"
                      "workers: 2\n"));
  EXPECT_EQ(e.file, "test.yaml");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.path, "(root)");
  EXPECT_NE(e.message.find("YAML syntax error"), std::string::npos) << e.message;
}

TEST(YamlToJson, BadIndentationIsASyntaxError) {
  const Diagnostic e = only_error(load("a: 1\n  b: 2\n"));
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(e.message.find("illegal map value"), std::string::npos) << e.message;
}

std::string nested(int levels) {
  // The top-level mapping is depth 1; each {b: ...} adds one.
  std::string text = "a: ";
  for (int i = 0; i < levels; ++i) text += "{b: ";
  text += "1";
  for (int i = 0; i < levels; ++i) text += "}";
  return text + "\n";
}

TEST(YamlToJson, NestingUpTo64IsAccepted) {
  const Converted c = convert(nested(63));
  EXPECT_TRUE(c.ok);
  EXPECT_TRUE(c.errors.empty());
}

TEST(YamlToJson, NestingBeyond64IsAnError) {
  const Converted c = convert(nested(64));
  EXPECT_FALSE(c.ok);
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].message, "nesting deeper than 64 levels");
  EXPECT_EQ(c.errors[0].line, 1);
}

TEST(YamlToJson, VeryDeepFlowNestingFailsWithoutCrashing) {
  const Converted c = convert(std::string(200000, '[') + std::string(200000, ']'));
  EXPECT_FALSE(c.ok);
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].message, "nesting deeper than 64 levels");
}

TEST(YamlToJson, RecursiveAliasIsAnError) {
  const Converted c = convert("a: &x [1, *x]\n");
  EXPECT_FALSE(c.ok);
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].path, "a[1]");
  EXPECT_NE(c.errors[0].message.find("alias refers to a node that contains it"), std::string::npos);
}

TEST(YamlToJson, AliasExpansionBombIsBounded) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 8; ++i) {  // 10^9 values once expanded
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  const Converted c = convert(text);
  EXPECT_FALSE(c.ok);
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_NE(c.errors[0].message.find("more than 200000 values"), std::string::npos)
      << c.errors[0].message;
}

TEST(YamlToJson, EachAliasIsChargedTheSizeOfWhatItNames) {
  // The mapping, the key's value list (1 + 3) and two aliases of it (4 each): 13 values.
  const std::string text = "a: &l [1, 2, 3]\nb: *l\nc: *l\n";
  JsonNode root;
  std::vector<Diagnostic> errors;
  EXPECT_TRUE(detail::yaml_to_json(text, "t.yaml", env_of({}), &root, &errors,
                                   detail::YamlLimits{1024, 64, 13}));
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(detail::yaml_to_json(text, "t.yaml", env_of({}), &root, &errors,
                                    detail::YamlLimits{1024, 64, 12}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].path, "c");
}

TEST(YamlToJson, LongFlatDocumentStopsParsingAtTheValueBound) {
  std::string text;
  while (text.size() < 4 * 1024 * 1024) text += "- 1\n";  // a million values
  JsonNode root;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(detail::yaml_to_json(text, "t.yaml", env_of({}), &root, &errors,
                                    detail::YamlLimits{detail::kMaxConfigBytes, 64, 1000}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 1000);  // the list itself is value 1
  EXPECT_EQ(errors[0].path, "[999]");
}

TEST(YamlToJson, AnchorsAndAliasesResolve) {
  const Converted c = convert("a: &s {region: eu}\nb: *s\n");
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(detail::to_json(c.root), R"({"a":{"region":"eu"},"b":{"region":"eu"}})");
}

TEST(YamlToJson, TextLargerThan16MiBIsRejected) {
  const std::string text = "a: " + std::string(detail::kMaxConfigBytes, 'x') + "\n";
  const Diagnostic e = only_error(load(text));
  EXPECT_NE(e.message.find("the limit is 16777216"), std::string::npos) << e.message;
}

TEST(YamlToJson, FileLargerThan16MiBIsRejectedBeforeReading) {
  const std::string path =
      testing::write_temp_file("big.yaml", "# " + std::string(detail::kMaxConfigBytes, 'x'));
  const LoadResult result = load_file(path);
  const Diagnostic e = only_error(result);
  EXPECT_EQ(e.file, path);
  EXPECT_NE(e.message.find("the limit is 16777216"), std::string::npos) << e.message;
  std::remove(path.c_str());
}

TEST(YamlToJson, EmptyAndMultiDocumentInputsAreErrors) {
  EXPECT_EQ(only_error(load("")).message, "the config is empty");
  EXPECT_EQ(only_error(load("# only a comment\n")).message, "the config is empty");
  const Diagnostic e = only_error(load("a: 1\n---\nb: 2\n"));
  EXPECT_EQ(e.line, 2);  // the second document's "---"
  EXPECT_NE(e.message.find("only one YAML document"), std::string::npos);
}

TEST(YamlToJson, NonScalarKeyIsAnError) {
  const Converted c = convert("? [a, b]\n: 1\n");
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_NE(c.errors[0].message.find("mapping key must be a plain string"), std::string::npos);
}

}  // namespace
}  // namespace sluice::config
