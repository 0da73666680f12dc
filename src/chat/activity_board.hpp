// What lists and sweeps ask of every conversation, one small slot each in
// one dense table: the newest activity, a few flags and the idle deadline.
// Each actor writes its own slot on its strand; walks read the table from
// any thread. Internal to src/chat.
//
// Why not ask the actors: at 100,000 conversations, walking them touched
// 100,000 scattered actors and states (a cache miss or more each), 35–80 ms
// of an io thread for every list load and every routing round. The table is
// 2.4 MB read in order.
#pragma once

#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/time.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace switchboard::chat {

class conversation_actor;

// A conversation's place in lists: its activity in milliseconds, its
// flags and its priority, in one word so that a reader never sees one
// without the others.
struct list_key {
    enum flag : std::uint16_t {
        active = 1,    // chat_support_active
        queued = 2,    // waiting in the queue (queued_at)
        assigned = 4,  // an agent's name in `assignee`
        blocked = 8,   // an agent blocked the user
        snoozed = 128, // its agent snoozed the chat (bits 4-6 are the priority)
        waiting = 256, // the user waits for an agent's answer (waiting_since)
        followed = 512, // some agent follows it (participants)
        contact = 1024, // no message yet: an imported contact, whom lists leave out
    };
    static constexpr int priority_shift = 4;   // bits 4-6: conv_priority
    static constexpr int activity_shift = 11;  // 2^53 ms is a quarter of a million years
    std::uint64_t word = 0;

    static list_key of(const conversation& c) {
        auto ms = to_unix_ms(c.last_activity);
        std::uint64_t flags = (c.chat_support_active ? active : 0) | (c.queued_at ? queued : 0) |
                              (!c.assignee.empty() ? assigned : 0) | (c.blocked ? blocked : 0) |
                              (c.snoozed_until ? snoozed : 0) | (waiting_since(c) ? waiting : 0) |
                              (!c.participants.empty() ? followed : 0) | (no_message_yet(c) ? contact : 0);
        auto priority = static_cast<std::uint64_t>(c.priority) << priority_shift;
        return {static_cast<std::uint64_t>(ms < 0 ? 0 : ms) << activity_shift | priority | flags};
    }
    std::int64_t activity_ms() const { return static_cast<std::int64_t>(word >> activity_shift); }
    conv_priority priority() const { return static_cast<conv_priority>((word >> priority_shift) & 7); }
    bool has(std::uint16_t flags) const { return (word & flags) == flags; }
    // Has all of `flags` and none of `without`.
    bool has(std::uint16_t flags, std::uint16_t without) const { return has(flags) && (word & without) == 0; }
};

class activity_board {
public:
    struct slot {
        std::atomic<std::uint64_t> key{0};                // list_key::word
        std::atomic<std::int64_t> expires_at_ms{INT64_MAX};  // when it falls idle; max when it is IDLE
        list_key listed() const { return {key.load(std::memory_order_relaxed)}; }
        // Set when the slot is published; null until then, and again once
        // its conversation is erased (until it is new again). Actors stay
        // for the engine's lifetime, and so does the board.
        std::atomic<conversation_actor*> actor{nullptr};
    };

    // A slot for a new actor, not yet seen by walks: the actor writes its
    // first state into it, then publish() shows it.
    slot& claim() {
        std::lock_guard lock(grow_);
        auto i = claimed_;
        auto block = i / block_size;
        if (block == max_blocks)
            throw std::length_error("more than " + std::to_string(capacity) + " conversations");
        if (!owned_[block]) {
            owned_[block] = std::make_unique<slot[]>(block_size);
            blocks_[block].store(owned_[block].get(), std::memory_order_release);
        }
        ++claimed_;
        size_.store(claimed_, std::memory_order_release);
        return owned_[block][i % block_size];
    }
    static void publish(slot& s, conversation_actor& a) { s.actor.store(&a, std::memory_order_release); }
    // Hides it from walks again.
    static void withdraw(slot& s) { s.actor.store(nullptr, std::memory_order_release); }

    // f(const slot&, conversation_actor&) for every published slot, oldest first.
    template <class F>
    void for_each(F&& f) const {
        auto n = size_.load(std::memory_order_acquire);
        for (std::size_t b = 0; b * block_size < n; ++b) {
            const slot* block = blocks_[b].load(std::memory_order_acquire);
            auto end = std::min(block_size, n - b * block_size);
            for (std::size_t i = 0; i < end; ++i)
                if (auto* a = block[i].actor.load(std::memory_order_acquire)) f(block[i], *a);
        }
    }

private:
    static constexpr std::size_t block_size = 4096, max_blocks = 4096;

public:
    static constexpr std::size_t capacity = block_size * max_blocks;  // 16,777,216

private:
    std::mutex grow_;  // claiming a slot only; walks never take it
    std::size_t claimed_ = 0;
    std::atomic<std::size_t> size_{0};
    std::array<std::atomic<const slot*>, max_blocks> blocks_{};
    std::array<std::unique_ptr<slot[]>, max_blocks> owned_{};
};

}  // namespace switchboard::chat
