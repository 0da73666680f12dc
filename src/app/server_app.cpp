// Start-up and shutdown of the server process (SPEC §1).
#include "switchboard/app/server_app.hpp"

#include "switchboard/api/automations.hpp"
#include "switchboard/api/campaigns.hpp"
#include "switchboard/api/scheduled_replies.hpp"
#include "switchboard/api/routes.hpp"
#include "switchboard/api/system_routes.hpp"
#include "switchboard/auth/agents.hpp"
#include "switchboard/auth/teams.hpp"
#include "switchboard/notify/mailer.hpp"
#include "switchboard/notify/notification_center.hpp"
#include "switchboard/ops/assigner.hpp"
#include "switchboard/ws/hub.hpp"
#include "switchboard/channels/media.hpp"
#include "switchboard/channels/templates.hpp"
#include "switchboard/channels/event_webhook.hpp"
#include "switchboard/channels/outbox.hpp"
#include "switchboard/channels/webhooks.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/events/event.hpp"
#include "switchboard/store/store.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/http/static_files.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gperftools/malloc_extension.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <pthread.h>
#include <sys/resource.h>

#include <thread>

namespace switchboard::app {

namespace net = boost::asio;

namespace {

// SPEC §1: exit within 5 s of the signal, whatever a client is doing.
constexpr std::chrono::milliseconds shutdown_backstop{4000};

// Every connection, agent socket and database file is a descriptor, and a
// stock soft limit (1,024 on Debian) would turn connections away long before
// the hard limit, the one the operator set, would. Take the hard limit, as
// nginx and Go's runtime do.
void raise_open_file_limit() {
    rlimit l{};
    if (getrlimit(RLIMIT_NOFILE, &l) != 0 || l.rlim_cur >= l.rlim_max) return;
    auto was = l.rlim_cur;
    l.rlim_cur = l.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &l) != 0) {
        log::warn("open file limit not raised",
                  {{"limit", std::to_string(was)}, {"hard", std::to_string(l.rlim_max)}, {"error", std::strerror(errno)}});
        return;
    }
    log::debug("open file limit raised", {{"from", std::to_string(was)}, {"to", std::to_string(l.rlim_max)}});
}

http::server_limits limits_from(const config& cfg) {
    http::server_limits l;
    l.max_body = cfg.max_body;
    l.header_timeout = std::chrono::seconds(cfg.header_timeout);
    l.keepalive_timeout = std::chrono::seconds(cfg.keepalive_timeout);
    l.body_timeout = std::chrono::seconds(cfg.body_timeout);
    l.write_timeout = std::chrono::seconds(cfg.write_timeout);
    l.trusted_proxies = cfg.trusted_proxies;
    l.max_large_bodies = cfg.max_uploads;  // only agents' files are larger than --max-body
    return l;
}

std::unique_ptr<store::store> open_store(const config& cfg) {
    if (cfg.data == ":memory:") {
        log::warn("data is kept in memory only: nothing survives a restart", {{"data", cfg.data}});
        return store::make_memory_store();
    }
    store::sqlite_options o;
    o.lock_directory = true;
    o.max_size_mb = cfg.data_max_mb;
    o.search_index = cfg.search_index;
    if (cfg.group_commit_max) o.group_commit_max = cfg.group_commit_max;
    auto db = store::open_sqlite_store(cfg.data, o);
    log::info("store opened", {{"file", store::sqlite_file_in(cfg.data)}});
    return db;
}

channels::outbox_options outbox_options_from(const config& cfg) {
    channels::outbox_options o;
    o.wa_api_base = cfg.wa_api_base;
    o.wa_token = cfg.wa_token;
    o.outbound_url = cfg.outbound_url;
    o.max_backoff = std::chrono::seconds(cfg.outbox_max_backoff);
    o.connections_per_host = cfg.outbound_connections;
    o.ca_file = cfg.outbound_ca_file;
    o.wa_buttons = cfg.wa_buttons;
    return o;
}

// Where and as whom Meta's Graph API is called, for files and templates alike.
template <class Options>
Options graph_options_from(const config& cfg) {
    Options o;
    o.wa_api_base = cfg.wa_api_base;
    o.wa_token = cfg.wa_token;
    o.ca_file = cfg.outbound_ca_file;
    return o;
}

channels::media_options media_options_from(const config& cfg) {
    auto o = graph_options_from<channels::media_options>(cfg);
    o.max_bytes = cfg.max_media;
    return o;
}

channels::template_options template_options_from(const config& cfg) {
    auto o = graph_options_from<channels::template_options>(cfg);
    o.business_account_id = cfg.wa_business_account_id;
    return o;
}

notify::mailer_options mailer_options_from(const config& cfg) {
    notify::mailer_options o;
    o.url = cfg.smtp_url;
    o.username = cfg.smtp_user;
    o.password = cfg.smtp_password;
    o.from = cfg.smtp_from;
    return o;
}

