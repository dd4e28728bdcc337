// translate: the image-fetch step of a chat request to a provider with an adapter, when the
// deployment has fetch_image_urls (image_fetch_settings.h). Before the adapter builds the request,
// every http(s) image URL of /messages is fetched with http_call_guarded (ABI 1.5: bounded in
// bytes and time, public addresses only unless image_fetch_allow_private, no redirect, no proxy)
// and, once all have arrived, replaced in the request by a data: URL, so the adapter sees inline
// images only. The first failure answers the client 400 image_fetch_failed, naming the part, the
// URL (without its query) and why, and cancels the other fetches. A retry of the attempt fetches
// again (translate is per attempt).

#include "filters/common/json_text.h"
#include "filters/translate/filter.h"

namespace sluice::filters::translate {
namespace {

constexpr uint64_t kImageIndexMask = 0xFFFF;

}  // namespace

bool Filter::is_image_token(uint64_t token) {
  return (token & ~kImageIndexMask) == kImageToken;
}

Status Filter::fetch_images(size_t endpoint_index) {
  const ImageFetchSettings& settings = upstream_->image_fetch;
  std::vector<ImageRef> found;
  std::string error;
  // Most requests carry no image, and their bytes say so without copying and parsing the
  // messages. An escape could spell the name otherwise: a body with one is looked at properly.
  const std::string_view body = stream().body(Part::request);
  if (body.find("image_url") == std::string_view::npos &&
      body.find("\\u") == std::string_view::npos) {
    images_fetched_ = true;
    return Continue;
  }
  std::optional<std::string_view> messages = stream().json(Part::request, "/messages");
  // A request without (valid) messages is the adapter's to refuse, with its own message.
  if (!messages || !find_image_urls(*messages, &found, &error) || found.empty()) {
    images_fetched_ = true;
    return Continue;
  }
  if (found.size() > settings.max_images()) {
    stream().error(400,
                   "This request has " + std::to_string(found.size()) +
                       " image URLs to fetch; at most " + std::to_string(settings.max_images()) +
                       " per request are fetched (with image_fetch_max_bytes " +
                       std::to_string(settings.max_bytes) + "). Send the others as data: URLs.",
                   "too_many_image_urls");
    return LocalReply;
  }
  for (const ImageRef& image : found) {
    if (std::string why = unfetchable_url(image.url); !why.empty()) {
      stream().error(400, image_where(image) + ": " + why, "image_fetch_failed");
      return LocalReply;
    }
  }
  const HttpLimits limits{settings.timeout_ms, settings.max_bytes, !settings.allow_private};
  images_.clear();
  for (ImageRef& image : found) images_.push_back(PendingImage{std::move(image), 0, {}});
  for (size_t i = 0; i < images_.size(); ++i) {
    images_[i].op = stream().http_call_guarded(
        "GET", fetch_url(images_[i].ref.url), "", limits, kImageToken | i,
        {{"accept", "image/jpeg, image/png, image/gif, image/webp"},
         // Some image hosts refuse requests that name no client.
         {"user-agent", "sluice-image-fetch/1"}});
    if (images_[i].op == 0) {
      cancel_image_fetches();
      stream().error(
          500, image_where(images_[i].ref) + ": the gateway could not start fetching the image",
          "image_fetch_unavailable");
      return LocalReply;
    }
  }
  images_pending_ = images_.size();
  pending_endpoint_ = endpoint_index;
  return Stop;
}

void Filter::cancel_image_fetches() {
  for (PendingImage& image : images_) {
    if (image.op != 0) stream().cancel(image.op);
    image.op = 0;
  }
  images_pending_ = 0;
}

void Filter::image_fetched(const sluice_op_done& done) {
  const size_t index = static_cast<size_t>(done.token & kImageIndexMask);
  if (images_pending_ == 0 || index >= images_.size() || images_[index].op != done.op_id) return;
  const ImageFetchSettings& settings = upstream_->image_fetch;
  PendingImage& image = images_[index];
  image.op = 0;
  FetchedImage fetched = judge_fetch(done, settings.max_bytes, settings.timeout_ms);
  if (!fetched.problem.empty()) {
    const std::string message = image_where(image.ref) + ": cannot fetch " +
                                shown_url(image.ref.url) + ": " + fetched.problem;
    cancel_image_fetches();
    images_.clear();
    stream().error(400, message, "image_fetch_failed");
    return;
  }
  image.data_url = std::move(fetched.data_url);
  if (--images_pending_ > 0) return;
  for (const PendingImage& ready : images_) {
    stream().json_set(Part::request, ready.ref.pointer, common::json_quote(ready.data_url));
  }
  images_.clear();
  images_fetched_ = true;
  // The request phase, paused in prepare_adapted: carry on from the top with data: URLs.
  if (prepare_adapted(pending_endpoint_, true) == Continue) stream().resume();
}

}  // namespace sluice::filters::translate
