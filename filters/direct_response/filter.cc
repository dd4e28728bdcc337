// direct_response: answering with the configured response.

#include "filters/direct_response/filter.h"

#include <vector>

namespace sluice::filters::direct_response {

Status Filter::on_request_headers(bool) {
  const sluice_host_api* api = stream().api();
  if (!api->send_local_reply(stream().handle(), config_.status, config_.abi_headers.data(),
                             config_.abi_headers.size(), detail::str(config_.body))) {
    return Fail;
  }
  return LocalReply;
}

}  // namespace sluice::filters::direct_response
