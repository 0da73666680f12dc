#include "account_notice.hpp"

#include "switchboard/notify/mailer.hpp"

namespace switchboard::api {

void tell_account_owner(api_context& ctx, const auth::agent& a, std::string_view what, const http::request& req) {
    if (!sends_mail(ctx) || a.email.empty()) return;
    ctx.mailer->send(notify::account_notice_mail(a.email, a.display_name, a.username, what,
                                                 std::chrono::system_clock::now(), req.remote_address));
}

}  // namespace switchboard::api
