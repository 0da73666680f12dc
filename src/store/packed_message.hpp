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
          has_choices(!m.choices.empty()) {
        bool has_detail = has_media || has_reply || has_choices;
        auto detail = has_detail ? media_prefix(m) + reply_prefix(m) + choices_prefix(m) + m.error : std::string();
        const std::array<std::string_view, fields> parts{m.id,         m.agent,     m.text,
                                                          m.kind,       m.channel_id, m.client_id,
                                                          has_detail ? std::string_view(detail) : m.error};
        std::size_t total = 0;
        for (std::size_t i = 0; i < fields; ++i) total += sizes_[i] = static_cast<std::uint32_t>(parts[i].size());
        chars_ = std::make_unique_for_overwrite<char[]>(total);
        char* at_char = chars_.get();
        for (auto part : parts) {
            if (!part.empty()) std::memcpy(at_char, part.data(), part.size());
            at_char += part.size();
        }
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
            auto end = detail.find('\0');
            m.choices = detail.substr(0, end);
            detail.remove_prefix(end + 1);
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

private:
    // id, agent, text, kind, channel id, client id, and the error after the
    // attachment's strings, the quoted message's seq and the bot's choices
    // when there are those: few messages have any, and a part of their own
    // would make every message 8 bytes longer.
    static constexpr std::size_t fields = 7;

    // The attachment's strings, each ended by a NUL: the parser lets none
    // through with one in it.
    static std::string media_prefix(const chat::message& m) {
        std::string out;
        if (!m.media) return out;
        auto& a = *m.media;
        for (auto* field : {&a.media_id, &a.mime_type, &a.filename}) {
            assert(field->find('\0') == std::string::npos);
            out.append(*field).push_back('\0');
        }
        return out;
    }

    // The quoted message's seq, its 8 bytes as they are.
    static std::string reply_prefix(const chat::message& m) {
        if (!m.reply_to) return {};
        std::string out(sizeof m.reply_to, '\0');
        std::memcpy(out.data(), &m.reply_to, sizeof m.reply_to);
        return out;
    }

    // The choices' JSON, ended by a NUL: JSON text has none (a NUL in a
    // title is written \u0000).
    static std::string choices_prefix(const chat::message& m) {
        if (m.choices.empty()) return {};
        assert(m.choices.find('\0') == std::string::npos);
        return m.choices + '\0';
    }

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
