#include "test/unit/apis/golden_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace sluice::apis::testing {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string normalise_json(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return "<not JSON: " + std::string(rapidjson::GetParseError_En(doc.GetParseError())) + "> " +
           std::string(text);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string render_answer(const ClientAnswer& answer) {
  std::string text = "{\"status\":" + std::to_string(answer.status) + ",\"headers\":{";
  for (size_t i = 0; i < answer.headers.size(); ++i) {
    if (i > 0) text += ",";
    text += "\"" + answer.headers[i].name + "\":\"" + answer.headers[i].value + "\"";
  }
  text += "},\"body\":" + answer.body + "}";
  return text;
}

std::string play_stream(std::string_view script, StreamEncoder& encoder) {
  std::string out;
  std::istringstream lines{std::string(script)};
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line == "finish") {
      encoder.finish(&out);
    } else if (line.starts_with("fail ")) {
      ApiError error;
      const size_t space = line.find(' ', 5);
      error.status = std::stoi(line.substr(5, space - 5));
      error.message = space == std::string::npos ? "" : line.substr(space + 1);
      encoder.fail(error, &out);
    } else {
      encoder.chunk(line, &out);
    }
  }
  return out;
}

int check_golden_folder(std::string_view folder, bool json,
                        const std::function<std::string(std::string_view input)>& translate) {
  const std::filesystem::path dir =
      std::filesystem::path(SLUICE_SOURCE_DIR) / "test/unit/apis/golden" / folder;
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".in.") != std::string::npos) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& input : inputs) {
    std::string expected_path = input.string();
    expected_path.replace(expected_path.rfind(".in."), 4, ".out.");
    SCOPED_TRACE(input.string());
    EXPECT_TRUE(std::filesystem::exists(expected_path)) << expected_path;
    const std::string actual = translate(read_file(input.string()));
    const std::string expected = read_file(expected_path);
    if (json) {
      EXPECT_EQ(normalise_json(actual), normalise_json(expected));
    } else {
      EXPECT_EQ(actual, expected);
    }
  }
  return static_cast<int>(inputs.size());
}

}  // namespace sluice::apis::testing
