// Texts kept end to end in large blocks, found by where they were put. For
// what the in-memory store keeps by the hundred thousand (event texts,
// dedupe keys): one string each cost its own allocation and spare capacity,
// and in memory a webhook's cost grows with what it keeps
// (docs/benchmarks.md). Not synchronized: its owner's lock guards it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace switchboard::store {

class text_arena {
public:
    struct location {
        std::uint32_t block;  // counted from the first block ever made
        std::uint32_t offset, size;
    };

    location append(std::string_view text) {
        if (blocks_.empty() || blocks_.back().size() + text.size() > blocks_.back().capacity()) {
            // Only what is written becomes resident: a block costs as it fills.
            blocks_.emplace_back().reserve(std::max(block_size, text.size()));
        }
        auto& block = blocks_.back();
        location at{static_cast<std::uint32_t>(first_block_ + blocks_.size() - 1),
                    static_cast<std::uint32_t>(block.size()), static_cast<std::uint32_t>(text.size())};
        block.append(text);
        return at;
    }

    std::string_view view(location at) const {
        return std::string_view(blocks_[at.block - first_block_]).substr(at.offset, at.size);
    }

    // Frees the blocks before `block`; what was in them must not be viewed again.
    void drop_before(std::uint32_t block) {
        while (first_block_ < block && !blocks_.empty()) {
            blocks_.pop_front();
            ++first_block_;
        }
    }

    // The number the next block will get: a bound for drop_before.
    std::uint32_t end_block() const { return static_cast<std::uint32_t>(first_block_ + blocks_.size()); }

private:
    static constexpr std::size_t block_size = std::size_t{1} << 20;

    std::deque<std::string> blocks_;  // blocks_[i] is block number first_block_ + i
    std::uint32_t first_block_ = 0;
};

}  // namespace switchboard::store
