#include "switchboard/core/html_text.hpp"

namespace switchboard {

std::string html_escaped(std::string_view text, bool breaks) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\r': if (!breaks) out += c; break;
        case '\n': out += breaks ? "<br>\n" : "\n"; break;
        default: out += c;
        }
    }
    return out;
}

}  // namespace switchboard
