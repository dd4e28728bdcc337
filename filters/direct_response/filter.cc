// direct_response: answering with the configured response.

#include "filters/direct_response/filter.h"

#include <vector>

namespace sluice::filters::direct_response {

Status Filter::on_request_headers(bool) {
  std::vector<sluice_header> headers;
  headers.reserve(config_.headers.size());
  for (const auto& [name, value] : config_.headers) {
    headers.push_back({detail::str(name), detail::str(value)});
  }
  const sluice_host_api* api = stream().api();
  if (!api->send_local_reply(stream().handle(), config_.status, headers.data(), headers.size(),
                             detail::str(config_.body))) {
    return Fail;
  }
  return LocalReply;
}

}  // namespace sluice::filters::direct_response
