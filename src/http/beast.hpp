// Namespace aliases for the Beast/Asio code in src/. Internal only.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace switchboard {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
// Expected I/O errors come back as values, not exceptions.
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
}  // namespace switchboard
