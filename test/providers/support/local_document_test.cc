// A document whose pool starts inside the object: a small document lives entirely inside it, a
// larger one goes on in heap chunks and still reads back whole.

#include <gtest/gtest.h>

#include <string>

#include "providers/support/json.h"
#include "providers/support/local_document.h"

namespace sluice::providers::support {
namespace {

// Whether `text` points into the bytes of `object`.
template <typename Object>
bool inside(const Object& object, std::string_view text) {
  const auto* begin = reinterpret_cast<const char*>(&object);
  return text.data() >= begin && text.data() + text.size() <= begin + sizeof(Object);
}

TEST(SupportLocalDocument, ASmallDocumentLivesInsideTheObject) {
  EventDocument event;
  ASSERT_TRUE(parse_json(R"({"type":"delta","text":" umbrella"})", &event));
  EXPECT_EQ(string_member(event, "text"), " umbrella");
  EXPECT_TRUE(inside(event, string_member(event, "type")));
  EXPECT_TRUE(inside(event, string_member(event, "text")));
}

TEST(SupportLocalDocument, ALargerDocumentGoesOnOnTheHeap) {
  std::string text = "[";
  for (int i = 0; i < 500; ++i) {
    if (i > 0) text += ',';
    text += "\"item " + std::to_string(i) + "\"";
  }
  text += "]";
  EventDocument document;
  ASSERT_TRUE(parse_json(text, &document));
  ASSERT_EQ(document.Size(), 500u);
  EXPECT_EQ(view(document[0]), "item 0");
  EXPECT_EQ(view(document[499]), "item 499");
  EXPECT_FALSE(inside(document, view(document[499])));
}

TEST(SupportLocalDocument, StartsAsTheTypeAskedFor) {
  RequestDocument object(rapidjson::kObjectType);
  EXPECT_TRUE(object.IsObject());
  object.AddMember("a", 1, object.GetAllocator());
  EXPECT_EQ(object["a"].GetInt(), 1);
}

}  // namespace
}  // namespace sluice::providers::support
