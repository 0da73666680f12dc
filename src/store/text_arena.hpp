// Texts kept end to end in large blocks, found by where they were put. For
// what the in-memory store keeps by the hundred thousand (dedupe keys): one
// string each cost its own allocation and spare capacity, and in memory a
// webhook's cost grows with what it keeps (docs/benchmarks.md). Not
// synchronized: its owner's lock guards it.
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
        std::uint32_t block;
        std::uint32_t offset, size;
    };

    location append(std::string_view text) {
        if (blocks_.empty() || blocks_.back().size() + text.size() > blocks_.back().capacity()) {
            // Only what is written becomes resident: a block costs as it fills.
            blocks_.emplace_back().reserve(std::max(block_size, text.size()));
        }
        auto& block = blocks_.back();
        location at{static_cast<std::uint32_t>(blocks_.size() - 1),
                    static_cast<std::uint32_t>(block.size()), static_cast<std::uint32_t>(text.size())};
        block.append(text);
        return at;
    }

    std::string_view view(location at) const {
        return std::string_view(blocks_[at.block]).substr(at.offset, at.size);
    }

private:
    static constexpr std::size_t block_size = std::size_t{1} << 20;

    std::deque<std::string> blocks_;
};

}  // namespace switchboard::store
