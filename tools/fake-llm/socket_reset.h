#pragma once
// Abrupt connection resets for the reset_mid_stream fault. The HTTP layer does not hand handlers
// their socket, so the socket is found among this process's descriptors by its addresses (the
// client's "ip:port" from the request and the listening port). Resetting sets SO_LINGER 0 and
// shuts the socket's read side: the connection then reads end-of-file, closes the socket, and the
// kernel answers that close with a TCP RST instead of a FIN.

#include <cstdint>
#include <string_view>

namespace fake_llm {

// The descriptor of this process's TCP socket whose peer is `peer` ("1.2.3.4:5", "[::1]:5") and
// whose local port is `local_port`; -1 when there is none.
int find_connection_fd(std::string_view peer, uint16_t local_port);

// Arms an RST-on-close on `fd` and makes its connection see end-of-file. False when the socket
// refused (it is then left as it was as far as possible).
bool reset_connection(int fd);

}  // namespace fake_llm
