// Request paths are chains on the stack turned into text only for an error: the text must be
// the path as errors have always named it.

#include <gtest/gtest.h>

#include "providers/support/json_path.h"

namespace sluice::providers::support {
namespace {

TEST(SupportJsonPath, ReadsAsTheRequestsMembersAndIndexes) {
  const JsonPath messages("messages");
  EXPECT_EQ(messages.text(), "messages");
  const JsonPath message = messages.index(12);
  const JsonPath content = message.member("content");  // each step kept while it is used
  const JsonPath part = content.index(0);
  EXPECT_EQ(part.text(), "messages[12].content[0]");
  EXPECT_EQ(part + ".type", "messages[12].content[0].type");
  EXPECT_EQ(JsonPath("tools").index(1).member("function").member("name").text(),
            "tools[1].function.name");
}

}  // namespace
}  // namespace sluice::providers::support
