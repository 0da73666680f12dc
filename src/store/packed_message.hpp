// A message as the in-memory store keeps it: its strings end to end in one
// allocation, its phone and seq left to the maps that hold it. Seven
// strings of their own took about twice the room, and in memory a webhook's
// cost grows with what it keeps (docs/benchmarks.md).
#pragma once

#include "switchboard/chat/conversation.hpp"

#include <array>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace switchboard::store {

class packed_message {
public:
    explicit packed_message(const chat::message& m)
        : at(m.at),
          from(m.from),
          status(m.status),
          has_media(m.media.has_value()),
          has_reply(m.reply_to != 0),
          has_choices(m.choices != nullptr),
          has_edit(chat::was_edited(m)) {
        const std::array<std::string_view, fields - 1> parts{m.id,   m.agent,      m.text,
                                                              m.kind, m.channel_id, m.client_id};
        std::size_t total = 0;
        for (std::size_t i = 0; i + 1 < fields; ++i) total += sizes_[i] = static_cast<std::uint32_t>(parts[i].size());
        std::size_t detail = m.error.size() + (has_reply ? sizeof m.reply_to : 0) + (has_choices ? sizeof m.choices : 0) +
                             (has_edit ? sizeof m.edited_at : 0);
        if (has_media) detail += m.media->media_id.size() + m.media->mime_type.size() + m.media->filename.size() + 3;
        total += sizes_[fields - 1] = static_cast<std::uint32_t>(detail);
        // Written in place: a menu's message has a detail (its choices), and
        // building it apart cost an allocation and copies a webhook.
        chars_ = std::make_unique_for_overwrite<char[]>(total);
        char* at_char = chars_.get();
        auto put = [&](const void* bytes, std::size_t n) {
            if (n) std::memcpy(at_char, bytes, n);
            at_char += n;
        };
        for (auto part : parts) put(part.data(), part.size());
        if (has_media)
            // Each ended by a NUL: the parser lets none through with one in it.
            for (auto* field : {&m.media->media_id, &m.media->mime_type, &m.media->filename}) {
                assert(field->find('\0') == std::string::npos);
                put(field->data(), field->size());
                *at_char++ = '\0';
            }
        // The quoted message's seq and the kept choices' address (kept for the
        // process's life: chat::kept_choices), their 8 bytes as they are.
        if (has_reply) put(&m.reply_to, sizeof m.reply_to);
        if (has_choices) put(&m.choices, sizeof m.choices);
        if (has_edit) put(&m.edited_at, sizeof m.edited_at);
        put(m.error.data(), m.error.size());
    }

    std::string_view text() const { return part(2); }
    std::string_view channel_id() const { return part(4); }

    chat::message unpack(std::string_view phone, std::uint64_t seq) const {
        chat::message m;
        m.id = part(0);
        m.phone = phone;
        m.seq = seq;
        m.from = from;
        m.agent = part(1);
        m.text = part(2);
        m.kind = part(3);
        m.at = at;
        m.status = status;
        m.channel_id = part(4);
        m.client_id = part(5);
        auto detail = part(6);
        if (has_media) {
            auto& media = m.media.emplace();
            for (auto* field : {&media.media_id, &media.mime_type, &media.filename}) {
                auto end = detail.find('\0');
                *field = detail.substr(0, end);
                detail.remove_prefix(end + 1);
            }
        }
        if (has_reply) {
            std::memcpy(&m.reply_to, detail.data(), sizeof m.reply_to);
            detail.remove_prefix(sizeof m.reply_to);
        }
        if (has_choices) {
            std::memcpy(&m.choices, detail.data(), sizeof m.choices);
            detail.remove_prefix(sizeof m.choices);
        }
        if (has_edit) {
            std::memcpy(&m.edited_at, detail.data(), sizeof m.edited_at);
            detail.remove_prefix(sizeof m.edited_at);
        }
        m.error = detail;
        return m;
    }

    timestamp at;
    // One int's room for these, with the seven sizes: 48 bytes in all.
    chat::sender from : 8;
    chat::message_status status : 8;
    bool has_media : 1;
    bool has_reply : 1;
    bool has_choices : 1;
    bool has_edit : 1;

private:
    // id, agent, text, kind, channel id, client id, and the error after the
    // attachment's strings, the quoted message's seq, the bot's choices and
    // when a note was edited, when there are those: most messages have none, and a part of their
    // own would make every message 8 bytes longer.
    static constexpr std::size_t fields = 7;

    std::string_view part(std::size_t i) const {
        std::size_t offset = 0;
        for (std::size_t j = 0; j < i; ++j) offset += sizes_[j];
        return {chars_.get() + offset, sizes_[i]};
    }

    std::array<std::uint32_t, fields> sizes_{};
    std::unique_ptr<char[]> chars_;
};

// Kept for every message in memory: a field more must not make it longer.
static_assert(sizeof(void*) != 8 || sizeof(packed_message) == 48);

}  // namespace switchboard::store
