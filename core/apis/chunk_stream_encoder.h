#pragma once
// The part of every client API's stream encoder that is the same for all of them: reading the
// chain's OpenAI chunks and turning them into a sequence of content blocks (text, then tool
// calls, each opened, filled and closed in order), a stop reason and a final usage. An API's
// encoder derives from it and only renders the hooks as its own events.
//
// The order the hooks come in: message_start once (on the first chunk, or at finish when none
// came); per block, block_start, deltas, block_stop (a new block closes the one before it, the
// finish reason closes the last); stop once the finish reason is known; usage once both the
// stop and the usage chunk were seen (the request asked include_usage, so usage comes after the
// finish reason), or at finish without usage; end last. fail() stops everything with one error,
// and so does a chunk that is OpenAI's in-band error object ({"error":{"message","type","code"}},
// its status told from its code, else its type). A chunk that is not a JSON object is skipped:
// the stream goes on with the next.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/apis/client_api.h"
#include "core/apis/openai_answer.h"

namespace sluice::apis {

class ChunkStreamEncoder : public StreamEncoder {
 public:
  void chunk(std::string_view openai_chunk_json, std::string* out) final;
  void finish(std::string* out) final;
  void fail(const ApiError& error, std::string* out) final;

 protected:
  // `openai_id` is the first chunk's id (may be empty); `usage` is that chunk's, if it had one.
  virtual void on_message_start(std::string_view openai_id, const OpenAiUsage& usage,
                                std::string* out) = 0;
  virtual void on_text_start(int64_t block, std::string* out) = 0;
  virtual void on_text_delta(int64_t block, std::string_view text, std::string* out) = 0;
  // `id` is the tool call's, or one made up when the chunk had none.
  virtual void on_tool_start(int64_t block, std::string_view id, std::string_view name,
                             std::string* out) = 0;
  virtual void on_tool_delta(int64_t block, std::string_view arguments_fragment,
                             std::string* out) = 0;
  virtual void on_block_stop(int64_t block, std::string* out) = 0;
  // OpenAI's finish_reason ("stop" when the stream ended without one).
  virtual void on_stop(std::string_view finish_reason, std::string* out) = 0;
  // The final usage; usage.known is false when no usage chunk came.
  virtual void on_usage(std::string_view finish_reason, const OpenAiUsage& usage,
                        std::string* out) = 0;
  virtual void on_end(std::string* out) = 0;
  virtual void on_error(const ApiError& error, std::string* out) = 0;

 private:
  void start(std::string_view openai_id, const OpenAiUsage& usage, std::string* out);
  void close_open_block(std::string* out);
  void tool_delta(const OpenAiToolDelta& delta, std::string* out);
  void stop(std::string_view finish_reason, std::string* out);

  ParsedJson parsed_;  // each chunk's parse, reused
  bool started_ = false;
  bool ended_ = false;  // finish or fail came: nothing more is written
  std::string message_id_;
  int64_t open_block_ = -1;  // the block being filled, -1 when none
  bool open_block_is_text_ = false;
  int64_t next_block_ = 0;
  std::vector<std::pair<int64_t, int64_t>> tool_blocks_;  // OpenAI tool_calls index -> block
  bool stopped_ = false;
  std::string finish_reason_;
  OpenAiUsage usage_;
  bool usage_sent_ = false;
};

}  // namespace sluice::apis
