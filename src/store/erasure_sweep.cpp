#include "erasure_sweep.hpp"

#include <algorithm>

namespace switchboard::store {

void erasure_sweep::add(sweep_job j) {
    j.joined_after = after_;
    j.went_round = false;
    go_on_with(std::move(j));
}

void erasure_sweep::go_on_with(sweep_job j) {
    j.key = events::conversation_key(j.erased.phone);
    jobs_.push_back(std::move(j));
}

std::int64_t erasure_sweep::upto() const {
    std::int64_t last = 0;
    for (auto& j : jobs_) last = std::max(last, j.last_block);
    return last;
}

events::envelope_eraser erasure_sweep::eraser_for(std::int64_t id, const conversation_filter& holds) const {
    events::envelope_eraser eraser;
    for (auto& j : jobs_) {
        // Before going round: from where it joined to its last block; after: up to where it joined.
        bool needs = id <= j.last_block && (j.went_round ? id <= j.joined_after : id > j.joined_after);
        if (needs && holds.may_hold(j.key)) eraser.add(j.erased);
    }
    return eraser;
}

std::vector<sweep_job> erasure_sweep::read_to(std::int64_t id, bool at_end) {
    std::vector<sweep_job> done;
    auto finish = [&](auto&& is_done) {
        auto gone = std::stable_partition(jobs_.begin(), jobs_.end(), [&](const sweep_job& j) { return !is_done(j); });
        done.insert(done.end(), std::make_move_iterator(gone), std::make_move_iterator(jobs_.end()));
        jobs_.erase(gone, jobs_.end());
    };
    after_ = std::max(after_, id);
    if (at_end) {
        // Those that went round already have read all they need (what they
        // joined after may have been pruned since); the others go round now.
        finish([](const sweep_job& j) { return j.went_round; });
        for (auto& j : jobs_) j.went_round = true;
        after_ = 0;
    }
    finish([&](const sweep_job& j) { return j.went_round && after_ >= j.joined_after; });
    return done;
}

}  // namespace switchboard::store
