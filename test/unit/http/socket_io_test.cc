// socket_send / socket_receive: what send(2) and recv(2) give, results and errno alike.

#include "core/http/socket_io.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace sluice::http {
namespace {

class SocketIoTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0); }
  void TearDown() override {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int fds_[2] = {-1, -1};
};

TEST_F(SocketIoTest, SentBytesAreReceivedInOrder) {
  const std::string message = "hello, socket";
  ASSERT_EQ(socket_send(fds_[0], message.data(), message.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(message.size()));
  char buffer[64];
  ASSERT_EQ(socket_receive(fds_[1], buffer, 5, 0), 5);
  EXPECT_EQ(std::string(buffer, 5), "hello");
  ASSERT_EQ(socket_receive(fds_[1], buffer, sizeof(buffer), 0),
            static_cast<ssize_t>(message.size() - 5));
  EXPECT_EQ(std::string(buffer, message.size() - 5), ", socket");
}

TEST_F(SocketIoTest, NothingToReadIsMinusOneWithEagain) {
  char buffer[8];
  errno = 0;
  EXPECT_EQ(socket_receive(fds_[1], buffer, sizeof(buffer), 0), -1);
  EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << errno;
}

TEST_F(SocketIoTest, APeerThatClosedReadsAsEndOfStream) {
  close(fds_[0]);
  fds_[0] = -1;
  char buffer[8];
  EXPECT_EQ(socket_receive(fds_[1], buffer, sizeof(buffer), 0), 0);
}

TEST_F(SocketIoTest, SendingToAClosedPeerIsEpipeWithoutASignal) {
  close(fds_[1]);
  fds_[1] = -1;
  errno = 0;
  // MSG_NOSIGNAL: without it SIGPIPE would end this test process.
  EXPECT_EQ(socket_send(fds_[0], "x", 1, MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EPIPE);
}

TEST_F(SocketIoTest, ABadDescriptorIsEbadf) {
  char buffer[8];
  errno = 0;
  EXPECT_EQ(socket_send(-1, "x", 1, MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EBADF);
  errno = 0;
  EXPECT_EQ(socket_receive(-1, buffer, sizeof(buffer), 0), -1);
  EXPECT_EQ(errno, EBADF);
}

}  // namespace
}  // namespace sluice::http
