// The block sequencing shared by the stream encoders (see the header for the order of hooks).

#include "core/apis/chunk_stream_encoder.h"

#include <algorithm>

#include "providers/support/provider_errors.h"

namespace sluice::apis {
namespace {

// The status an in-band error object stands for. OpenAI's stream error names no status, so it
// is told from the code (the provider's own name for the failure, which translate keeps: a
// Bedrock exception, either spelling, or an Anthropic error type), then from OpenAI's type.
int in_band_error_status(std::string_view type, std::string_view code) {
  if (const int status = providers::support::bedrock_exception_status(code)) return status;
  if (const auto* known = providers::support::find_anthropic_error_type(code)) {
    return known->status;
  }
  if (code == "rate_limit_exceeded") return 429;  // OpenAI's own code
  struct Known {
    std::string_view name;
    int status;
  };
  static constexpr Known kTypes[] = {
      {"invalid_request_error", 400}, {"authentication_error", 401}, {"permission_error", 403},
      {"not_found_error", 404},       {"rate_limit_error", 429},     {"server_error", 500},
  };
  for (const Known& known : kTypes) {
    if (known.name == type) return known.status;
  }
  return 500;
}

// {"error":{"message","type","code"}} in place of a chunk: the upstream (or translate, for a
// provider's in-band failure) ended the stream with an error.
ApiError in_band_error(const JsonValue& error) {
  ApiError out;
  out.message = std::string(string_member(error, "message"));
  if (out.message.empty()) out.message = "The upstream ended the stream with an error.";
  out.type = std::string(string_member(error, "type"));
  if (out.type.empty()) out.type = "server_error";
  out.code = std::string(string_member(error, "code"));
  out.status = in_band_error_status(out.type, out.code);
  return out;
}

}  // namespace

void ChunkStreamEncoder::start(std::string_view openai_id, const OpenAiUsage& usage,
                               std::string* out) {
  started_ = true;
  message_id_ = std::string(openai_id);
  on_message_start(openai_id, usage, out);
}

void ChunkStreamEncoder::chunk(std::string_view openai_chunk_json, std::string* out) {
  if (ended_) return;
  if (!parsed_.parse(openai_chunk_json).empty() || !parsed_.doc().IsObject()) return;
  const JsonValue& doc = parsed_.doc();
  if (const JsonValue* error = member(doc, "error"); error != nullptr && error->IsObject()) {
    fail(in_band_error(*error), out);
    return;
  }
  OpenAiChunk chunk;
  read_openai_chunk(doc, &chunk);
  if (!started_) start(chunk.id, chunk.usage, out);
  // Content after the finish reason (a second choice's, or a confused upstream's) would come
  // after the stop event: it is dropped.
  if (!stopped_) {
    if (!chunk.text.empty()) {
      if (open_block_ < 0 || !open_block_is_text_) {
        close_open_block(out);
        open_block_ = next_block_++;
        open_block_is_text_ = true;
        on_text_start(open_block_, out);
      }
      on_text_delta(open_block_, chunk.text, out);
    }
    for (const OpenAiToolDelta& delta : chunk.tool_deltas) tool_delta(delta, out);
    if (!chunk.finish_reason.empty()) stop(chunk.finish_reason, out);
  }
  if (chunk.usage.known) usage_ = chunk.usage;
  if (stopped_ && usage_.known && !usage_sent_) {
    usage_sent_ = true;
    on_usage(finish_reason_, usage_, out);
  }
}

void ChunkStreamEncoder::tool_delta(const OpenAiToolDelta& delta, std::string* out) {
  const auto known = std::find_if(tool_blocks_.begin(), tool_blocks_.end(),
                                  [&](const auto& entry) { return entry.first == delta.index; });
  int64_t block;
  if (known != tool_blocks_.end()) {
    block = known->second;
  } else {
    close_open_block(out);
    block = next_block_++;
    open_block_ = block;
    open_block_is_text_ = false;
    tool_blocks_.emplace_back(delta.index, block);
    const std::string made_up_id =
        delta.id.empty() ? "call_" + message_id_ + "_" + std::to_string(block) : std::string();
    on_tool_start(block, delta.id.empty() ? made_up_id : delta.id, delta.name, out);
  }
  // A fragment for a call whose block was already closed (calls interleaved) still names that
  // block: the client APIs gather input by block index.
  if (!delta.arguments.empty()) on_tool_delta(block, delta.arguments, out);
}

void ChunkStreamEncoder::close_open_block(std::string* out) {
  if (open_block_ < 0) return;
  on_block_stop(open_block_, out);
  open_block_ = -1;
}

void ChunkStreamEncoder::stop(std::string_view finish_reason, std::string* out) {
  close_open_block(out);
  stopped_ = true;
  finish_reason_ = std::string(finish_reason);
  on_stop(finish_reason_, out);
}

void ChunkStreamEncoder::finish(std::string* out) {
  if (ended_) return;
  if (!started_) start("", OpenAiUsage(), out);
  if (!stopped_) stop("stop", out);
  if (!usage_sent_) {
    usage_sent_ = true;
    on_usage(finish_reason_, usage_, out);
  }
  on_end(out);
  ended_ = true;
}

void ChunkStreamEncoder::fail(const ApiError& error, std::string* out) {
  if (ended_) return;
  on_error(error, out);
  ended_ = true;
}

}  // namespace sluice::apis
