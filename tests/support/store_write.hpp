// A store's write, done and checked before the test goes on.
#pragma once

#include "switchboard/store/store.hpp"

namespace switchboard::test {

// Runs store::write to its end on an io_context of its own; rethrows its failure.
void write(store::store& s, store::write_batch b);
// Runs store::async_rewrite_events to its end; rethrows its failure.
void rewrite_events(store::store& s, events::data_rewrite r);
// Runs store::async_erase_events to its answer; rethrows its failure.
void erase_events(store::store& s, events::erased_conversation e);

}  // namespace switchboard::test
