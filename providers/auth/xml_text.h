#pragma once
// Just enough XML to read AWS STS answers: the inside of the first element with a given name,
// and an element's text with entities decoded. Not a general parser: no namespaces prefixes,
// CDATA or nested content in a text value (all refused), which STS never sends. Linear in the
// input and without recursion, so a hostile answer costs nothing. Pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace sluice::providers::auth {

// The text between <name ...> and the matching </name> of the first such element in `xml`
// (same-named elements nested inside it are not expected and end it early); nullopt when there
// is none or it is not closed.
std::optional<std::string_view> xml_inner(std::string_view xml, std::string_view name);

// The decoded text of the first element `name` in `xml` (&amp; &lt; &gt; &quot; &apos; and
// numeric references); nullopt when absent, or when it holds markup or a bad reference.
std::optional<std::string> xml_text(std::string_view xml, std::string_view name);

}  // namespace sluice::providers::auth