channels::event_webhook_options event_webhook_options_from(const config& cfg) {
    channels::event_webhook_options o;
    o.url = cfg.events_url;
    o.secret = cfg.events_secret;
    o.types = cfg.events_types;
    o.ca_file = cfg.outbound_ca_file;
    o.max_backoff = std::chrono::seconds(cfg.outbox_max_backoff);
    return o;
}

// An origin as a browser sends it: no trailing slash.
std::vector<std::string> split_origins(const std::string& list) {
    auto out = comma_list(list);
    for (auto& origin : out)
        while (!origin.empty() && (origin.back() == '/' || origin.back() == ' ')) origin.pop_back();
    std::erase_if(out, [](const std::string& origin) { return origin.empty(); });
    return out;
}

chat::engine_options engine_options_from(const config& cfg) {
    chat::engine_options o;
    o.idle_timeout = std::chrono::seconds(cfg.idle_timeout);
    if (!cfg.bot_texts.empty()) o.texts = chat::bot_texts::load(cfg.bot_texts);
    o.hours = cfg.hours;
    return o;
}

}  // namespace

int run_server(const config& cfg) {
    log::configure(cfg.log_level, cfg.log_format);
    raise_open_file_limit();
    try {
        auto engine_opts = engine_options_from(cfg);
        auto store = open_store(cfg);

        net::io_context ioc(static_cast<int>(cfg.threads));
        // Installed before the port is announced, so a signal sent as soon as
        // the port is known is always handled.
        net::signal_set signals(ioc, SIGINT, SIGTERM);
        metrics::registry metrics;
        auth::agents_service agents(*store, {std::chrono::seconds(cfg.session_ttl)});
        auto generated_password = agents.bootstrap(cfg.admin_password);
        auth::team_roster teams(*store);
        // Before the hub, which tells it what reaches the event log.
        std::optional<channels::event_webhook> events_out;
        if (!cfg.events_url.empty()) events_out.emplace(ioc, *store, metrics, event_webhook_options_from(cfg));
        ws::hub_options hub_opts;
        if (events_out) hub_opts.on_stored = [&events_out](std::uint64_t seq) { events_out->stored(seq); };
        hub_opts.retention = std::chrono::seconds(cfg.event_retention);
        hub_opts.max_lag = cfg.ws_max_lag;
        hub_opts.idle_timeout = std::chrono::seconds(cfg.ws_idle_timeout);
        hub_opts.session_live = [&agents](const std::string& session) { return agents.session_live(session); };
        ws::hub hub(ioc, *store, metrics, hub_opts);
        hub.start();
        if (events_out) events_out->start();
        channels::outbox outbox(ioc, *store, metrics, outbox_options_from(cfg));
        // The same question each message for a user asks (conversation_actor::add_outgoing).
        if (!outbox.can_deliver(chat::channel::plain))
            log::warn("no --outbound-url: messages for plain-webhook users beyond their webhook's answer are stored as failed");
        engine_opts.someone_can_answer = [&hub, &agents] {
            for (auto& name : hub.online())
                if (auto a = agents.find(name); a && a->active && a->available) return true;
            return false;
        };
        auto engine_hours = engine_opts.hours;  // the API shows them too
        api::automation_runner automations(ioc, metrics);  // acts once the API is there (add_automation_routes)
        engine_opts.listener = &automations;
        notify::notification_center notifications(
            ioc, *store,
            [&agents](std::string_view name) {
                auto a = agents.find(name);
                return a && a->active;
            },
            [&hub](const std::string& agent, std::string frame) { hub.send_to(agent, std::move(frame)); });
        engine_opts.notifier = &notifications;
        // An agent away (no console open) is e-mailed what their inbox gets,
        // if they gave an address. Links go to the console as agents reach it.
        notify::mailer mailer(mailer_options_from(cfg), metrics);
        std::string console_url = cfg.public_url;  // else the listening address, once known
        notify::mail_pacer pacer;
        if (mailer.enabled())
            notifications.on_kept([&](const notify::notification& n) {
                auto online = hub.online();
                if (std::find(online.begin(), online.end(), n.agent) != online.end()) return;
                auto a = agents.find(n.agent);
                if (!a || !a->active || a->email.empty() || !notifications.mails(n.agent, n.type) || !pacer.due(n))
                    return;
                mailer.send(notify::notification_mail(n, a->email, console_url));
            });
        api::campaign_runner campaigns(ioc, {cfg.campaign_rate});  // runs once the API is there (add_campaign_routes)
        engine_opts.campaign_delivery = [&campaigns](const std::string& id, chat::message_status was,
                                                     chat::message_status now) { campaigns.delivery(id, was, now); };
        chat::engine engine(ioc, *store, hub, outbox, metrics, std::move(engine_opts));
        engine.start();
        hub.on_typing_to_user([&engine](const std::string& agent, const std::string& phone) {
            engine.agent_typing(phone, agent);
        });
        ops::assigner_options routing_opts;
        routing_opts.mode = *ops::routing_mode_from_string(cfg.routing);
        routing_opts.reassign_after = std::chrono::seconds(cfg.reassign_after);
        ops::assigner assigner(ioc, engine, agents, teams, hub, metrics, routing_opts);
        assigner.start();
        net::thread_pool scans(1);  // stopped before the store closes (below)
        channels::media_fetcher media(ioc, metrics, media_options_from(cfg));
        channels::template_catalog templates(ioc, template_options_from(cfg));
        api::scheduled_replies scheduled(ioc);  // sends once the API is there (add_scheduled_routes)
        api::api_context api_ctx{engine, agents, teams, hub, *store, scans, media, templates, split_origins(cfg.allowed_origins),
                                 engine_hours.get(), &automations, &notifications,
                                 {cfg.wa_phone_number_id, !cfg.outbound_url.empty()}, &campaigns, &mailer,
                                 &console_url, &scheduled};

        http::router routes;
        api::add_system_routes(routes, metrics);
        channels::add_plain_webhook_routes(routes, engine);
        channels::add_whatsapp_webhook_routes(routes, engine, {cfg.wa_verify_token, cfg.wa_app_secret});
        api::add_api_routes(routes, api_ctx);
        routes.set_fallback(http::make_static_handler(cfg.web_root));

        // Start-up read every conversation whole, and held them and the
        // catch-ups until the actors took them. tcmalloc keeps freed pages for
        // reuse: without this the process kept them resident for its life
        // (84 MB of 330 with 2,000,000 messages in 100,000 conversations).
        MallocExtension::instance()->ReleaseFreeMemory();

        http::server server(ioc, routes, metrics, limits_from(cfg));
        auto endpoint = server.listen(cfg.bind, cfg.port);
        server.start();

        // One line each, flushed at once: tests read the port from here.
        std::cout << "listening on " << endpoint.to_string() << std::endl;
        std::cout << "console: http://" << endpoint.to_string() << "/" << std::endl;
        if (console_url.empty()) console_url = "http://" + endpoint.to_string() + "/";
        if (generated_password)
            std::cout << "admin password: " << *generated_password << "  (user admin; shown once, change it)"
                      << std::endl;
        log::info("switchboard started", {{"version", std::string(version())},
                                          {"address", endpoint.to_string()},
                                          {"threads", std::to_string(cfg.threads)},
                                          {"data", cfg.data}});

        net::steady_timer backstop(ioc);
        signals.async_wait([&](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            log::info("shutting down", {{"signal", std::to_string(signo)}});
            store->stopping();
            media.stop();  // a file on its way to an agent would hold up the in-flight requests
            mailer.stop();  // a mail under way is cut short: the inbox has it
            templates.stop();
            campaigns.stop();  // after the user it is at: its place is kept for the next start
            scheduled.stop();  // one being sent finishes; the rest wait for the next start
            // The backstop stands until both HTTP connections and agent sockets are gone.
            auto pending = std::make_shared<int>(2);
            auto one_done = [&, pending] {
                net::post(ioc, [&, pending] {
                    if (--*pending > 0) return;
                    assigner.stop();
                    engine.stop();
                    outbox.stop();
                    if (events_out) events_out->stop();
                    backstop.cancel();
                });
            };
            hub.shutdown(one_done);
            server.shutdown(one_done);
            backstop.expires_after(shutdown_backstop);
            backstop.async_wait([&](const boost::system::error_code& tec) {
                if (tec) return;
                log::warn("shutdown backstop reached: closing remaining connections",
                          {{"open", std::to_string(server.open_connections())}});
                ioc.stop();
            });
        });

        std::vector<std::jthread> pool;
        // Named, so that top -H and perf tell the io threads from the store's writer.
        for (unsigned i = 1; i < cfg.threads; ++i)
            pool.emplace_back([&ioc, i] {
                pthread_setname_np(pthread_self(), ("sb-io-" + std::to_string(i)).c_str());
                ioc.run();
            });
        pthread_setname_np(pthread_self(), "sb-io-0");
        ioc.run();
        pool.clear();
        // A scan still running reads the store: it finishes first. Scans still
        // queued (only after the backstop) are dropped: nobody is left to
        // answer, and each could take a second more of the 5 s.
        scans.stop();
        scans.join();
        store->close();
        log::info("stopped");
        return 0;
    } catch (const std::exception& e) {
        log::error("cannot start", {{"error", e.what()}});
        std::cerr << "switchboard: " << e.what() << std::endl;
        return 1;
    }
}

}  // namespace switchboard::app
