#include "store_write.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <future>

namespace switchboard::test {

void write(store::store& s, store::write_batch b) {
    namespace net = boost::asio;
    net::io_context ioc;
    auto f = net::co_spawn(ioc, s.write(std::move(b)), net::use_future);
    ioc.run();
    f.get();
}

namespace {

// Runs `start(done)` and waits for `done`; rethrows its failure.
template <class Start>
void wait_for(Start start) {
    std::promise<void> done;
    auto answered = done.get_future();
    start([&done](std::exception_ptr e) {
        if (e)
            done.set_exception(e);
        else
            done.set_value();
    });
    answered.get();
}

}  // namespace

void rewrite_events(store::store& s, events::data_rewrite r) {
    wait_for([&](store::store::write_done done) { s.async_rewrite_events(std::move(r), std::move(done)); });
}

void erase_events(store::store& s, events::erased_conversation e) {
    wait_for([&](store::store::write_done done) { s.async_erase_events(std::move(e), std::move(done)); });
}

}  // namespace switchboard::test
