// Lines of native calls waiting for a response, with one timer for all (see native_wait_lines.h).

#include "core/upstream/native_wait_lines.h"

#include <event2/event.h>

#include <algorithm>

namespace sluice::upstream {

WaitLines::WaitLines(event_base* base) {
  timer_ = evtimer_new(base, &WaitLines::on_timer, this);
}

WaitLines::~WaitLines() {
  if (timer_ != nullptr) event_free(timer_);
}

bool WaitLines::join(Member& member, std::chrono::milliseconds wait, Clock::time_point since) {
  if (timer_ == nullptr) return false;
  Line* line = nullptr;
  for (const std::unique_ptr<Line>& candidate : lines_) {
    if (candidate->wait == wait) {
      line = candidate.get();
      break;
    }
  }
  if (line == nullptr) {
    if (lines_.size() == kMaxLines) return false;
    lines_.push_back(std::make_unique<Line>(Line{wait}));
    line = lines_.back().get();
  }
  member.line_ = line;
  member.until_ = since + wait;
  // Members join in the order they started waiting, so this is nearly always the end; walking
  // back keeps the line in order whatever `since` says.
  Member* earlier = line->last;
  while (earlier != nullptr && earlier->until_ > member.until_) earlier = earlier->earlier_;
  member.earlier_ = earlier;
  member.later_ = earlier != nullptr ? earlier->later_ : line->first;
  (earlier != nullptr ? earlier->later_ : line->first) = &member;
  (member.later_ != nullptr ? member.later_->earlier_ : line->last) = &member;
  if (!armed_ || member.until_ < armed_for_) arm(member.until_);
  return true;
}

void WaitLines::leave(Member& member) {
  Line* line = member.line_;
  (member.earlier_ != nullptr ? member.earlier_->later_ : line->first) = member.later_;
  (member.later_ != nullptr ? member.later_->earlier_ : line->last) = member.earlier_;
  member.line_ = nullptr;
  member.earlier_ = nullptr;
  member.later_ = nullptr;
}

void WaitLines::arm(Clock::time_point due) {
  const auto wait = std::max<Clock::duration>(due - Clock::now(), Clock::duration::zero());
  // Rounded up, so it does not go off just before `due` and find nobody due.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(wait).count() + 500;
  const timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  evtimer_add(timer_, &tv);
  armed_ = true;
  armed_for_ = due;
}

void WaitLines::on_timer(int, short, void* arg) {
  auto* self = static_cast<WaitLines*>(arg);
  self->armed_ = false;
  const Clock::time_point now = Clock::now();
  // Each member told may make others leave or join (any line), so the first of a line is read
  // again every time.
  for (size_t i = 0; i < self->lines_.size(); ++i) {
    Line& line = *self->lines_[i];
    while (line.first != nullptr && line.first->until_ <= now) {
      Member& due = *line.first;
      self->leave(due);
      due.on_wait_over();
    }
  }
  Member* next = nullptr;
  for (const std::unique_ptr<Line>& line : self->lines_) {
    if (line->first != nullptr && (next == nullptr || line->first->until_ < next->until_)) {
      next = line->first;
    }
  }
  if (next != nullptr && (!self->armed_ || next->until_ < self->armed_for_))
    self->arm(next->until_);
}

}  // namespace sluice::upstream
