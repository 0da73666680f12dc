// POST /conversations/{phone}/attachments: an agent sends the user a file.
// The body is the file itself, its type the Content-Type; its name, a
// caption, the client's id and the seq of a message it quotes come in the
// query, so a browser sends a picked file as it is (`fetch(url, {body:
// file})`), with no form to build.
// The file is uploaded to WhatsApp first, and the message made only once
// Meta has it: a file that cannot be uploaded leaves nothing behind.
#include "request_helpers.hpp"

#include "switchboard/channels/media.hpp"
#include "switchboard/chat/json.hpp"

#include <array>
#include <cctype>
#include <memory>

namespace switchboard::api {

using boost::asio::awaitable;

namespace {

constexpr std::size_t max_caption_chars = 1024;  // WhatsApp's own limit for a caption
constexpr std::uint64_t max_image_bytes = 5u << 20;  // and for an image; a larger one goes as a document
constexpr std::uint64_t max_audio_video_bytes = 16u << 20;

// The kind WhatsApp sends a file as: the types its chats show or play, and
// a document for everything else, which the user's phone offers to open.
std::string kind_of(std::string_view mime_type, std::uint64_t size) {
    std::string base(mime_type.substr(0, mime_type.find(';')));
    while (!base.empty() && base.back() == ' ') base.pop_back();
    for (auto& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((base == "image/jpeg" || base == "image/png") && size <= max_image_bytes) return "image";
    if (size > max_audio_video_bytes) return "document";
    if (base == "video/mp4" || base == "video/3gpp") return "video";
    static constexpr std::array<std::string_view, 5> audio{"audio/aac", "audio/mp4", "audio/mpeg", "audio/amr",
                                                           "audio/ogg"};
    for (auto a : audio)
        if (base == a) return "audio";
    return "document";
}

// A query parameter that is text a person wrote: UTF-8, at most `max_chars`.
std::string text_param(const http::request& req, std::string_view name, std::size_t max_chars) {
    auto v = req.query_param(name).value_or("");
    auto n = chat::utf8_length(v);
    if (!n) throw field_error{std::string(name), std::string(name) + " must be UTF-8 text"};
    if (*n > max_chars)
        throw field_error{std::string(name),
                          std::string(name) + " must be at most " + std::to_string(max_chars) + " characters"};
    return v;
}

awaitable<http::response> send_attachment(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    if (req.body.empty()) throw field_error{"body", "the body must be the file, and this one is empty"};
    // The HTTP layer holds a body to --max-media only past --max-body, the larger as a rule.
    if (req.body.size() > ctx.media.max_bytes())
        co_return http::response::error(413, "body_too_large",
                                        "the file is over the " + std::to_string(ctx.media.max_bytes()) +
                                            " bytes this server sends (--max-media)");
    auto type = req.header("Content-Type");
    if (type.empty()) throw field_error{"Content-Type", "Content-Type must be the file's type, such as image/jpeg"};
    auto caption = text_param(req, "caption", max_caption_chars);
    auto filename = chat::checked_filename(text_param(req, "filename", 255));
    auto client_id = text_param(req, "client_id", 128);
    auto reply_to = reply_to_seq(req.query_param("reply_to"));

    // Refused before the upload as the send itself would refuse it, so that
    // a file for a chat the agent does not hold is not given to Meta.
    auto v = co_await ctx.engine.view(phone);
    if (!v) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    if (auto why = chat::why_agent_cannot_send(*v->record, who.username, "files"))
        throw chat::command_error(chat::command_error::kind::conflict, *why);

    chat::outgoing_file file;
    if (reply_to) file.quote = co_await quoted_message_for(ctx, phone, reply_to, "reply_to");
    file.media.mime_type = chat::checked_mime_type(std::string(type));
    file.kind = kind_of(file.media.mime_type, req.body.size());
    if (file.kind == "document") file.media.filename = filename.empty() ? "file" : filename;
    if (file.kind == "audio" && !caption.empty())
        throw field_error{"caption", "WhatsApp sends audio without a caption: send the text as a message of its own"};
    file.caption = std::move(caption);
    auto bytes = std::make_shared<const std::string>(std::move(req.body));
    auto number = v->record->wa_phone_number_id;
    auto mime = file.media.mime_type;
    auto uploaded = co_await ctx.media.upload(std::move(number), std::move(bytes), std::move(mime), filename);
    if (uploaded.media_id.empty())
        co_return http::response::error(502, "upload_failed", "WhatsApp did not take the file: " + uploaded.error);
    file.media.media_id = std::move(uploaded.media_id);
    auto m = co_await ctx.engine.send_file(phone, as_ref(who), std::move(file), std::move(client_id));
    co_return json_response(201, chat::to_json(m));
}

}  // namespace

void add_attachment_route(http::router& routes, api_context& ctx) {
    constexpr std::string_view pattern = "/conversations/{phone}/attachments";
    routes.add(http::verb::post, pattern, authed(ctx, [&ctx](http::request& req, const auth::agent& who) {
                   return send_attachment(ctx, req, who);
               }));
    // The session is checked before megabytes are read: a client without
    // one is answered at its headers.
    routes.allow_body(http::verb::post, pattern, ctx.media.max_bytes(),
                      [&ctx](const http::request& head) -> std::optional<http::response> {
                          if (ctx.agents.authenticate(session_token(head, false))) return std::nullopt;
                          return http::response::error(401, "unauthorized", "log in first: no valid session");
                      });
}

}  // namespace switchboard::api
