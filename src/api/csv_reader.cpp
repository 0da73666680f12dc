#include "csv_reader.hpp"

namespace switchboard::api {

namespace {

char separator_of(std::string_view text) {
    auto first_line = text.substr(0, text.find('\n'));
    bool semicolons = first_line.find(';') != std::string_view::npos;
    return semicolons && first_line.find(',') == std::string_view::npos ? ';' : ',';
}

bool blank(const csv_record& r) { return r.fields.size() == 1 && r.fields[0].empty(); }

}  // namespace

std::vector<csv_record> read_csv(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    const char separator = separator_of(text);
    std::vector<csv_record> records;
    csv_record record{1, {std::string()}};
    std::size_t line = 1;
    auto end_record = [&](std::size_t next_line) {
        if (!blank(record)) records.push_back(std::move(record));
        record = csv_record{next_line, {std::string()}};
    };
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        auto& field = record.fields.back();
        if (c == '"' && field.empty()) {  // a quoted field, to its closing quote
            auto opened_on = line;
            ++i;
            for (;;) {
                if (i == text.size()) throw csv_error(opened_on, "a quoted field has no closing quote");
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (text[i] == '\n') ++line;
                field += text[i++];
            }
            bool at_end = i == text.size() || text[i] == separator || text[i] == '\n' ||
                          (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] == '\n'));
            if (!at_end) throw csv_error(line, "text follows a quoted field's closing quote");
            continue;
        }
        if (c == separator) {
            record.fields.emplace_back();
        } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
            if (c == '\r') ++i;
            ++line;
            end_record(line);
        } else {
            field += c;
        }
        ++i;
    }
    end_record(line);
    return records;
}

}  // namespace switchboard::api
