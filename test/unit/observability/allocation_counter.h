#pragma once
// Counts the allocations the current thread makes, so a test can assert that a call made none.
// The global operator new/delete replacements live in allocation_counter.cc: in their own
// translation unit the optimiser cannot inline them into callers (where GCC 12 at -O3 then
// mistakes free() of operator new's memory for a mismatch).

#include <cstdint>

namespace sluice::testing {

uint64_t allocations_on_this_thread();

}  // namespace sluice::testing
